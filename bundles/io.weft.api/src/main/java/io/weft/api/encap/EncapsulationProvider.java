package io.weft.api.encap;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Owns one encapsulation's device and per-remote-node kernel state (routes, neighbours, FDB).
 * The agent calls {@link #reconcile} with the full desired state whenever it changes and on
 * every periodic resync. Third parties may implement it (e.g. WireGuard), hence
 * {@code @ConsumerType}: Weft adds methods only as defaults.
 */
@ConsumerType
public interface EncapsulationProvider {

    Encapsulation encapsulation();

    /** Makes the kernel match {@code target}; removes what it programmed earlier and no longer needs. */
    void reconcile(EncapsulationTarget target) throws DataplaneException;

    /** Removes the device and everything this provider programmed (no pool needs it any more). */
    void teardown() throws DataplaneException;

    /** MTU pods should use when their traffic goes through this encapsulation. */
    default int podMtu(int hostMtu) {
        return hostMtu;
    }
}
