package io.weft.api.model;

/**
 * A pod's network interface as Calico sees it: its host-side veth, addresses and owning node.
 * Written by the CNI plugin on ADD and removed on DEL; Felix programs routes and policy from it.
 */
public record WorkloadEndpoint(ObjectMeta metadata, WorkloadEndpointSpec spec) implements Resource {

    /** A missing metadata or spec section reads as an empty one, so callers need not null-check. */
    public WorkloadEndpoint {
        metadata = metadata == null ? ObjectMeta.EMPTY : metadata;
        spec = spec == null ? WorkloadEndpointSpec.EMPTY : spec;
    }

    @Override
    public ResourceKind<WorkloadEndpoint> kind() {
        return ResourceKind.WORKLOAD_ENDPOINT;
    }

    public WorkloadEndpoint withMetadata(ObjectMeta metadata) {
        return new WorkloadEndpoint(metadata, spec);
    }

    public WorkloadEndpoint withSpec(WorkloadEndpointSpec spec) {
        return new WorkloadEndpoint(metadata, spec);
    }
}
