package io.weft.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.weft.api.encap.EncapsulationProvider;
import io.weft.api.encap.Encapsulation;
import io.weft.api.encap.EncapsulationTarget;
import io.weft.api.encap.RemoteBlock;
import io.weft.api.model.EncapsulationMode;
import io.weft.api.model.IPAMBlock;
import io.weft.api.model.IPAMBlockSpec;
import io.weft.api.model.IPPool;
import io.weft.api.model.IPPoolSpec;
import io.weft.api.model.Node;
import io.weft.api.model.NodeBGPSpec;
import io.weft.api.model.NodeSpec;
import io.weft.api.model.ObjectMeta;
import io.weft.api.model.WorkloadEndpoint;
import io.weft.api.model.WorkloadEndpointSpec;
import io.weft.api.net.Cidr;
import io.weft.api.net.PrefixedAddress;
import io.weft.encap.ipip.IpipProvider;
import io.weft.encap.none.PlainRoutingProvider;
import io.weft.encap.vxlan.VxlanProvider;
import io.weft.netlink.Netns;
import io.weft.netlink.Route;
import io.weft.netlink.RouteType;

/**
 * The calculation alone, on seed 001's VXLAN cluster (worker1/worker2 on 10.0.0.0/24, worker3
 * elsewhere, /24 blocks), printed the way {@code ip route} shows the result.
 */
class DataplaneCalculatorTest {

    private static final NodeIdentity WORKER1 = new NodeIdentity("worker1", PrefixedAddress.parse("10.0.0.11/24"),
            "enp0s3", 1500);
    private final DataplaneCalculator calculator = new DataplaneCalculator(80);

    private static Node node(String name, String address, String vxlanTunnel, String ipipTunnel) {
        return new Node(ObjectMeta.named(name), new NodeSpec(new NodeBGPSpec(null, address, null, ipipTunnel, null),
                vxlanTunnel, null, null, null, null));
    }

    private static IPPool pool(String cidr, EncapsulationMode vxlan, EncapsulationMode ipip) {
        return new IPPool(ObjectMeta.named("p-" + cidr.replace('/', '-')),
                new IPPoolSpec(cidr, 24, ipip, vxlan, false, false, false, null, null, null));
    }

    private static IPAMBlock block(String cidr, String host) {
        return new IPAMBlock(ObjectMeta.named(cidr.replace('.', '-').replace('/', '-')), new IPAMBlockSpec(cidr,
                host == null ? null : "host:" + host, false, null, null, null, false, 0, null));
    }

    private static WorkloadEndpoint wep(String node, String pod, String ip, String iface, String mac) {
        return new WorkloadEndpoint(ObjectMeta.namespaced("default", node + "-k8s-" + pod + "-eth0"),
                new WorkloadEndpointSpec("k8s", null, node, null, pod, "eth0", null, List.of(ip), null, null, iface, mac,
                        null));
    }

    private static ClusterState seedCluster(EncapsulationMode mode, List<WorkloadEndpoint> extra) {
        Map<String, Node> nodes = new HashMap<>();
        nodes.put("worker1", node("worker1", "10.0.0.11/24", "10.244.65.0", null));
        nodes.put("worker2", node("worker2", "10.0.0.22/24", "10.244.42.0", null));
        nodes.put("worker3", node("worker3", "10.0.1.23/24", "10.244.73.0", null));
        List<WorkloadEndpoint> weps = new ArrayList<>(List.of(
                wep("worker1", "nginx-1", "10.244.65.2/32", "cali5cf2070224c", "0a:58:0a:f4:41:02"),
                wep("worker2", "nginx-2", "10.244.42.3/32", "cali9fff596671e", null),
                wep("worker3", "nginx-3", "10.244.73.1/32", "cali573926084b2", null)));
        weps.addAll(extra);
        return new ClusterState(nodes, List.of(pool("10.244.0.0/16", mode, null)),
                List.of(block("10.244.65.0/24", "worker1"), block("10.244.42.0/24", "worker2"),
                        block("10.244.73.0/24", "worker3"), block("10.244.99.0/24", null)),
                weps);
    }

