package io.weft.encap.ipip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.weft.api.encap.EncapsulationTarget;
import io.weft.api.encap.LocalNode;
import io.weft.api.encap.RemoteBlock;
import io.weft.api.model.EncapsulationMode;
import io.weft.api.net.Cidr;
import io.weft.api.net.PrefixedAddress;

class IpipPlanTest {

    private static final LocalNode MASTER = new LocalNode("master", PrefixedAddress.parse("192.168.3.128/24"), "ens192",
            1500, Cidr.parseAddress("10.244.219.64"), null);

    private static RemoteBlock remote(String block, String node, String ip, EncapsulationMode mode) {
        return new RemoteBlock(Cidr.parse(block), node, Cidr.parseAddress(ip), null, null, mode);
    }

    @Test
    void alwaysRoutesEveryBlockOnlinkThroughTunl0ViaTheNodeAddress() {
        IpipPlan plan = IpipPlan.of(new EncapsulationTarget(MASTER, List.of(
                remote("10.244.71.64/26", "node3", "192.168.3.127", EncapsulationMode.ALWAYS),
                remote("10.244.92.128/26", "node2", "192.168.3.126", EncapsulationMode.ALWAYS))));
        // the seed: 10.244.71.64/26 via 192.168.3.127 dev tunl0 proto bird onlink
        assertEquals(List.of("10.244.71.64/26 via 192.168.3.127 dev tunl0 onlink",
                "10.244.92.128/26 via 192.168.3.126 dev tunl0 onlink"),
                plan.routes().stream().map(Object::toString).toList());
        assertEquals(1480, plan.mtu());
        assertEquals(PrefixedAddress.parse("10.244.219.64/32"), plan.address());
    }

    @Test
    void crossSubnetEncapsulatesOnlyOtherSubnets() {
        IpipPlan plan = IpipPlan.of(new EncapsulationTarget(MASTER, List.of(
                remote("10.244.71.64/26", "node3", "192.168.3.127", EncapsulationMode.CROSS_SUBNET),
                remote("10.244.5.0/26", "far", "192.168.9.5", EncapsulationMode.CROSS_SUBNET))));
        assertEquals(List.of("10.244.71.64/26 via 192.168.3.127 dev ens192 onlink",
                "10.244.5.0/26 via 192.168.9.5 dev tunl0 onlink"),
                plan.routes().stream().map(Object::toString).toList());
    }

    @Test
    void nodeWithoutAddressIsAClearError() {
        LocalNode bare = new LocalNode("master", null, null, 1500, null, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IpipPlan.of(new EncapsulationTarget(bare, List.of())));
        assertEquals("IPIP needs this node's address and uplink; node master has null on null", e.getMessage());
    }
}
