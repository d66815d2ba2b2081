package io.weft.api.model;

/**
 * One entry of {@code serviceClusterIPs}, {@code serviceExternalIPs} or
 * {@code serviceLoadBalancerIPs}: a range of Kubernetes service addresses to advertise over BGP.
 * Calico wraps the CIDR in an object ({@code - cidr: 10.96.0.0/12}) so the entry can grow fields.
 */
public record ServiceIPBlock(String cidr) {
}
