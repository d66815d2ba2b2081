package io.weft.agent;

import java.time.Duration;
import java.util.Arrays;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.weft.api.datastore.Datastore;
import io.weft.api.status.AgentNodeStatus;
import io.weft.api.status.LeasedValue;

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
    private final LeasedValue entry = new LeasedValue(TTL);
    private Datastore datastore;
    /** What the last write said, without its timestamps of the last pass and of publication. */
    private byte[] lastContent;
    private long lastWriteNanos;

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
            // a swapped datastore: the old one's entry goes (best effort), the new one gets it at once
            entry.withdraw();
            datastore = to;
            lastContent = null;
            lastWriteNanos = 0;
        }
        byte[] content = withoutTimestamps(status);
        if (!entry.needsWrite(to) && Arrays.equals(content, lastContent)) {
            return 0;
        }
        long sinceLast = System.nanoTime() - lastWriteNanos;
        if (lastContent != null && sinceLast < MIN_INTERVAL.toNanos()) {
            return Math.max(1, (MIN_INTERVAL.toNanos() - sinceLast) / 1_000_000);
        }
        switch (entry.write(to, status.key(), status.encode())) {
            case WRITTEN -> {
                lastContent = content;
                lastWriteNanos = System.nanoTime();
                return 0;
            }
            case LEASE_LOST -> {
                return MIN_INTERVAL.toMillis(); // the runtime was paused past the TTL: a new lease next time
            }
            default -> {
                String failure = entry.newFailure();
                if (failure != null) {
                    LOG.warn("node {}: cannot publish the agent status at {}: {} (retrying)", node, status.key(), failure);
                }
                return 5_000;
            }
        }
    }

    /** Keeps the lease alive; called every TTL/3. A lost lease is granted again by the next publish. */
    void keepAlive() {
        String lost = entry.keepAlive();
        if (lost != null) {
            LOG.info("node {}: agent status lease lost ({}); publishing again", node, lost);
            lastContent = null;
        }
    }

    /** Removes the status (a stopped agent says nothing rather than something stale). */
    void withdraw() {
        entry.withdraw();
        lastContent = null;
    }

    private static byte[] withoutTimestamps(AgentNodeStatus s) {
        return new AgentNodeStatus(s.node(), s.address(), s.health(), s.summary(), s.lastFullSync(), null, s.routes(),
                s.podMtu(), s.encapsulations(), s.missingProviders(), s.errors(), null).encode();
    }
}
