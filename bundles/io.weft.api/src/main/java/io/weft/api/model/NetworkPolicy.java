package io.weft.api.model;

/**
 * Calico policy for the workload endpoints of one namespace.
 */
public record NetworkPolicy(ObjectMeta metadata, NetworkPolicySpec spec) implements Resource {

    /** A missing metadata or spec section reads as an empty one, so callers need not null-check. */
    public NetworkPolicy {
        metadata = metadata == null ? ObjectMeta.EMPTY : metadata;
        spec = spec == null ? NetworkPolicySpec.EMPTY : spec;
    }

    @Override
    public ResourceKind<NetworkPolicy> kind() {
        return ResourceKind.NETWORK_POLICY;
    }

    public NetworkPolicy withMetadata(ObjectMeta metadata) {
        return new NetworkPolicy(metadata, spec);
    }

    public NetworkPolicy withSpec(NetworkPolicySpec spec) {
        return new NetworkPolicy(metadata, spec);
    }
}
