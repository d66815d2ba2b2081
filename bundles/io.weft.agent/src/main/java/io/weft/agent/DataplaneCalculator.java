package io.weft.agent;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.Set;

import io.weft.api.encap.BlockRoute;
import io.weft.api.encap.Encapsulation;
import io.weft.api.encap.EncapsulationTarget;
import io.weft.api.encap.LocalNode;
import io.weft.api.encap.RemoteBlock;
import io.weft.api.model.EncapsulationMode;
import io.weft.api.model.IPAMBlock;
import io.weft.api.model.IPPool;
import io.weft.api.model.IPPoolSpec;
import io.weft.api.model.Node;
import io.weft.api.model.NodeAddress;
import io.weft.api.model.WorkloadEndpoint;
import io.weft.api.model.WorkloadEndpointSpec;
import io.weft.api.net.Cidr;
import io.weft.api.net.PrefixedAddress;
import io.weft.netlink.Neighbour;
import io.weft.netlink.Route;

/**
 * Calculates this node's desired dataplane from the cluster state (REFERENCE.md section 3):
 * <ul>
 * <li>{@code <pod IP>/32 dev caliXXX scope link} and a permanent ARP entry for each local workload;</li>
 * <li>{@code blackhole <block>} for each block affine to this node, so addresses not (yet) in use
 * are dropped here instead of bouncing back to the default route;</li>
 * <li>for each block affine to another node, and each address another node borrowed from a block
 * that is not its own, a {@link RemoteBlock} for the encapsulation its pool asks for
 * ({@code vxlanMode} set: VXLAN, {@code ipipMode} set: IPIP, both Never: none).</li>
 * </ul>
 * Pure and deterministic: the same state gives equal results, which the agent uses to skip
 * providers whose target did not change.
 */
public final class DataplaneCalculator {

    private final int routeProtocol;

    public DataplaneCalculator(int routeProtocol) {
        this.routeProtocol = routeProtocol;
    }

    public DesiredDataplane calculate(NodeIdentity me, ClusterState state) {
        Map<Cidr, Route> routes = new HashMap<>();
        List<Neighbour> neighbours = new ArrayList<>();
        Set<String> interfaces = new LinkedHashSet<>();
        List<String> problems = new ArrayList<>();
        Map<Encapsulation, List<RemoteBlock>> remote = new EnumMap<>(Encapsulation.class);

        List<PoolInfo> pools = new ArrayList<>();
        for (IPPool p : state.pools()) {
            try {
                pools.add(new PoolInfo(p, p.spec().parsedCidr()));
                remote.putIfAbsent(encapsulationOf(p.spec()), new ArrayList<>());
            } catch (IllegalArgumentException e) {
                problems.add("IPPool \"" + p.name() + "\": " + e.getMessage());
            }
        }
        // longest prefix first, so a block finds its most specific pool
        pools.sort(Comparator.comparingInt((PoolInfo p) -> -p.cidr().prefixLength()));
        Map<String, RemoteNode> remoteNodes = new HashMap<>();

        // block owners by prefix length: an address finds its block with one lookup per length
        Map<Integer, Map<Cidr, String>> blockOwner = new HashMap<>();
        List<Cidr> exported = new ArrayList<>();
        for (IPAMBlock block : state.blocks()) {
            Cidr cidr;
            try {
                cidr = block.spec().parsedCidr();
            } catch (IllegalArgumentException e) {
                problems.add("IPAMBlock \"" + block.name() + "\": " + e.getMessage());
                continue;
            }
            String owner = block.spec().affineHost().orElse(null);
            if (owner == null || block.spec().deleted()) {
                continue;
            }
            blockOwner.computeIfAbsent(cidr.prefixLength(), k -> new HashMap<>()).put(cidr, owner);
            if (owner.equals(me.name())) {
                routes.put(cidr, Route.to(cidr).blackhole().protocol(routeProtocol));
                if (exportable(pools, cidr)) {
                    exported.add(cidr);
                }
            } else if (cidr.isIpv4()) {
                addRemote(remote, pools, remoteNodes, state, cidr, owner, problems);
            }
        }

        for (WorkloadEndpoint wep : state.endpoints()) {
            WorkloadEndpointSpec spec = wep.spec();
            boolean local = me.name().equals(spec.node());
            if (local && (spec.interfaceName() == null || spec.interfaceName().isBlank())) {
                problems.add("WorkloadEndpoint \"" + describe(wep) + "\": spec.interfaceName is empty; "
                        + "the CNI plugin must record the host-side veth");
                continue;
            }
            for (String network : spec.ipNetworks()) {
                Cidr ip;
                try {
                    ip = Cidr.parse(network);
                } catch (IllegalArgumentException e) {
                    problems.add("WorkloadEndpoint \"" + describe(wep) + "\": ipNetworks: " + e.getMessage());
                    continue;
                }
                if (local) {
                    routes.put(ip, Route.to(ip).device(spec.interfaceName()).protocol(routeProtocol));
                    interfaces.add(spec.interfaceName());
                    if (spec.mac() != null && !spec.mac().isBlank() && ip.prefixLength() == ip.addressBits()) {
                        neighbours.add(Neighbour.permanent(spec.interfaceName(), ip.network(), spec.mac()));
                    }
                    String owner = ownerOf(blockOwner, ip);
                    if (owner != null && !owner.equals(me.name()) && exportable(pools, ip)) {
                        exported.add(ip); // borrowed: the block's owner cannot advertise it for us
                    }
                } else if (spec.node() != null && ip.isIpv4()) {
                    // borrowed: the address sits in a block affine to another node than the pod's
                    String owner = ownerOf(blockOwner, ip);
                    if (owner != null && !owner.equals(spec.node())) {
                        addRemote(remote, pools, remoteNodes, state, ip, spec.node(), problems);
                    }
                }
            }
        }

        Node myNode = state.nodes().get(me.name());
        Map<Encapsulation, EncapsulationTarget> targets = new EnumMap<>(Encapsulation.class);
        for (Entry<Encapsulation, List<RemoteBlock>> e : remote.entrySet()) {
            List<RemoteBlock> blocks = sortedByBlock(e.getValue());
            targets.put(e.getKey(), new EncapsulationTarget(localNode(me, myNode, e.getKey()), blocks));
        }
        List<Cidr> allPools = new ArrayList<>();
        List<Cidr> natPools = new ArrayList<>();
        for (PoolInfo p : pools) {
            Cidr cidr = p.cidr();
            if (cidr.isIpv4()) {
                allPools.add(cidr);
                if (p.pool().spec().natOutgoing()) {
                    natPools.add(cidr);
                }
            }
        }
        allPools.sort(null);
        natPools.sort(null);
        exported.sort(null);
        return new DesiredDataplane(routes, neighbours, interfaces, targets, problems, allPools, natPools, exported);
    }

