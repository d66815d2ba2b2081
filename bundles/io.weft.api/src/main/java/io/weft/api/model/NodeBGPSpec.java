package io.weft.api.model;

/**
 * A node's BGP identity.
 *
 * @param asNumber null to use {@code BGPConfigurationSpec.effectiveAsNumber()}
 * @param ipv4Address the node's address with its subnet length ({@code 10.1.5.10/24}); the
 *        subnet is what CrossSubnet encapsulation compares against
 * @param ipv6Address likewise for IPv6
 * @param ipv4IPIPTunnelAddr the address IPAM gave the node's IPIP device
 * @param routeReflectorClusterID set to make the node a route reflector for that cluster;
 *        such nodes leave the full mesh
 */
public record NodeBGPSpec(
        Long asNumber,
        String ipv4Address,
        String ipv6Address,
        String ipv4IPIPTunnelAddr,
        String routeReflectorClusterID) {

    public NodeBGPSpec withIpv4IPIPTunnelAddr(String address) {
        return new NodeBGPSpec(asNumber, ipv4Address, ipv6Address, address, routeReflectorClusterID);
    }

    public NodeBGPSpec withAsNumber(Long asNumber) {
        return new NodeBGPSpec(asNumber, ipv4Address, ipv6Address, ipv4IPIPTunnelAddr, routeReflectorClusterID);
    }
}
