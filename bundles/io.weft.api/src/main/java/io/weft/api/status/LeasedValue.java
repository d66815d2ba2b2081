package io.weft.api.status;

import java.time.Duration;
import java.util.Objects;

import io.weft.api.datastore.Datastore;
import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.KeyNotFoundException;

/**
 * One key a component keeps in the datastore on a lease, so that the value disappears by itself
 * when the component's node runtime dies: the status of an agent or of a BGP speaker. Grants the
 * lease on the first write and again after it was lost, keeps it alive, revokes it on withdrawal,
 * and moves to another datastore when the active one is swapped. Not thread-safe: one owner
 * thread calls it.
 *
 * <p>When and what to write stays with the owner, and so does logging: {@link #newFailure} says
 * what to log once per distinct failure rather than once per attempt.
 *
 * @since 0.3.0
 */
public final class LeasedValue {

    /** The outcome of {@link #write}. */
    public enum Outcome {
        /** Written and acknowledged. */
        WRITTEN,
        /** The lease had expired (the runtime was paused for longer than its TTL); the next write grants another. */
        LEASE_LOST,
        /** The datastore failed (unreachable, closed): see {@link #newFailure}; write again later. */
        FAILED
    }

    private final Duration ttl;
    private Datastore datastore;
    private long lease = Datastore.NO_LEASE;
    private String lastFailure;
    private boolean failureIsNew;

    /** @param ttl the lease's time to live; the owner calls {@link #keepAlive} well within it */
    public LeasedValue(Duration ttl) {
        this.ttl = Objects.requireNonNull(ttl, "ttl");
    }

    /**
     * Whether the next write goes to a new lease (none yet, lost, withdrawn, or another datastore
     * than {@code to}): the owner should then write even if the value did not change.
     */
    public boolean needsWrite(Datastore to) {
        return to != datastore || lease == Datastore.NO_LEASE;
    }

    /** Writes {@code value} under {@code key} in {@code to} on this value's lease. */
    public Outcome write(Datastore to, String key, byte[] value) {
        if (to != datastore) {
            withdraw(); // the old store's entry goes (best effort); the new one gets it afresh
            datastore = to;
        }
        try {
            if (lease == Datastore.NO_LEASE) {
                lease = datastore.grantLease(ttl);
            }
            datastore.put(key, value, lease);
            lastFailure = null;
            failureIsNew = false;
            return Outcome.WRITTEN;
        } catch (KeyNotFoundException e) {
            lease = Datastore.NO_LEASE;
            return Outcome.LEASE_LOST;
        } catch (DatastoreException | RuntimeException e) {
            String message = String.valueOf(e.getMessage());
            failureIsNew = !message.equals(lastFailure);
            lastFailure = message;
            return Outcome.FAILED;
        }
    }

    /**
     * The message of the last write's failure if it differs from the failure before it (worth a
     * log line), else null: a datastore that stays down is logged once, not once per attempt.
     */
    public String newFailure() {
        return failureIsNew ? lastFailure : null;
    }

    /**
     * Keeps the lease alive.
     *
     * @return null, or why the lease was lost: the owner should then write again (a new lease is granted)
     */
    public String keepAlive() {
        if (datastore == null || lease == Datastore.NO_LEASE) {
            return null;
        }
        try {
            datastore.keepAlive(lease);
            return null;
        } catch (DatastoreException | RuntimeException e) {
            lease = Datastore.NO_LEASE;
            return String.valueOf(e.getMessage());
        }
    }

    /** Removes the value by revoking its lease; best effort: a lease that cannot be revoked expires. */
    public void withdraw() {
        if (datastore != null && lease != Datastore.NO_LEASE) {
            try {
                datastore.revokeLease(lease);
            } catch (DatastoreException | RuntimeException e) {
                // it expires within its TTL
            }
        }
        lease = Datastore.NO_LEASE;
    }
}
