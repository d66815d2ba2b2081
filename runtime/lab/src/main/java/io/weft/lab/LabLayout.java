package io.weft.lab;

import java.nio.file.Path;
import java.util.List;

import io.weft.lab.Topology.Node;
import io.weft.lab.Topology.Pod;

/**
 * Where a lab's things live and what they are called. Namespaces carry the lab name as prefix
 * ({@code seeds-sw}, {@code seeds-node1}, pods {@code seeds-default.web-1}: node names have no dot,
 * so the two never collide); interface names inside the switch namespace are short and indexed
 * because Linux allows 15 characters.
 */
final class LabLayout {
    static final int ETCD_CLIENT_PORT = 2379;

    private final Topology topology;
    private final Path dir;
    private final Cidr management;

    LabLayout(Topology topology, Path labRoot) {
        this.topology = topology;
        this.dir = labRoot.resolve(topology.name());
        this.management = Cidr.parse(topology.managementCidr());
    }

    Topology topology() {
        return topology;
    }

    Path dir() {
        return dir;
    }

    /** Holds every subnet's bridge, the management bridge and etcd. */
    String switchNs() {
        return topology.name() + "-sw";
    }

    String ns(String nodeRouterOrExternal) {
        return topology.name() + "-" + nodeRouterOrExternal;
    }

    String podNs(Pod pod) {
        return topology.name() + "-" + pod.k8sNamespace() + "." + pod.name();
    }

    String containerId(Pod pod) {
        return "weftlab-" + topology.name() + "-" + pod.k8sNamespace() + "-" + pod.name();
    }

    Path nodeDir(String node) {
        return dir.resolve("nodes").resolve(node);
    }

    Path cniSocket(String node) {
        return nodeDir(node).resolve("cni.sock");
    }

    Path adminSocket(String node) {
        return nodeDir(node).resolve("admin.sock");
    }

    String bridge(String subnet) {
        return "br" + topology.subnets().stream().map(Topology.Subnet::name).toList().indexOf(subnet);
    }

    String managementBridge() {
        return "brmgmt";
    }

    int nodeIndex(String node) {
        return topology.nodes().stream().map(Node::name).toList().indexOf(node);
    }

    /** The switch-side end of a node's uplink. */
    String nodeUplinkPeer(String node) {
        return "n" + nodeIndex(node) + "up";
    }

    String nodeManagementPeer(String node) {
        return "n" + nodeIndex(node) + "mg";
    }

    String routerLegPeer(int router, int leg) {
        return "r" + router + "l" + leg;
    }

    String externalPeer(int external) {
        return "x" + external;
    }

    String etcdAddress() {
        return management.host(1);
    }

    int managementPrefix() {
        return management.prefix();
    }

    String etcdEndpoint() {
        return "http://" + etcdAddress() + ":" + ETCD_CLIENT_PORT;
    }

    String nodeManagementAddress(String node) {
        return management.host(11 + nodeIndex(node));
    }

    /** The prefix length of a subnet, for addresses on it. */
    int prefix(String subnet) {
        return Cidr.parse(topology.subnet(subnet).cidr()).prefix();
    }

    /** Pod MTU: the uplinks' 1500 less the encapsulation overhead of the pools (VXLAN 50, IPIP 20). */
    int podMtu() {
        List<Topology.Pool> pools = topology.pools();
        if (pools.stream().anyMatch(p -> !p.effectiveVxlanMode().equals("Never"))) {
            return 1450;
        }
        if (pools.stream().anyMatch(p -> !p.effectiveIpipMode().equals("Never"))) {
            return 1480;
        }
        return 1500;
    }
}
