package io.weft.api.model;

/**
 * A node's claim on an IPAM block. Kept separate from the block itself so that the claim can
 * go through {@code pending} and {@code confirmed} states around the block's creation.
 */
public record BlockAffinity(ObjectMeta metadata, BlockAffinitySpec spec) implements Resource {

    /** A missing metadata or spec section reads as an empty one, so callers need not null-check. */
    public BlockAffinity {
        metadata = metadata == null ? ObjectMeta.EMPTY : metadata;
        spec = spec == null ? BlockAffinitySpec.EMPTY : spec;
    }

    @Override
    public ResourceKind<BlockAffinity> kind() {
        return ResourceKind.BLOCK_AFFINITY;
    }

    public BlockAffinity withMetadata(ObjectMeta metadata) {
        return new BlockAffinity(metadata, spec);
    }

    public BlockAffinity withSpec(BlockAffinitySpec spec) {
        return new BlockAffinity(metadata, spec);
    }
}
