package io.weft.api.model;

/**
 * A named container port, so that policy can match {@code ports: [http]}; with a non-zero
 * {@code hostPort} it is also a port mapping on the node.
 *
 * @param protocol {@code TCP}, {@code UDP}, {@code SCTP} or a protocol number as text
 * @param hostPort 0 when the port is not mapped on the host
 * @param hostIP host address of the mapping; empty for all addresses
 */
public record WorkloadEndpointPort(String name, String protocol, int port, int hostPort, String hostIP) {
}
