package io.weft.agent;

import static io.weft.agent.Lab.ip;
import static io.weft.agent.Lab.run;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import io.weft.api.encap.EncapsulationProvider;
import io.weft.api.ipam.AssignRequest;
import io.weft.api.ipam.IntendedUse;
import io.weft.api.model.EncapsulationMode;
import io.weft.api.model.IPPool;
import io.weft.api.model.IPPoolSpec;
import io.weft.api.model.Node;
import io.weft.api.model.NodeSpec;
import io.weft.api.model.ObjectMeta;
import io.weft.api.model.ResourceKind;
import io.weft.api.model.WorkloadEndpoint;
import io.weft.api.model.WorkloadEndpointSpec;
import io.weft.api.net.Cidr;
import io.weft.api.resource.ResourceStore;
import io.weft.codec.internal.JacksonResourceCodec;
import io.weft.core.DatastoreResourceStore;
import io.weft.datastore.memory.MemoryDatastore;
import io.weft.encap.ipip.IpipProvider;
import io.weft.encap.none.PlainRoutingProvider;
import io.weft.encap.vxlan.VxlanProvider;
import io.weft.ipam.block.BlockIpam;
import io.weft.netlink.Netns;

/**
 * A small cluster in network namespaces, shaped like seeds 000/001: a router namespace joining
 * subnet A (10.0.0.0/24) and subnet B (10.0.1.0/24) through a bridge each, nodes with an
 * {@code eth0} uplink in one of them, one agent per node (in-process, each programming its own
 * namespace) over one shared datastore, block IPAM handing out pod and tunnel addresses, and pods
 * wired by hand as Calico's CNI plugin wires them.
 */
final class Cluster implements AutoCloseable {

    final Lab lab;
    final ResourceStore store;
    final BlockIpam ipam;
    private final MemoryDatastore datastore = new MemoryDatastore();
    private final String router;
    private final Map<String, String> nodeNs = new HashMap<>();
    private final Map<String, DataplaneAgent> agents = new HashMap<>();
    private final List<VxlanProvider> vxlanProviders = new ArrayList<>();
    private final List<IpipProvider> ipipProviders = new ArrayList<>();

