package io.weft.api.model;

/**
 * Calico policy across all namespaces (and host endpoints); can also act before DNAT or
 * without connection tracking.
 */
public record GlobalNetworkPolicy(ObjectMeta metadata, GlobalNetworkPolicySpec spec) implements Resource {

    /** A missing metadata or spec section reads as an empty one, so callers need not null-check. */
    public GlobalNetworkPolicy {
        metadata = metadata == null ? ObjectMeta.EMPTY : metadata;
        spec = spec == null ? GlobalNetworkPolicySpec.EMPTY : spec;
    }

    @Override
    public ResourceKind<GlobalNetworkPolicy> kind() {
        return ResourceKind.GLOBAL_NETWORK_POLICY;
    }

    public GlobalNetworkPolicy withMetadata(ObjectMeta metadata) {
        return new GlobalNetworkPolicy(metadata, spec);
    }

    public GlobalNetworkPolicy withSpec(GlobalNetworkPolicySpec spec) {
        return new GlobalNetworkPolicy(metadata, spec);
    }
}
