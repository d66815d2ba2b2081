package io.weft.agent;

import io.weft.api.net.PrefixedAddress;

/**
 * Who this node is on the network: found by autodetection at start and written to the Node
 * resource ({@code spec.bgp.ipv4Address}).
 *
 * @param name    node name
 * @param address the node's IPv4 address with its subnet prefix
 * @param uplink  the interface carrying it
 * @param hostMtu the uplink's MTU
 */
public record NodeIdentity(String name, PrefixedAddress address, String uplink, int hostMtu) {
}
