package io.weft.datastore.etcd;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.weft.api.datastore.Datastore;
import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.KeyValue;
import io.weft.api.datastore.Snapshot;
import io.weft.api.datastore.Watch;
import io.weft.api.datastore.WatchListener;

/**
 * Gives the contract tests a lease clock they can move, as the in-memory stores have: etcd keeps
 * real time, which a test cannot advance. Leases are real etcd leases with the TTL asked for (so
 * they do not run out during a test); this wrapper keeps a virtual clock and, when {@link #elapse}
 * moves it past a lease's TTL since its grant or last keep-alive, revokes the lease through etcd's
 * own API, which is what etcd's expiry does: the keys go in one transaction with DELETE events, and
 * keep-alives fail. That etcd really expires leases in real time is checked separately
 * ({@code EtcdDatastoreTest}). Every other call goes straight to the store under test.
 */
final class VirtualLeaseTimeDatastore implements Datastore, AutoCloseable {

    private final EtcdDatastore store;
    private final EtcdServer etcd;
    private final Map<Long, VirtualLease> leases = new ConcurrentHashMap<>();
    private long nowNanos;

    private static final class VirtualLease {
        final long ttlNanos;
        long deadlineNanos;

        VirtualLease(long ttlNanos, long deadlineNanos) {
            this.ttlNanos = ttlNanos;
            this.deadlineNanos = deadlineNanos;
        }
    }

    VirtualLeaseTimeDatastore(EtcdDatastore store, EtcdServer etcd) {
        this.store = store;
        this.etcd = etcd;
    }

    /** Moves the clock and expires, in etcd, every lease whose TTL ran out; returns once their keys are gone. */
    synchronized void elapse(Duration time) throws Exception {
        nowNanos += time.toNanos();
        for (Map.Entry<Long, VirtualLease> lease : leases.entrySet()) {
            if (nowNanos - lease.getValue().deadlineNanos >= 0) {
                etcd.revokeLease(lease.getKey());
                leases.remove(lease.getKey());
            }
        }
    }

    @Override
    public synchronized long grantLease(Duration ttl) throws DatastoreException {
        long id = store.grantLease(ttl);
        leases.put(id, new VirtualLease(ttl.toNanos(), nowNanos + ttl.toNanos()));
        return id;
    }

    @Override
    public synchronized void keepAlive(long leaseId) throws DatastoreException {
        store.keepAlive(leaseId);
        VirtualLease lease = leases.get(leaseId);
        if (lease != null) {
            lease.deadlineNanos = nowNanos + lease.ttlNanos;
        }
    }

    @Override
    public synchronized void revokeLease(long leaseId) throws DatastoreException {
        store.revokeLease(leaseId);
        leases.remove(leaseId);
    }

    @Override
    public String describe() {
        return store.describe();
    }

    @Override
    public long revision() throws DatastoreException {
        return store.revision();
    }

    @Override
    public Optional<KeyValue> get(String key) throws DatastoreException {
        return store.get(key);
    }

    @Override
    public Snapshot list(String prefix) throws DatastoreException {
        return store.list(prefix);
    }

    @Override
    public KeyValue create(String key, byte[] value, long leaseId) throws DatastoreException {
        return store.create(key, value, leaseId);
    }

    @Override
    public KeyValue update(String key, byte[] value, long expectedModRevision) throws DatastoreException {
        return store.update(key, value, expectedModRevision);
    }

    @Override
    public KeyValue put(String key, byte[] value, long leaseId) throws DatastoreException {
        return store.put(key, value, leaseId);
    }

    @Override
    public long delete(String key, long expectedModRevision) throws DatastoreException {
        return store.delete(key, expectedModRevision);
    }

    @Override
    public java.util.List<Long> commit(java.util.List<io.weft.api.datastore.Write> writes) throws DatastoreException {
        return store.commit(writes);
    }

    @Override
    public Watch watch(String prefix, long fromRevision, WatchListener listener) throws DatastoreException {
        return store.watch(prefix, fromRevision, listener);
    }

    @Override
    public void close() {
        store.close();
    }
}
