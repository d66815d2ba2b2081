package io.weft.api.model;

/**
 * A range of addresses that pods (and tunnel devices) get their IPs from, with the way traffic
 * to those addresses crosses the network: encapsulation, outgoing NAT, BGP export.
 */
public record IPPool(ObjectMeta metadata, IPPoolSpec spec) implements Resource {

    /** A missing metadata or spec section reads as an empty one, so callers need not null-check. */
    public IPPool {
        metadata = metadata == null ? ObjectMeta.EMPTY : metadata;
        spec = spec == null ? IPPoolSpec.EMPTY : spec;
    }

    @Override
    public ResourceKind<IPPool> kind() {
        return ResourceKind.IP_POOL;
    }

    public IPPool withMetadata(ObjectMeta metadata) {
        return new IPPool(metadata, spec);
    }

    public IPPool withSpec(IPPoolSpec spec) {
        return new IPPool(metadata, spec);
    }
}
