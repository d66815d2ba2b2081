package io.weft.api.model;

/**
 * Everything allocated under one handle ({@code k8s-pod-network.<containerID>},
 * {@code ipip-tunnel-addr-<node>}, ...), indexed by block, so that release-by-handle need not scan
 * every block.
 */
public record IPAMHandle(ObjectMeta metadata, IPAMHandleSpec spec) implements Resource {

    /** A missing metadata or spec section reads as an empty one, so callers need not null-check. */
    public IPAMHandle {
        metadata = metadata == null ? ObjectMeta.EMPTY : metadata;
        spec = spec == null ? IPAMHandleSpec.EMPTY : spec;
    }

    @Override
    public ResourceKind<IPAMHandle> kind() {
        return ResourceKind.IPAM_HANDLE;
    }

    public IPAMHandle withMetadata(ObjectMeta metadata) {
        return new IPAMHandle(metadata, spec);
    }

    public IPAMHandle withSpec(IPAMHandleSpec spec) {
        return new IPAMHandle(metadata, spec);
    }
}