    /** A provider's route as the agent programs it: main table, the agent's protocol. */
    public Route kernelRoute(BlockRoute r) {
        Route route = Route.to(r.destination()).via(r.gateway()).device(r.device()).protocol(routeProtocol);
        return r.onlink() ? route.withOnlink() : route;
    }

    static Encapsulation encapsulationOf(IPPoolSpec pool) {
        if (pool.effectiveVxlanMode() != EncapsulationMode.NEVER) {
            return Encapsulation.VXLAN;
        }
        if (pool.effectiveIpipMode() != EncapsulationMode.NEVER) {
            return Encapsulation.IPIP;
        }
        return Encapsulation.NONE;
    }

    static EncapsulationMode modeOf(IPPoolSpec pool) {
        if (pool.effectiveVxlanMode() != EncapsulationMode.NEVER) {
            return pool.effectiveVxlanMode();
        }
        return pool.effectiveIpipMode();
    }

    /** In a pool that does not keep its routes out of BGP. */
    private static boolean exportable(List<PoolInfo> pools, Cidr cidr) {
        PoolInfo p = poolOf(pools, cidr);
        return p != null && !p.pool().spec().disableBGPExport();
    }

    /** A pool with its CIDR parsed once per calculation. */
    private record PoolInfo(IPPool pool, Cidr cidr) {
    }

    /** What other nodes' blocks need of their node, worked out once per node and calculation. */
    private record RemoteNode(InetAddress address, InetAddress vxlanTunnel, String vxlanMac, InetAddress ipipTunnel) {
    }

    private static final RemoteNode UNKNOWN_NODE = new RemoteNode(null, null, null, null);

    private static PoolInfo poolOf(List<PoolInfo> pools, Cidr cidr) {
        for (PoolInfo p : pools) {
            if (p.cidr().contains(cidr)) {
                return p;
            }
        }
        return null;
    }

    private static RemoteNode remoteNode(ClusterState state, String name) {
        Node node = state.nodes().get(name);
        InetAddress address = node == null ? null : underlayAddress(node);
        if (address == null) {
            return UNKNOWN_NODE;
        }
        return new RemoteNode(address, address(node.spec().ipv4VXLANTunnelAddr()), node.spec().vxlanTunnelMACAddr(),
                node.spec().bgp() == null ? null : address(node.spec().bgp().ipv4IPIPTunnelAddr()));
    }

