package io.weft.api.model;

/**
 * A BGP session to configure: with one node ({@code spec.node}), with the nodes matching
 * {@code spec.nodeSelector}, or with every node when neither is set (a "global" peer).
 */
public record BGPPeer(ObjectMeta metadata, BGPPeerSpec spec) implements Resource {

    /** A missing metadata or spec section reads as an empty one, so callers need not null-check. */
    public BGPPeer {
        metadata = metadata == null ? ObjectMeta.EMPTY : metadata;
        spec = spec == null ? BGPPeerSpec.EMPTY : spec;
    }

    @Override
    public ResourceKind<BGPPeer> kind() {
        return ResourceKind.BGP_PEER;
    }

    public BGPPeer withMetadata(ObjectMeta metadata) {
        return new BGPPeer(metadata, spec);
    }

    public BGPPeer withSpec(BGPPeerSpec spec) {
        return new BGPPeer(metadata, spec);
    }
}
