package io.weft.api.ipam;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.weft.api.net.Cidr;

/**
 * Asks for addresses from the pools that apply to a node.
 *
 * @param handleId   groups the addresses for release, e.g. {@code k8s-pod-network.<containerID>}
 *                   or {@code vxlan-tunnel-addr-<node>}
 * @param node       the node the addresses are for (block affinity is per node)
 * @param ipv4Count  how many IPv4 addresses (usually 0 or 1)
 * @param ipv6Count  how many IPv6 addresses
 * @param ipv4Pools  pools to draw from, or empty for every enabled pool selecting the node
 * @param ipv6Pools  likewise for IPv6
 * @param use        workload or tunnel
 * @param attributes recorded with the allocation (namespace, pod, node, timestamp), shown by
 *                   {@code ipam show --ip}
 */
public record AssignRequest(String handleId, String node, int ipv4Count, int ipv6Count,
        List<Cidr> ipv4Pools, List<Cidr> ipv6Pools, IntendedUse use, Map<String, String> attributes) {

    public AssignRequest {
        Objects.requireNonNull(handleId, "handleId");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(use, "use");
        if (ipv4Count < 0 || ipv6Count < 0) {
            throw new IllegalArgumentException("address counts must not be negative");
        }
        ipv4Pools = ipv4Pools == null ? List.of() : List.copyOf(ipv4Pools);
        ipv6Pools = ipv6Pools == null ? List.of() : List.copyOf(ipv6Pools);
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    /** One IPv4 workload address for a pod. */
    public static AssignRequest podIpv4(String handleId, String node, Map<String, String> attributes) {
        return new AssignRequest(handleId, node, 1, 0, List.of(), List.of(), IntendedUse.WORKLOAD, attributes);
    }
}
