package io.weft.api.model;

import java.util.List;

/**
 * A node's BGP settings and the tunnel endpoints other nodes need to reach its pods.
 *
 * @param bgp null when the node does not run BGP (VXLAN-only clusters)
 * @param ipv4VXLANTunnelAddr the address IPAM gave the node's {@code vxlan.calico} device
 * @param vxlanTunnelMACAddr MAC of that device; when unset Felix derives one from the node name
 *        so that it stays the same across restarts
 * @param orchRefs how orchestrators name this node
 * @param addresses addresses the node can be reached at
 */
public record NodeSpec(
        NodeBGPSpec bgp,
        String ipv4VXLANTunnelAddr,
        String vxlanTunnelMACAddr,
        String ipv6VXLANTunnelAddr,
        List<OrchRef> orchRefs,
        List<NodeAddress> addresses) {

    public static final NodeSpec EMPTY = new NodeSpec(null, null, null, null, null, null);

    public NodeSpec {
        orchRefs = Copies.list(orchRefs);
        addresses = Copies.list(addresses);
    }

    public NodeSpec withBgp(NodeBGPSpec bgp) {
        return new NodeSpec(bgp, ipv4VXLANTunnelAddr, vxlanTunnelMACAddr, ipv6VXLANTunnelAddr, orchRefs, addresses);
    }

    public NodeSpec withIpv4VXLANTunnelAddr(String address) {
        return new NodeSpec(bgp, address, vxlanTunnelMACAddr, ipv6VXLANTunnelAddr, orchRefs, addresses);
    }

    public NodeSpec withVxlanTunnelMACAddr(String mac) {
        return new NodeSpec(bgp, ipv4VXLANTunnelAddr, mac, ipv6VXLANTunnelAddr, orchRefs, addresses);
    }

    public NodeSpec withIpv6VXLANTunnelAddr(String address) {
        return new NodeSpec(bgp, ipv4VXLANTunnelAddr, vxlanTunnelMACAddr, address, orchRefs, addresses);
    }
}
