package io.weft.bgp;

import java.net.InetAddress;
import java.time.Instant;

/**
 * One peer's operational view: what {@code weft node status} and calicoctl's table show.
 *
 * @param since       when the session entered its current state
 * @param received    prefixes the peer currently announces (accepted or not)
 * @param accepted    prefixes the import rules kept (in the Adj-RIB-In)
 * @param advertised  prefixes in the Adj-RIB-Out (sent to the peer)
 * @param lastError   the last NOTIFICATION sent or received, or connection error, or {@code null}
 */
public record PeerStatus(String name, InetAddress address, long peerAs, PeerState state, Instant since,
        String peerRouterId, int holdTime, int received, int accepted, int advertised, String lastError) {
}