    /** Routes as {@code ip route} prints them, after each provider added its own. */
    private List<String> ipRoute(DesiredDataplane d, EncapsulationProvider... providers) {
        Map<Cidr, Route> all = new HashMap<>(d.routes());
        for (EncapsulationProvider p : providers) {
            EncapsulationTarget t = d.targets().get(p.encapsulation());
            if (t != null) {
                p.routes(t).forEach(r -> all.putIfAbsent(r.destination(), calculator.kernelRoute(r)));
            }
        }
        return all.values().stream().sorted((a, b) -> a.destination().compareTo(b.destination()))
                .map(DataplaneCalculatorTest::print).toList();
    }

    static String print(Route r) {
        StringBuilder s = new StringBuilder();
        if (r.type() == RouteType.BLACKHOLE) {
            s.append("blackhole ");
        }
        Cidr d = r.destination();
        s.append(d.prefixLength() == 32 ? Cidr.format(d.network()) : d.toString());
        if (r.gateway() != null) {
            s.append(" via ").append(Cidr.format(r.gateway()));
        }
        if (r.device() != null) {
            s.append(" dev ").append(r.device());
        }
        s.append(" proto ").append(r.protocol());
        if (r.scope() == io.weft.netlink.RouteScope.LINK) {
            s.append(" scope link");
        }
        if (r.onlink()) {
            s.append(" onlink");
        }
        return s.toString();
    }

    @Test
    void vxlanCrossSubnetGivesTheSeedsRoutingTable() {
        DesiredDataplane d = calculator.calculate(WORKER1, seedCluster(EncapsulationMode.CROSS_SUBNET, List.of()));
        assertEquals(List.of(
                "10.244.42.0/24 via 10.0.0.22 dev enp0s3 proto 80 onlink",
                "blackhole 10.244.65.0/24 proto 80",
                "10.244.65.2 dev cali5cf2070224c proto 80 scope link",
                "10.244.73.0/24 via 10.244.73.0 dev vxlan.calico proto 80 onlink"),
                ipRoute(d, new VxlanProvider(Netns.current())));
        assertEquals(List.of("cali5cf2070224c"), List.copyOf(d.workloadInterfaces()));
        assertEquals(1, d.workloadNeighbours().size());
        assertEquals("0a:58:0a:f4:41:02", d.workloadNeighbours().get(0).mac());
        EncapsulationTarget vxlan = d.targets().get(Encapsulation.VXLAN);
        assertEquals(Cidr.parseAddress("10.244.65.0"), vxlan.local().tunnelAddress());
        assertEquals(List.of(), d.problems());
    }

    @Test
    void vxlanAlwaysEncapsulatesTheNeighbourToo() {
        DesiredDataplane d = calculator.calculate(WORKER1, seedCluster(EncapsulationMode.ALWAYS, List.of()));
        assertEquals(List.of(
                "10.244.42.0/24 via 10.244.42.0 dev vxlan.calico proto 80 onlink",
                "blackhole 10.244.65.0/24 proto 80",
                "10.244.65.2 dev cali5cf2070224c proto 80 scope link",
                "10.244.73.0/24 via 10.244.73.0 dev vxlan.calico proto 80 onlink"),
                ipRoute(d, new VxlanProvider(Netns.current())));
    }

    @Test
    void borrowedAddressesGetTheirOwnHostRoute() {
        // worker3 borrowed 10.244.42.9 from worker2's block; worker1 borrowed 10.244.73.7
        DesiredDataplane d = calculator.calculate(WORKER1, seedCluster(EncapsulationMode.ALWAYS, List.of(
                wep("worker3", "borrower", "10.244.42.9/32", "cali0000000003", null),
                wep("worker1", "local-borrower", "10.244.73.7/32", "cali0000000001", null))));
        List<String> routes = ipRoute(d, new VxlanProvider(Netns.current()));
        assertTrue(routes.contains("10.244.42.9 via 10.244.73.0 dev vxlan.calico proto 80 onlink"), routes.toString());
        assertTrue(routes.contains("10.244.73.7 dev cali0000000001 proto 80 scope link"), routes.toString());
        // worker3's block still goes to worker3; the /32 inside it is more specific and local
        assertTrue(routes.contains("10.244.73.0/24 via 10.244.73.0 dev vxlan.calico proto 80 onlink"), routes.toString());
        assertEquals(6, routes.size(), routes.toString());
        // BGP export: the node's own block, and the address it borrowed (its owner cannot offer it)
        assertEquals(List.of(Cidr.parse("10.244.65.0/24"), Cidr.parse("10.244.73.7/32")), d.exported());
    }

