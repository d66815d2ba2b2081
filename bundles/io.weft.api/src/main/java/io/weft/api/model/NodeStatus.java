package io.weft.api.model;

import java.util.List;

/**
 * What Calico reports back about a node.
 *
 * @param podCIDRs copy of the Kubernetes node's {@code spec.podCIDRs}; informational when Calico
 *        IPAM assigns addresses
 */
public record NodeStatus(List<String> podCIDRs) {

    public static final NodeStatus EMPTY = new NodeStatus(null);

    public NodeStatus {
        podCIDRs = Copies.list(podCIDRs);
    }
}
