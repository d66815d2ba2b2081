package io.weft.encap.vxlan;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.weft.api.encap.BlockRoute;
import io.weft.api.encap.EncapsulationTarget;
import io.weft.api.encap.LocalNode;
import io.weft.api.encap.RemoteBlock;
import io.weft.api.net.Cidr;
import io.weft.api.net.PrefixedAddress;
import io.weft.netlink.FdbEntry;
import io.weft.netlink.Neighbour;
import io.weft.netlink.VxlanDevice;

/**
 * What the kernel must hold for one {@link EncapsulationTarget}: the device, its address, one
 * permanent ARP entry and one FDB entry per remote node reached through the tunnel, and the
 * routes. Pure: computed without touching the kernel, so it is unit-tested line by line.
 *
 * @param device       {@code vxlan.calico} as it must be
 * @param address      the device's address ({@code <tunnel IP>/32}), or {@code null} when IPAM has
 *                     not given this node one yet
 * @param neighbours   permanent ARP: remote tunnel IP → remote device MAC
 * @param fdb          remote device MAC → remote node IP
 * @param routes       encapsulated routes via the remote tunnel IP, plain ones (CrossSubnet, same
 *                     subnet) via the remote node IP on the uplink
 * @param unreachable  remote blocks that cannot be routed, with the reason (for logs and status)
 */
public record VxlanPlan(VxlanDevice device, PrefixedAddress address, List<Neighbour> neighbours, List<FdbEntry> fdb,
        List<BlockRoute> routes, List<String> unreachable) {

    public static final String DEVICE = "vxlan.calico";
    public static final int VNI = 4096;
    public static final int PORT = 4789;
    /** Outer IPv4 (20) + UDP (8) + VXLAN (8) + inner Ethernet (14) headers. */
    public static final int OVERHEAD = 50;

    public VxlanPlan {
        neighbours = List.copyOf(neighbours);
        fdb = List.copyOf(fdb);
        routes = List.copyOf(routes);
        unreachable = List.copyOf(unreachable);
    }

    public static VxlanPlan of(EncapsulationTarget target) {
        LocalNode local = target.local();
        if (local.address() == null || local.uplink() == null) {
            throw new IllegalArgumentException("VXLAN needs this node's address and uplink; node " + local.name()
                    + " has " + local.address() + " on " + local.uplink());
        }
        String mac = local.tunnelMac() != null ? local.tunnelMac() : VxlanMac.forNode(local.name());
        VxlanDevice device = new VxlanDevice(DEVICE, VNI, local.address().address(), local.uplink(), PORT,
                local.hostMtu() - OVERHEAD, mac, false);
        PrefixedAddress address = local.tunnelAddress() == null ? null
                : new PrefixedAddress(local.tunnelAddress(), 32);

        Map<InetAddress, Neighbour> neighbours = new LinkedHashMap<>();
        Map<String, FdbEntry> fdb = new LinkedHashMap<>();
        List<BlockRoute> routes = new ArrayList<>();
        List<String> unreachable = new ArrayList<>();
        Cidr subnet = local.address().network(); // once: thousands of blocks share it
        for (RemoteBlock remote : target.remoteBlocks()) {
            if (!encapsulates(subnet, remote)) {
                if (subnet.contains(remote.nodeAddress())) {
                    routes.add(new BlockRoute(remote.block(), remote.nodeAddress(), local.uplink(), true));
                } else {
                    unreachable.add(remote.block() + " on node " + remote.node() + ": pool mode Never and "
                            + Cidr.format(remote.nodeAddress()) + " is outside " + local.address().network()
                            + " (needs BGP)");
                }
                continue;
            }
            if (remote.tunnelAddress() == null) {
                unreachable.add(remote.block() + " on node " + remote.node()
                        + ": the node has no VXLAN tunnel address yet (Node spec.ipv4VXLANTunnelAddr)");
                continue;
            }
            String remoteMac = remote.tunnelMac() != null ? remote.tunnelMac() : VxlanMac.forNode(remote.node());
            neighbours.putIfAbsent(remote.tunnelAddress(), Neighbour.permanent(DEVICE, remote.tunnelAddress(), remoteMac));
            fdb.putIfAbsent(remoteMac, new FdbEntry(DEVICE, remoteMac, remote.nodeAddress()));
            routes.add(new BlockRoute(remote.block(), remote.tunnelAddress(), DEVICE, true));
        }
        return new VxlanPlan(device, address, List.copyOf(neighbours.values()), List.copyOf(fdb.values()), routes,
                unreachable);
    }

    /** Always: every remote node; CrossSubnet: only nodes outside this node's subnet. */
    static boolean encapsulates(Cidr localSubnet, RemoteBlock remote) {
        return switch (remote.mode()) {
            case ALWAYS -> true;
            case CROSS_SUBNET -> !localSubnet.contains(remote.nodeAddress());
            case NEVER -> false;
        };
    }
}
