package io.weft.encap.ipip;

import java.util.ArrayList;
import java.util.List;

import io.weft.api.encap.BlockRoute;
import io.weft.api.encap.EncapsulationTarget;
import io.weft.api.encap.LocalNode;
import io.weft.api.encap.RemoteBlock;
import io.weft.api.net.Cidr;
import io.weft.api.net.PrefixedAddress;

/**
 * What the kernel must hold for IPIP: {@code tunl0} with MTU host − 20 and this node's tunnel
 * address, and a route per remote block. Unlike VXLAN the next hop is the remote node's own
 * address ({@code <block> via <node IP> dev tunl0 onlink}); no ARP or FDB is needed.
 *
 * @param mtu         tunl0's MTU
 * @param address     tunl0's address, {@code null} until IPAM gave this node one
 * @param routes      encapsulated and (CrossSubnet, same subnet) plain routes
 * @param unreachable blocks of other subnets in a Never pool, with the reason
 */
public record IpipPlan(int mtu, PrefixedAddress address, List<BlockRoute> routes, List<String> unreachable) {

    public static final String DEVICE = "tunl0";
    /** The outer IPv4 header. */
    public static final int OVERHEAD = 20;

    public IpipPlan {
        routes = List.copyOf(routes);
        unreachable = List.copyOf(unreachable);
    }

    public static IpipPlan of(EncapsulationTarget target) {
        LocalNode local = target.local();
        if (local.address() == null || local.uplink() == null) {
            throw new IllegalArgumentException("IPIP needs this node's address and uplink; node " + local.name()
                    + " has " + local.address() + " on " + local.uplink());
        }
        List<BlockRoute> routes = new ArrayList<>();
        List<String> unreachable = new ArrayList<>();
        Cidr subnet = local.address().network(); // once: thousands of blocks share it
        for (RemoteBlock remote : target.remoteBlocks()) {
            boolean sameSubnet = subnet.contains(remote.nodeAddress());
            boolean encapsulate = switch (remote.mode()) {
                case ALWAYS -> true;
                case CROSS_SUBNET -> !sameSubnet;
                case NEVER -> false;
            };
            if (encapsulate) {
                routes.add(new BlockRoute(remote.block(), remote.nodeAddress(), DEVICE, true));
            } else if (sameSubnet) {
                routes.add(new BlockRoute(remote.block(), remote.nodeAddress(), local.uplink(), true));
            } else {
                unreachable.add(remote.block() + " on node " + remote.node() + ": " + Cidr.format(remote.nodeAddress())
                        + " is outside " + local.address().network() + " and the pool does not encapsulate");
            }
        }
        PrefixedAddress address = local.tunnelAddress() == null ? null : new PrefixedAddress(local.tunnelAddress(), 32);
        return new IpipPlan(local.hostMtu() - OVERHEAD, address, routes, unreachable);
    }
}
