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

    /**
     * Makes the kernel match {@code target}: the device and the per-remote-node neighbours and FDB
     * entries; removes what it programmed earlier and no longer needs. Routes are not programmed
     * here but returned by {@link #routes}, which the agent programs after this call succeeds.
     */
    void reconcile(EncapsulationTarget target) throws DataplaneException;

    /**
     * The routes that make {@code target}'s remote blocks reachable through this encapsulation.
     * Pure (no kernel access); the agent installs them with its protocol number and removes them
     * when they are no longer returned. A provider that programs its own routes instead must use
     * another protocol number, because the agent deletes protocol-80 routes it did not ask for.
     *
     * @since 0.2.0
     */
    default java.util.List<BlockRoute> routes(EncapsulationTarget target) {
        return java.util.List.of();
    }

    /** Removes the device and everything this provider programmed (no pool needs it any more). */
    void teardown() throws DataplaneException;

    /** MTU pods should use when their traffic goes through this encapsulation. */
    default int podMtu(int hostMtu) {
        return hostMtu;
    }
}
