package io.weft.api.model;

/**
 * A 1:1 NAT from an external address to one of the endpoint's own addresses.
 *
 * @param internalIP must be one of the endpoint's {@code ipNetworks}
 */
public record IPNAT(String internalIP, String externalIP) {
}
