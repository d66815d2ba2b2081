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
