package io.weft.api.bgp;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import io.weft.api.model.SecretKeyRef;

/**
 * One BGP session a topology asks this node to run.
 *
 * @param name                 as calicoctl shows it: {@code Mesh_10.0.0.2}, {@code Global_…}, {@code Node_…}
 * @param kind                 mesh, global peer or node-specific peer (the "PEER TYPE" column)
 * @param peerAddress          the peer's address
 * @param port                 the peer's TCP port (179 by default)
 * @param peerAs               the peer's AS; equal to {@code localAs} means iBGP
 * @param localAs              this node's AS for the session
 * @param passive              wait for the peer to connect (mesh: the higher address waits)
 * @param routeReflectorClient this node reflects routes to the peer (it is a client)
 * @param sourceAddress        local address to bind, or {@code null}
 * @param password             MD5 password reference, or {@code null}; the secret itself is
 *                             resolved by the speaker and never logged
 * @param keepOriginalNextHop  do not rewrite the next hop on export
 * @param maxRestartTime       graceful-restart time, or {@code null} for the default
 * @param ttlSecurityHops      GTSM hop count, or 0 when off
 * @param filters              BGPFilter names applied to the session
 */
public record BgpSession(String name, Kind kind, InetAddress peerAddress, int port, long peerAs, long localAs,
        boolean passive, boolean routeReflectorClient, InetAddress sourceAddress, SecretKeyRef password,
        boolean keepOriginalNextHop, Duration maxRestartTime, int ttlSecurityHops, List<String> filters) {

    /** Where the session came from. */
    public enum Kind {
        MESH("node-to-node mesh"), GLOBAL("global"), NODE("node specific");

        private final String display;

        Kind(String display) {
            this.display = display;
        }

        /** calicoctl's "PEER TYPE" text. */
        public String display() {
            return display;
        }
    }

    public BgpSession {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(peerAddress, "peerAddress");
        filters = filters == null ? List.of() : List.copyOf(filters);
    }
}