    Cluster(String tag) {
        lab = new Lab(tag);
        store = new DatastoreResourceStore(datastore, new JacksonResourceCodec(), Clock.systemUTC());
        ipam = new BlockIpam(store);
        router = lab.netns("rt");
        ip(router, "link", "add", "br-a", "type", "bridge");
        ip(router, "link", "add", "br-b", "type", "bridge");
        ip(router, "link", "set", "br-a", "up");
        ip(router, "link", "set", "br-b", "up");
        ip(router, "addr", "add", "10.0.0.1/24", "dev", "br-a");
        ip(router, "addr", "add", "10.0.1.1/24", "dev", "br-b");
        run("ip", "netns", "exec", router, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
    }

    /** The datastore beneath {@link #store}. */
    MemoryDatastore datastore() {
        return datastore;
    }

    String router() {
        return router;
    }

    /**
     * A host outside the cluster (203.0.113.10) behind the router. It knows the node subnets
     * through its default route but nothing of the pod addresses, like a server on the internet:
     * only masqueraded pod traffic gets answers.
     */
    String external() {
        String ns = lab.netns("ext");
        ip(router, "link", "add", "ext", "type", "veth", "peer", "name", "eth0", "netns", ns);
        ip(router, "link", "set", "ext", "up");
        ip(router, "addr", "add", "203.0.113.1/24", "dev", "ext");
        ip(ns, "link", "set", "eth0", "up");
        ip(ns, "addr", "add", "203.0.113.10/24", "dev", "eth0");
        ip(ns, "route", "add", "10.0.0.0/16", "via", "203.0.113.1");
        return ns;
    }

    /** Creates a node namespace with {@code eth0} on subnet A ("a") or B ("b") and its Node resource. */
    String node(String name, String subnet, String hostPart) throws Exception {
        String ns = lab.netns(name);
        String side = name + "-up";
        String bridge = "a".equals(subnet) ? "br-a" : "br-b";
        String net = "a".equals(subnet) ? "10.0.0." : "10.0.1.";
        ip(router, "link", "add", side, "type", "veth", "peer", "name", "eth0", "netns", ns);
        ip(router, "link", "set", side, "master", bridge, "up");
        ip(ns, "link", "set", "eth0", "up");
        ip(ns, "addr", "add", net + hostPart + "/24", "dev", "eth0");
        ip(ns, "route", "add", "default", "via", net + "1");
        nodeNs.put(name, ns);
        store.create(new Node(ObjectMeta.named(name), NodeSpec.EMPTY));
        return ns;
    }

    String ns(String node) {
        return nodeNs.get(node);
    }

    void pool(String name, String cidr, int blockSize, EncapsulationMode vxlan, EncapsulationMode ipip) throws Exception {
        pool(name, cidr, blockSize, vxlan, ipip, false);
    }

    void pool(String name, String cidr, int blockSize, EncapsulationMode vxlan, EncapsulationMode ipip,
            boolean natOutgoing) throws Exception {
        store.apply(new IPPool(ObjectMeta.named(name), new IPPoolSpec(cidr, blockSize, ipip, vxlan, natOutgoing, false,
                false, null, null, null)));
    }

    /** IPAM gives the node a VXLAN tunnel address, written to its Node resource as calico/node does. */
    String vxlanTunnel(String node) throws Exception {
        var a = ipam.assign(new AssignRequest("vxlan-tunnel-addr-" + node, node, 1, 0, List.of(), List.of(),
                IntendedUse.TUNNEL, Map.of("node", node, "type", "vxlanTunnelAddress")));
        String address = Cidr.format(a.ipv4().get(0));
        for (int attempt = 0; ; attempt++) {
            Node n = store.get(ResourceKind.NODE, null, node).orElseThrow();
            try {
                store.update(n.withSpec(n.spec().withIpv4VXLANTunnelAddr(address)));
                return address;
            } catch (io.weft.api.datastore.RevisionConflictException e) {
                if (attempt > 10) {
                    throw e;
                }
            }
        }
    }

    /** IPAM gives the node an IPIP tunnel address, written to its Node resource's {@code spec.bgp}. */
    String ipipTunnel(String node) throws Exception {
        var a = ipam.assign(new AssignRequest("ipip-tunnel-addr-" + node, node, 1, 0, List.of(), List.of(),
                IntendedUse.TUNNEL, Map.of("node", node, "type", "ipipTunnelAddress")));
        String address = Cidr.format(a.ipv4().get(0));
        for (int attempt = 0; ; attempt++) {
            Node n = store.get(ResourceKind.NODE, null, node).orElseThrow();
            io.weft.api.model.NodeBGPSpec bgp = n.spec().bgp();
            io.weft.api.model.NodeBGPSpec updated = bgp == null
                    ? new io.weft.api.model.NodeBGPSpec(null, null, null, address, null)
                    : bgp.withIpv4IPIPTunnelAddr(address);
            try {
                store.update(n.withSpec(n.spec().withBgp(updated)));
                return address;
            } catch (io.weft.api.datastore.RevisionConflictException e) {
                if (attempt > 10) {
                    throw e;
                }
            }
        }
    }

    /** Starts the node's agent with every provider, or the ones given. */
    DataplaneAgent agent(String node, Duration resync, EncapsulationProvider... providers) {
        return agent(node, resync, 0, providers);
    }

    /** The same with the health endpoint on 127.0.0.1:{@code healthPort} (0: none). */
    DataplaneAgent agent(String node, Duration resync, int healthPort, EncapsulationProvider... providers) {
        Netns netns = Netns.named(nodeNs.get(node));
        DataplaneAgent agent = new DataplaneAgent(new AgentSettings(node, netns, AddressAutodetection.parse("interface=eth0"),
                resync, 80, "cali", "127.0.0.1", healthPort), store);
        if (providers.length == 0) {
            VxlanProvider vxlan = new VxlanProvider(netns);
            IpipProvider ipip = new IpipProvider(netns);
            vxlanProviders.add(vxlan);
            ipipProviders.add(ipip);
            providers = new EncapsulationProvider[] {vxlan, ipip, new PlainRoutingProvider()};
        }
        for (EncapsulationProvider p : providers) {
            agent.bindProvider(p);
        }
        agent.start();
        agents.put(node, agent);
        return agent;
    }

    /**
     * Binds every provider and {@code store} to an agent built by the caller, starts it, and
     * closes it with the cluster.
     */
    DataplaneAgent adopt(String node, DataplaneAgent agent, ResourceStore store) {
        Netns netns = Netns.named(nodeNs.get(node));
        VxlanProvider vxlan = new VxlanProvider(netns);
        vxlanProviders.add(vxlan);
        agent.bindProvider(vxlan);
        agent.bindProvider(new PlainRoutingProvider());
        agent.bindStore(store);
        agent.start();
        agents.put(node, agent);
        return agent;
    }

    DataplaneAgent agentOf(String node) {
        return agents.get(node);
    }

    /** A pod with its address from IPAM, wired as Calico's CNI plugin does, and its WorkloadEndpoint. */
    Pod pod(String node, String pod) throws Exception {
        String address = Cidr.format(ipam.assign(AssignRequest.podIpv4("k8s-pod-network." + pod, node,
                Map.of("node", node, "namespace", "default", "pod", pod))).ipv4().get(0));
        return podWithAddress(node, pod, address);
    }

    Pod podWithAddress(String node, String pod, String address) throws Exception {
        return podWithAddress(store, node, pod, address);
    }

    /** The same, with the WorkloadEndpoint written to {@code into} (another store, in swap tests). */
    Pod podWithAddress(ResourceStore into, String node, String pod, String address) throws Exception {
        String podNs = lab.netns(pod);
        String hostIf = "cali" + sha1Hex("default." + pod).substring(0, 11);
        String ns = nodeNs.get(node);
        ip(ns, "link", "add", hostIf, "type", "veth", "peer", "name", "eth0", "netns", podNs);
        ip(ns, "link", "set", hostIf, "address", "ee:ee:ee:ee:ee:ee", "up");
        ip(podNs, "link", "set", "eth0", "up");
        ip(podNs, "addr", "add", address + "/32", "dev", "eth0");
        ip(podNs, "route", "add", "169.254.1.1", "dev", "eth0", "scope", "link");
        ip(podNs, "route", "add", "default", "via", "169.254.1.1", "dev", "eth0");
        String mac = ip(podNs, "-br", "link", "show", "eth0").trim().split("\\s+")[2];
        WorkloadEndpoint wep = new WorkloadEndpoint(ObjectMeta.namespaced("default", node + "-k8s-" + pod + "-eth0"),
                new WorkloadEndpointSpec("k8s", null, node, "c-" + pod, pod, "eth0", "default", List.of(address + "/32"),
                        null, List.of("kns.default"), hostIf, mac, null));
        into.create(wep);
        return new Pod(pod, podNs, address, hostIf, mac, wep.name());
    }

    record Pod(String name, String ns, String ip, String hostIf, String mac, String endpoint) {
    }

    static String sha1Hex(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void close() {
        try {
            agents.values().forEach(DataplaneAgent::close);
            vxlanProviders.forEach(VxlanProvider::close);
            ipipProviders.forEach(IpipProvider::close);
        } finally {
            lab.close();
            datastore.close();
        }
    }
}
