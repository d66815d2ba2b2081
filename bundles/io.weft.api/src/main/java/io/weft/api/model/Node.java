package io.weft.api.model;

/**
 * A host running Calico: its BGP identity (AS number, addresses, route reflector role) and the
 * tunnel addresses IPAM gave it. Created by the node agent at start-up, extended by users with
 * per-node BGP settings.
 */
public record Node(ObjectMeta metadata, NodeSpec spec, NodeStatus status) implements Resource {

    /** Missing sections read as empty ones, so callers need not null-check. */
    public Node {
        metadata = metadata == null ? ObjectMeta.EMPTY : metadata;
        spec = spec == null ? NodeSpec.EMPTY : spec;
        status = status == null ? NodeStatus.EMPTY : status;
    }

    /** A node without status, which is how users and the node agent write it. */
    public Node(ObjectMeta metadata, NodeSpec spec) {
        this(metadata, spec, null);
    }

    @Override
    public ResourceKind<Node> kind() {
        return ResourceKind.NODE;
    }

    public Node withMetadata(ObjectMeta metadata) {
        return new Node(metadata, spec, status);
    }

    public Node withSpec(NodeSpec spec) {
        return new Node(metadata, spec, status);
    }

    public Node withStatus(NodeStatus status) {
        return new Node(metadata, spec, status);
    }
}
