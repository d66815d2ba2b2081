package io.weft.agent;

import java.time.Duration;
import java.util.Arrays;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.weft.api.datastore.Datastore;
import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.KeyNotFoundException;
import io.weft.api.status.AgentNodeStatus;

/**
 * Keeps this node's {@link AgentNodeStatus} in the datastore, on a lease so that a node whose
 * runtime died drops out by itself. Called on the agent's thread only.
 *
 * <p>The value is rewritten when what it says changed (not for every pass: at 100 pod starts a
 * second that would be 100 writes), and at most once per {@link #MIN_INTERVAL}; the caller
 * publishes again when {@link #publish} says a write was held back.
 */
final class NodeStatusPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(NodeStatusPublisher.class);
    static final Duration TTL = Duration.ofSeconds(30);
    static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

    private final String node;
    private Datastore datastore;
    private long lease = Datastore.NO_LEASE;
    /** What the last write said, without its timestamps of the last pass and of publication. */
    private byte[] lastContent;
    private long lastWriteNanos;
    private String lastFailure;

    NodeStatusPublisher(String node) {
        this.node = node;
    }

    /**
     * Publishes {@code status} to {@code to} if it says something new.
     *
     * @return milliseconds after which the caller should call again because a write was held
     *         back, or 0 when nothing is pending
     */
    long publish(Datastore to, AgentNodeStatus status) {
        if (to == null) {
            return 0;
        }
        if (to != datastore) {
            moveTo(to);
        }
        byte[] content = withoutTimestamps(status);
        if (lease != Datastore.NO_LEASE && Arrays.equals(content, lastContent)) {
            return 0;
        }
        long sinceLast = System.nanoTime() - lastWriteNanos;
        if (lastContent != null && sinceLast < MIN_INTERVAL.toNanos()) {
            return Math.max(1, (MIN_INTERVAL.toNanos() - sinceLast) / 1_000_000);
        }
        try {
            if (lease == Datastore.NO_LEASE) {
                lease = datastore.grantLease(TTL);
            }
            datastore.put(status.key(), status.encode(), lease);
            lastContent = content;
            lastWriteNanos = System.nanoTime();
            lastFailure = null;
        } catch (KeyNotFoundException e) {
            lease = Datastore.NO_LEASE; // the lease expired (the runtime was paused): the next call grants another
            return MIN_INTERVAL.toMillis();
        } catch (DatastoreException | RuntimeException e) {
            if (!String.valueOf(e.getMessage()).equals(lastFailure)) {
                LOG.warn("node {}: cannot publish the agent status at {}: {} (retrying)", node, status.key(), e.getMessage());
                lastFailure = String.valueOf(e.getMessage());
            }
            return 5_000;
        }
        return 0;
    }

    /** Keeps the lease alive; called every TTL/3. A lost lease is granted again by the next publish. */
    void keepAlive() {
        if (datastore == null || lease == Datastore.NO_LEASE) {
            return;
        }
        try {
            datastore.keepAlive(lease);
        } catch (DatastoreException | RuntimeException e) {
            LOG.info("node {}: agent status lease lost ({}); publishing again", node, e.getMessage());
            lease = Datastore.NO_LEASE;
            lastContent = null;
        }
    }

    /** Removes the status (a stopped agent says nothing rather than something stale). */
    void withdraw() {
        if (datastore != null && lease != Datastore.NO_LEASE) {
            try {
                datastore.revokeLease(lease);
            } catch (DatastoreException | RuntimeException e) {
                LOG.debug("node {}: could not revoke the agent status lease: {}", node, e.toString());
            }
        }
        lease = Datastore.NO_LEASE;
        lastContent = null;
    }

    /** A swapped datastore: the old one's entry goes (best effort), the new one gets it afresh. */
    private void moveTo(Datastore to) {
        withdraw();
        datastore = to;
        lastWriteNanos = 0;
    }

    private static byte[] withoutTimestamps(AgentNodeStatus s) {
        return new AgentNodeStatus(s.node(), s.address(), s.health(), s.summary(), s.lastFullSync(), null, s.routes(),
                s.podMtu(), s.encapsulations(), s.missingProviders(), s.errors(), null).encode();
    }
}
