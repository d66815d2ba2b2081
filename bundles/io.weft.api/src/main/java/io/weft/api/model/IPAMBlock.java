package io.weft.api.model;

/**
 * A block of a pool (a /26 by default) and the state of every address in it. Blocks are the
 * unit of affinity and of route aggregation: a node advertises its affine blocks, not single
 * pod IPs.
 */
public record IPAMBlock(ObjectMeta metadata, IPAMBlockSpec spec) implements Resource {

    /** A missing metadata or spec section reads as an empty one, so callers need not null-check. */
    public IPAMBlock {
        metadata = metadata == null ? ObjectMeta.EMPTY : metadata;
        spec = spec == null ? IPAMBlockSpec.EMPTY : spec;
    }

    @Override
    public ResourceKind<IPAMBlock> kind() {
        return ResourceKind.IPAM_BLOCK;
    }

    public IPAMBlock withMetadata(ObjectMeta metadata) {
        return new IPAMBlock(metadata, spec);
    }

    public IPAMBlock withSpec(IPAMBlockSpec spec) {
        return new IPAMBlock(metadata, spec);
    }
}
