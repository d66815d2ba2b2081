package io.weft.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.weft.api.net.Cidr;
import io.weft.api.net.PrefixedAddress;
import io.weft.netlink.Address;

class AddressAutodetectionTest {

    private static Address addr(String dev, int index, String address, int scope) {
        return new Address(dev, index, PrefixedAddress.parse(address), scope);
    }

    /** What a Kubernetes node typically has, in ifindex order. */
    private static final List<Address> HOST = List.of(
            addr("lo", 1, "127.0.0.1/8", 254),
            addr("docker0", 3, "172.17.0.1/16", 0),
            addr("ens192", 4, "fe80::1/64", 253),
            addr("ens192", 4, "172.16.67.138/24", 0),
            addr("ens224", 5, "192.168.3.128/24", 0),
            addr("vxlan.calico", 6, "10.244.65.0/32", 0),
            addr("cali5cf2070224c", 7, "169.254.1.2/32", 0));

    private static final AddressAutodetection.ReachProbe NO_PROBE = d -> {
        throw new AssertionError("not a can-reach method");
    };

    private static String detect(String method) throws Exception {
        AddressAutodetection.Detected d = AddressAutodetection.parse(method).choose(HOST, NO_PROBE);
        return d.device() + " " + d.address();
    }

    @Test
    void firstFoundSkipsLoopbackContainerAndTunnelDevices() throws Exception {
        assertEquals("ens192 172.16.67.138/24", detect("first-found"));
        assertEquals("ens192 172.16.67.138/24", detect(""));
    }

    @Test
    void interfaceCidrAndSkipInterfaceSelectAsCalicoDoes() throws Exception {
        assertEquals("ens224 192.168.3.128/24", detect("interface=ens2.4"));
        assertEquals("ens224 192.168.3.128/24", detect("interface=eth9,ens224"));
        assertEquals("ens224 192.168.3.128/24", detect("cidr=192.168.0.0/16"));
        assertEquals("ens224 192.168.3.128/24", detect("skip-interface=ens192"));
    }

    @Test
    void canReachTakesTheSourceAddressTheKernelWouldUse() throws Exception {
        AddressAutodetection.Detected d = AddressAutodetection.parse("can-reach=192.168.3.1")
                .choose(HOST, dest -> Cidr.parseAddress("192.168.3.128"));
        assertEquals("ens224", d.device());
        AddressAutodetection.AutodetectionException e = assertThrows(AddressAutodetection.AutodetectionException.class,
                () -> AddressAutodetection.parse("can-reach=10.99.0.1").choose(HOST, dest -> {
                    throw new IOException("Network is unreachable");
                }));
        assertEquals("IP autodetection can-reach=10.99.0.1: cannot route to 10.99.0.1: Network is unreachable; "
                + "check the destination or choose another IP_AUTODETECTION_METHOD", e.getMessage());
    }

    @Test
    void noMatchAndBadMethodsSayWhatToDo() {
        AddressAutodetection.AutodetectionException e = assertThrows(AddressAutodetection.AutodetectionException.class,
                () -> detect("interface=eth0"));
        assertEquals("IP autodetection interface=eth0 found no matching IPv4 address among [docker0 172.17.0.1/16,"
                + " ens192 172.16.67.138/24, ens224 192.168.3.128/24, vxlan.calico 10.244.65.0/32,"
                + " cali5cf2070224c 169.254.1.2/32]; set IP_AUTODETECTION_METHOD (agent ipAutodetectionMethod) to"
                + " interface=REGEX or cidr=CIDR", e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> AddressAutodetection.parse("kubernetes-internal-ip"));
        assertEquals("IP autodetection method 'kubernetes-internal-ip' is not known; use first-found, interface=REGEX,"
                + " skip-interface=REGEX, can-reach=DESTINATION or cidr=CIDR", bad.getMessage());
        IllegalArgumentException badCidr = assertThrows(IllegalArgumentException.class,
                () -> AddressAutodetection.parse("cidr=10.0.0.0/33"));
        assertEquals("IP autodetection method 'cidr=10.0.0.0/33': not a CIDR: '10.0.0.0/33' (prefix length must be"
                + " 0-32 for IPv4)", badCidr.getMessage());
        IllegalArgumentException badRegex = assertThrows(IllegalArgumentException.class,
                () -> AddressAutodetection.parse("interface=eth[0"));
        assertEquals(true, badRegex.getMessage().startsWith("IP autodetection method 'interface=eth[0': Unclosed"),
                badRegex.getMessage());
    }
}
