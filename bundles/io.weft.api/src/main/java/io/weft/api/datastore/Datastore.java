package io.weft.api.datastore;

import java.time.Duration;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Weft's single source of truth: a revisioned key-value store in the shape of etcd v3.
 *
 * <p>Every change increments one store-wide revision. Writes that must not lose a concurrent
 * update are compare-and-swap on the key's {@link KeyValue#modRevision() modRevision}. A
 * {@link #watch watch} delivers a consistent {@link Snapshot} and then every later change in
 * revision order, so a consumer can build a view and keep it exact without polling.
 *
 * <p>Keys are '/'-separated paths; values are opaque bytes (the resource layer stores JSON).
 * Implementations register this service with the {@code weft.provider} property naming them
 * ({@code embedded}, {@code etcd}, {@code memory}). Providers come and go at runtime: consumers
 * hold a dynamic reference and re-watch when a new provider binds.
 */
@ProviderType
public interface Datastore {

    /** Lease id of keys that live until deleted. */
    long NO_LEASE = 0L;

    /** Start revision that asks {@link #watch} for a snapshot first. */
    long FROM_SNAPSHOT = 0L;

    /** Human-readable location, e.g. {@code embedded:/var/lib/weft/datastore} or {@code etcd:http://10.0.0.1:2379}. */
    String describe();

    /** The revision of the latest change (0 for an empty, never-written store). */
    long revision() throws DatastoreException;

    Optional<KeyValue> get(String key) throws DatastoreException;

    /** Every key that starts with {@code prefix} (the empty prefix lists everything). */
    Snapshot list(String prefix) throws DatastoreException;

    /** Creates a key that must not exist yet. */
    KeyValue create(String key, byte[] value, long leaseId) throws DatastoreException;

    /** Replaces a key only if it is still at {@code expectedModRevision}. */
    KeyValue update(String key, byte[] value, long expectedModRevision) throws DatastoreException;

    /** Writes a key whether or not it exists: for data with a single writer, such as status. */
    KeyValue put(String key, byte[] value, long leaseId) throws DatastoreException;

    /**
     * Deletes a key only if it is still at {@code expectedModRevision}.
     *
     * @return the revision of the deletion
     * @throws KeyNotFoundException when the key is already gone (callers that only want it gone
     *                              treat that as success)
     */
    long delete(String key, long expectedModRevision) throws DatastoreException;

    /**
     * Applies several compare-and-swap writes as one: if every condition holds (a created key
     * does not exist, an updated or deleted key is still at its expected revision) all are
     * applied, in order, and no reader sees some without the others; if any fails, none is
     * applied and the first failed condition is thrown as {@link KeyExistsException},
     * {@link KeyNotFoundException} or {@link RevisionConflictException}. The call returns once
     * all are durable, for the price of one write: one round trip and one fsync on etcd, one
     * group-commit flush on the embedded store.
     *
     * <p>After a crash, etcd has applied all or none; a store that journals each write (embedded)
     * may keep a prefix of the batch in order. Order the writes so that every prefix is a state
     * the caller's repair understands, as for separate writes.
     *
     * <p>The default applies the writes one by one (neither atomic nor isolated), for providers
     * that have nothing better.
     *
     * @return the modRevision of each write, in order (for a delete, the revision of the deletion)
     */
    default java.util.List<Long> commit(java.util.List<Write> writes) throws DatastoreException {
        java.util.List<Long> out = new java.util.ArrayList<>(writes.size());
        for (Write w : writes) {
            switch (w.type()) {
                case CREATE -> out.add(create(w.key(), w.value(), NO_LEASE).modRevision());
                case UPDATE -> out.add(update(w.key(), w.value(), w.expectedModRevision()).modRevision());
                case DELETE -> out.add(delete(w.key(), w.expectedModRevision()));
                default -> throw new IllegalArgumentException(w.type().toString());
            }
        }
        return out;
    }

    /**
     * Watches every key under {@code prefix}.
     *
     * @param fromRevision {@link #FROM_SNAPSHOT} for a snapshot at the current revision followed
     *                     by the changes after it; otherwise the first revision to deliver changes
     *                     from (a snapshot is sent instead when those changes are no longer kept)
     */
    Watch watch(String prefix, long fromRevision, WatchListener listener) throws DatastoreException;

    /**
     * Grants a lease: keys written with its id are deleted when it expires. Owners call
     * {@link #keepAlive} well within the TTL; a node that dies stops doing so and its status
     * disappears.
     *
     * @return the lease id
     */
    long grantLease(Duration ttl) throws DatastoreException;

    /** Renews a lease for another TTL. Throws {@link KeyNotFoundException} if it has expired. */
    void keepAlive(long leaseId) throws DatastoreException;

    /** Ends a lease now, deleting its keys. Unknown ids are ignored. */
    void revokeLease(long leaseId) throws DatastoreException;
}
