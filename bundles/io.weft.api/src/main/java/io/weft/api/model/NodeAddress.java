package io.weft.api.model;

/**
 * An address a node can be reached at.
 *
 * @param address an IP, or a CIDR when it comes from the node's BGP address
 * @param type {@code InternalIP}, {@code ExternalIP} (copied from Kubernetes) or {@code CalicoNodeIP}
 */
public record NodeAddress(String address, String type) {
}