    private static void addRemote(Map<Encapsulation, List<RemoteBlock>> remote, List<PoolInfo> pools,
            Map<String, RemoteNode> remoteNodes, ClusterState state, Cidr destination, String nodeName,
            List<String> problems) {
        PoolInfo pool = poolOf(pools, destination);
        if (pool == null) {
            problems.add(destination + " on node " + nodeName + ": no IPPool contains it (pool deleted?); not routed");
            return;
        }
        RemoteNode node = remoteNodes.computeIfAbsent(nodeName, n -> remoteNode(state, n));
        if (node.address() == null) {
            problems.add(destination + " on node " + nodeName + ": the node has no IPv4 address in its Node resource"
                    + " (spec.bgp.ipv4Address); not routed until its agent writes it");
            return;
        }
        Encapsulation encapsulation = encapsulationOf(pool.pool().spec());
        InetAddress tunnel = switch (encapsulation) {
            case VXLAN -> node.vxlanTunnel();
            case IPIP -> node.ipipTunnel();
            case NONE -> null;
        };
        String mac = encapsulation == Encapsulation.VXLAN ? node.vxlanMac() : null;
        remote.computeIfAbsent(encapsulation, k -> new ArrayList<>()).add(new RemoteBlock(destination, nodeName,
                node.address(), tunnel, mac, modeOf(pool.pool().spec())));
    }

    /**
     * Sorted by block (address, then prefix), with the keys computed once: comparing CIDRs directly
     * copies their address bytes on every comparison, which dominates for 10,000 blocks.
     */
    private static List<RemoteBlock> sortedByBlock(List<RemoteBlock> blocks) {
        record Keyed(long key, RemoteBlock block) {
        }
        List<Keyed> keyed = new ArrayList<>(blocks.size());
        for (RemoteBlock b : blocks) {
            byte[] a = b.block().network().getAddress();
            long address = ((a[0] & 0xffL) << 24) | ((a[1] & 0xffL) << 16) | ((a[2] & 0xffL) << 8) | (a[3] & 0xffL);
            keyed.add(new Keyed((address << 8) | b.block().prefixLength(), b));
        }
        keyed.sort(Comparator.comparingLong(Keyed::key));
        List<RemoteBlock> out = new ArrayList<>(keyed.size());
        keyed.forEach(k -> out.add(k.block()));
        return out;
    }

    private static LocalNode localNode(NodeIdentity me, Node myNode, Encapsulation encapsulation) {
        InetAddress tunnel = null;
        String mac = null;
        if (myNode != null && encapsulation == Encapsulation.VXLAN) {
            tunnel = address(myNode.spec().ipv4VXLANTunnelAddr());
            mac = myNode.spec().vxlanTunnelMACAddr();
        } else if (myNode != null && encapsulation == Encapsulation.IPIP && myNode.spec().bgp() != null) {
            tunnel = address(myNode.spec().bgp().ipv4IPIPTunnelAddr());
        }
        return new LocalNode(me.name(), me.address(), me.uplink(), me.hostMtu(), tunnel, mac);
    }

    /** The node's IPv4 underlay address: {@code spec.bgp.ipv4Address}, else a listed address. */
    static InetAddress underlayAddress(Node node) {
        if (node.spec().bgp() != null && node.spec().bgp().ipv4Address() != null) {
            try {
                return PrefixedAddress.parse(node.spec().bgp().ipv4Address()).address();
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        for (NodeAddress a : node.spec().addresses()) {
            InetAddress parsed = address(a.address());
            if (parsed instanceof Inet4Address) {
                return parsed;
            }
        }
        return null;
    }

    private static InetAddress address(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return PrefixedAddress.parse(text).address();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String ownerOf(Map<Integer, Map<Cidr, String>> blockOwner, Cidr ip) {
        for (Map.Entry<Integer, Map<Cidr, String>> byLength : blockOwner.entrySet()) {
            if (byLength.getKey() <= ip.prefixLength() && byLength.getKey() <= ip.addressBits()) {
                String owner = byLength.getValue().get(new Cidr(ip.network(), byLength.getKey()));
                if (owner != null) {
                    return owner;
                }
            }
        }
        return null;
    }

    private static String describe(WorkloadEndpoint wep) {
        String ns = wep.metadata().namespace();
        return ns == null ? wep.name() : ns + "/" + wep.name();
    }
}