    @Test
    void ipipAndPlainPoolsGoToTheirProviders() {
        Map<String, Node> nodes = Map.of(
                "master", node("master", "192.168.3.128/24", null, "10.244.219.64"),
                "node3", node("node3", "192.168.3.127/24", null, "10.244.71.64"),
                "node2", node("node2", "192.168.3.126/24", null, "10.244.92.128"));
        ClusterState s = new ClusterState(nodes, List.of(pool("10.244.0.0/16", null, EncapsulationMode.ALWAYS),
                pool("10.8.0.0/16", null, null)),
                List.of(block("10.244.71.64/26", "node3"), block("10.244.219.64/26", "master"),
                        block("10.8.152.192/26", "node2")), List.of());
        DesiredDataplane d = calculator.calculate(new NodeIdentity("master", PrefixedAddress.parse("192.168.3.128/24"),
                "ens192", 1500), s);
        assertEquals(java.util.Set.of(Encapsulation.NONE, Encapsulation.IPIP), d.targets().keySet());
        RemoteBlock ipip = d.targets().get(Encapsulation.IPIP).remoteBlocks().get(0);
        assertEquals(EncapsulationMode.ALWAYS, ipip.mode());
        assertEquals(Cidr.parseAddress("10.244.71.64"), ipip.tunnelAddress());
        assertEquals(Cidr.parseAddress("10.244.219.64"), d.targets().get(Encapsulation.IPIP).local().tunnelAddress());
        // seed 000: 10.244.71.64/26 via 192.168.3.127 dev tunl0 proto bird onlink (ours: proto 80)
        assertEquals(List.of(
                "10.8.152.192/26 via 192.168.3.126 dev ens192 proto 80",
                "10.244.71.64/26 via 192.168.3.127 dev tunl0 proto 80 onlink",
                "blackhole 10.244.219.64/26 proto 80"),
                ipRoute(d, new IpipProvider(Netns.current()), new PlainRoutingProvider()));
    }

    @Test
    void badResourcesAreNamedAndTheRestIsStillProgrammed() {
        Map<String, Node> nodes = new HashMap<>();
        nodes.put("worker1", node("worker1", "10.0.0.11/24", null, null));
        nodes.put("ghost", new Node(ObjectMeta.named("ghost"), NodeSpec.EMPTY));
        ClusterState s = new ClusterState(nodes, List.of(pool("10.244.0.0/16", null, null)),
                List.of(block("10.244.65.0/24", "worker1"), block("10.244.66.0/24", "ghost"),
                        block("10.250.0.0/24", "elsewhere")),
                List.of(wep("worker1", "no-veth", "10.244.65.3/32", null, null),
                        wep("worker1", "bad-ip", "10.244.65.300/32", "cali0000000009", null),
                        wep("worker1", "fine", "10.244.65.4/32", "cali0000000004", null)));
        DesiredDataplane d = calculator.calculate(WORKER1, s);
        assertEquals(List.of(
                "10.244.66.0/24 on node ghost: the node has no IPv4 address in its Node resource"
                        + " (spec.bgp.ipv4Address); not routed until its agent writes it",
                "10.250.0.0/24 on node elsewhere: no IPPool contains it (pool deleted?); not routed",
                "WorkloadEndpoint \"default/worker1-k8s-no-veth-eth0\": spec.interfaceName is empty; the CNI plugin"
                        + " must record the host-side veth",
                "WorkloadEndpoint \"default/worker1-k8s-bad-ip-eth0\": ipNetworks: not a CIDR: '10.244.65.300/32'"
                        + " (bad IPv4 address: field '300' is out of range 0-255)"), d.problems());
        assertEquals(List.of("10.244.65.4 dev cali0000000004 proto 80 scope link", "blackhole 10.244.65.0/24 proto 80")
                .stream().sorted().toList(), ipRoute(d).stream().sorted().toList());
    }

    @Test
    void sameStateGivesEqualTargetsSoUnchangedProvidersAreSkipped() {
        ClusterState s = seedCluster(EncapsulationMode.ALWAYS, List.of());
        assertEquals(calculator.calculate(WORKER1, s).targets(), calculator.calculate(WORKER1, s).targets());
    }
}
