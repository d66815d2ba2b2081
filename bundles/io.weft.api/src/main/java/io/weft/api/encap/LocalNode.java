package io.weft.api.encap;

import java.net.InetAddress;

import io.weft.api.net.PrefixedAddress;

/**
 * This node as an encapsulation provider needs to see it.
 *
 * @param name            node name
 * @param address         the node's IPv4 address with its subnet prefix, host part kept (Node
 *                        {@code spec.bgp.ipv4Address}), which decides CrossSubnet
 * @param uplink          the interface carrying {@code address}
 * @param hostMtu         MTU of the uplink; tunnel devices subtract their overhead
 * @param tunnelAddress   this node's tunnel address from IPAM, or {@code null} if none yet
 * @param tunnelMac       VXLAN device MAC, or {@code null} to derive it from the node name
 */
public record LocalNode(String name, PrefixedAddress address, String uplink, int hostMtu, InetAddress tunnelAddress,
        String tunnelMac) {
}
