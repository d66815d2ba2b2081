package io.weft.api.bgp;

import java.util.List;

import io.weft.api.model.BGPConfiguration;
import io.weft.api.model.BGPPeer;
import io.weft.api.model.Node;

/**
 * What a topology decides from: this node, every node, the global BGP configuration (may be
 * {@code null} when none exists: defaults apply) and every BGPPeer.
 */
public record PeeringContext(Node localNode, List<Node> nodes, BGPConfiguration configuration, List<BGPPeer> peers) {
    public PeeringContext {
        nodes = List.copyOf(nodes);
        peers = List.copyOf(peers);
    }
}
