package io.weft.encap.vxlan;

import static io.weft.encap.vxlan.KernelLab.lines;
import static io.weft.encap.vxlan.KernelLab.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.weft.api.encap.EncapsulationTarget;
import io.weft.api.encap.LocalNode;
import io.weft.api.encap.RemoteBlock;
import io.weft.api.model.EncapsulationMode;
import io.weft.api.net.Cidr;
import io.weft.api.net.PrefixedAddress;
import io.weft.netlink.Netns;

/** The provider against the real kernel: what {@code ip} and {@code bridge} show, drift, teardown. */
class VxlanProviderKernelTest {

    private KernelLab lab;
    private String ns;
    private VxlanProvider provider;

    @BeforeEach
    void setUp() {
        lab = new KernelLab();
        ns = lab.netns("node");
        run("ip", "-n", ns, "link", "add", "uplink", "mtu", "1500", "type", "veth", "peer", "name", "peer");
        run("ip", "-n", ns, "link", "set", "uplink", "up");
        run("ip", "-n", ns, "addr", "add", "10.0.0.11/24", "dev", "uplink");
        provider = new VxlanProvider(Netns.named(ns));
    }

    @AfterEach
    void tearDown() {
        if (provider != null) {
            provider.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    private static EncapsulationTarget target(String... remoteNodes) {
        LocalNode local = new LocalNode("worker1", PrefixedAddress.parse("10.0.0.11/24"), "uplink", 1500,
                Cidr.parseAddress("10.244.65.0"), null);
        List<RemoteBlock> blocks = java.util.Arrays.stream(remoteNodes).map(n -> {
            int i = Integer.parseInt(n.substring("worker".length()));
            return new RemoteBlock(Cidr.parse("10.244." + (70 + i) + ".0/26"), n, Cidr.parseAddress("10.0.1." + (20 + i)),
                    Cidr.parseAddress("10.244." + (70 + i) + ".0"), null, EncapsulationMode.ALWAYS);
        }).toList();
        return new EncapsulationTarget(local, blocks);
    }

    @Test
    void programsTheDeviceArpAndFdbAsCalicoDoesAndRepairsDrift() throws Exception {
        provider.reconcile(target("worker2", "worker3"));

        String link = run("ip", "-n", ns, "-d", "link", "show", "vxlan.calico");
        assertTrue(link.contains("mtu 1450"), link);
        assertTrue(link.contains("link/ether " + VxlanMac.forNode("worker1")), link);
        assertTrue(link.contains("vxlan id 4096 local 10.0.0.11 dev uplink srcport 0 0 dstport 4789 nolearning"), link);
        assertTrue(link.contains("state UNKNOWN") || link.contains(",UP"), link);
        assertEquals(List.of("inet 10.244.65.0/32 scope global vxlan.calico"),
                lines(run("ip", "-n", ns, "-4", "-o", "addr", "show", "dev", "vxlan.calico")).stream()
                        .map(l -> l.replaceAll("^\\d+: vxlan.calico\\s+", "").replaceAll("\\\\.*", "").trim()).toList());
        List<String> arp = List.of(
                "10.244.72.0 lladdr " + VxlanMac.forNode("worker2") + " PERMANENT",
                "10.244.73.0 lladdr " + VxlanMac.forNode("worker3") + " PERMANENT");
        assertEquals(arp, lines(run("ip", "-n", ns, "neigh", "show", "dev", "vxlan.calico")).stream().sorted().toList());
        List<String> fdb = List.of(
                VxlanMac.forNode("worker2") + " dst 10.0.1.22 self permanent",
                VxlanMac.forNode("worker3") + " dst 10.0.1.23 self permanent");
        assertEquals(fdb, lines(run("bridge", "-n", ns, "fdb", "show", "dev", "vxlan.calico")).stream().sorted().toList());

        // drift: an FDB entry and an ARP entry deleted by hand come back on the next reconcile
        run("bridge", "-n", ns, "fdb", "del", VxlanMac.forNode("worker2"), "dev", "vxlan.calico");
        run("ip", "-n", ns, "neigh", "del", "10.244.73.0", "dev", "vxlan.calico");
        provider.reconcile(target("worker2", "worker3"));
        assertEquals(arp, lines(run("ip", "-n", ns, "neigh", "show", "dev", "vxlan.calico")).stream().sorted().toList());
        assertEquals(fdb, lines(run("bridge", "-n", ns, "fdb", "show", "dev", "vxlan.calico")).stream().sorted().toList());

        // a node leaves: its entries go, the other's stay
        provider.reconcile(target("worker3"));
        assertEquals(List.of(arp.get(1)), lines(run("ip", "-n", ns, "neigh", "show", "dev", "vxlan.calico")));
        assertEquals(List.of(fdb.get(1)), lines(run("bridge", "-n", ns, "fdb", "show", "dev", "vxlan.calico")));

        // the device deleted by hand comes back with everything on it
        run("ip", "-n", ns, "link", "del", "vxlan.calico");
        provider.reconcile(target("worker3"));
        assertEquals(List.of(arp.get(1)), lines(run("ip", "-n", ns, "neigh", "show", "dev", "vxlan.calico")));
        assertEquals(List.of(fdb.get(1)), lines(run("bridge", "-n", ns, "fdb", "show", "dev", "vxlan.calico")));

        provider.teardown();
        assertEquals("", run("ip", "-n", ns, "link", "show", "type", "vxlan").trim());
    }

    @Test
    void deviceWithTheWrongVniIsRecreatedAndWrongMtuCorrected() throws Exception {
        run("ip", "-n", ns, "link", "add", "vxlan.calico", "type", "vxlan", "id", "42", "dstport", "4789", "dev", "uplink");
        provider.reconcile(target("worker2"));
        String link = run("ip", "-n", ns, "-d", "link", "show", "vxlan.calico");
        assertTrue(link.contains("vxlan id 4096 "), link);

        run("ip", "-n", ns, "link", "set", "vxlan.calico", "mtu", "1300");
        provider.reconcile(target("worker2"));
        assertTrue(run("ip", "-n", ns, "link", "show", "vxlan.calico").contains("mtu 1450"));
    }
}
