package io.weft.datastore.kv;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

import io.weft.api.datastore.Datastore;
import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.DatastoreUnavailableException;
import io.weft.api.datastore.KeyExistsException;
import io.weft.api.datastore.KeyNotFoundException;
import io.weft.api.datastore.KeyValue;
import io.weft.api.datastore.RevisionConflictException;
import io.weft.api.datastore.Snapshot;
import io.weft.api.datastore.Watch;
import io.weft.api.datastore.WatchEvent;
import io.weft.api.datastore.WatchListener;
import io.weft.api.datastore.Write;

/**
 * A complete {@link Datastore} in memory: one lock orders every write, so revisions are dense and
 * watchers see changes exactly in revision order. Recent changes are kept (bounded) so a watcher
 * can resume from a revision; older ones are "compacted" and such a watcher gets a snapshot.
 *
 * <p>Subclasses add durability by passing a {@link Journal} and {@link #restore restoring} the
 * state they recovered before serving.
 */
public class RevisionedStore implements Datastore, AutoCloseable {

    /** How many recent changes a watcher can resume from by default. */
    public static final int DEFAULT_HISTORY = 10_000;

    private static final AtomicInteger POOL_IDS = new AtomicInteger();

    private final String description;
    private final Journal journal;
    private final int historyLimit;
    private final LongSupplier nanoClock;
    private final ReentrantLock lock = new ReentrantLock();
    private final TreeMap<String, KeyValue> data = new TreeMap<>();
    private final ArrayDeque<WatchEvent> history = new ArrayDeque<>();
    private final Map<Long, LeaseState> leases = new HashMap<>();
    private final List<StoreWatch> watches = new CopyOnWriteArrayList<>();
    private final ExecutorService delivery;
    private final ScheduledExecutorService leaseReaper;
    private long revision;
    private long compactedRevision;
    private long nextLeaseId = 1;
    private volatile boolean closed;

    private static final class LeaseState {
        final long ttlNanos;
        long expiresAtNanos;
        final Set<String> keys = new HashSet<>();

        LeaseState(long ttlNanos, long expiresAtNanos) {
            this.ttlNanos = ttlNanos;
            this.expiresAtNanos = expiresAtNanos;
        }
    }

    public RevisionedStore(String description, Journal journal) {
        this(description, journal, DEFAULT_HISTORY, System::nanoTime);
    }

    protected RevisionedStore(String description, Journal journal, int historyLimit, LongSupplier nanoClock) {
        this.description = description;
        this.journal = journal;
        this.historyLimit = historyLimit;
        this.nanoClock = nanoClock;
        int id = POOL_IDS.incrementAndGet();
        this.delivery = Executors.newCachedThreadPool(daemon("weft-datastore-watch-" + id));
        this.leaseReaper = Executors.newSingleThreadScheduledExecutor(daemon("weft-datastore-leases-" + id));
        leaseReaper.scheduleWithFixedDelay(this::expireLeases, 200, 200, TimeUnit.MILLISECONDS);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Loads recovered state before the store serves anything. Changes up to {@code atRevision}
     * are not in the watch history, so watchers asking for them get a snapshot.
     */
    protected final void restore(Collection<KeyValue> entries, long atRevision) {
        lock.lock();
        try {
            data.clear();
            for (KeyValue kv : entries) {
                data.put(kv.key(), kv);
            }
            revision = atRevision;
            compactedRevision = atRevision;
            history.clear();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public long revision() throws DatastoreException {
        lock.lock();
        try {
            checkOpen();
            return revision;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<KeyValue> get(String key) throws DatastoreException {
        lock.lock();
        try {
            checkOpen();
            return Optional.ofNullable(data.get(key));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Snapshot list(String prefix) throws DatastoreException {
        lock.lock();
        try {
            checkOpen();
            return snapshotLocked(prefix);
        } finally {
            lock.unlock();
        }
    }

    private Snapshot snapshotLocked(String prefix) {
        return new Snapshot(new ArrayList<>(prefixView(prefix).values()), revision);
    }

    private SortedMap<String, KeyValue> prefixView(String prefix) {
        String end = prefixEnd(prefix);
        return end == null ? data.tailMap(prefix) : data.subMap(prefix, end);
    }

    /**
     * The least string greater than every string that starts with {@code prefix}, or null when
     * there is none ({@code prefix} is empty or all U+FFFF). {@code prefix + U+FFFF} is not that
     * bound: it drops keys that continue with U+FFFF.
     */
    static String prefixEnd(String prefix) {
        for (int i = prefix.length() - 1; i >= 0; i--) {
            char c = prefix.charAt(i);
            if (c != Character.MAX_VALUE) {
                return prefix.substring(0, i) + (char) (c + 1);
            }
        }
        return null;
    }

    @Override
    public KeyValue create(String key, byte[] value, long leaseId) throws DatastoreException {
        return durable(createNow(key, value, leaseId));
    }

    private KeyValue createNow(String key, byte[] value, long leaseId) throws DatastoreException {
        lock.lock();
        try {
            checkOpen();
            KeyValue existing = data.get(key);
            if (existing != null) {
                throw new KeyExistsException(existing);
            }
            return writeLocked(key, value, leaseId, null);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public KeyValue update(String key, byte[] value, long expectedModRevision) throws DatastoreException {
        return durable(updateNow(key, value, expectedModRevision));
    }

    private KeyValue updateNow(String key, byte[] value, long expectedModRevision) throws DatastoreException {
        lock.lock();
        try {
            checkOpen();
            KeyValue existing = data.get(key);
            if (existing == null) {
                throw new KeyNotFoundException(key);
            }
            if (existing.modRevision() != expectedModRevision) {
                throw new RevisionConflictException(existing, expectedModRevision);
            }
            return writeLocked(key, value, existing.leaseId(), existing);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public KeyValue put(String key, byte[] value, long leaseId) throws DatastoreException {
        return durable(putNow(key, value, leaseId));
    }

    private KeyValue putNow(String key, byte[] value, long leaseId) throws DatastoreException {
        lock.lock();
        try {
            checkOpen();
            return writeLocked(key, value, leaseId, data.get(key));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Checks every condition first, then applies the writes in order under one hold of the lock
     * (readers and watchers never see part of the batch), then waits for one flush. Each write
     * gets its own revision; the journal keeps them in order, so a crash keeps a prefix.
     */
    @Override
    public List<Long> commit(List<Write> writes) throws DatastoreException {
        List<Long> revisions = new ArrayList<>(writes.size());
        lock.lock();
        try {
            checkOpen();
            Set<String> keys = new HashSet<>();
            for (Write w : writes) {
                if (!keys.add(w.key())) {
                    throw new IllegalArgumentException("a commit writes each key once; " + w.key() + " appears twice");
                }
                validateKey(w.key());
                KeyValue existing = data.get(w.key());
                if (w.type() == Write.Type.CREATE) {
                    if (existing != null) {
                        throw new KeyExistsException(existing);
                    }
                } else if (existing == null) {
                    throw new KeyNotFoundException(w.key());
                } else if (existing.modRevision() != w.expectedModRevision()) {
                    throw new RevisionConflictException(existing, w.expectedModRevision());
                }
            }
            for (Write w : writes) {
                KeyValue existing = data.get(w.key());
                revisions.add(switch (w.type()) {
                    case CREATE -> writeLocked(w.key(), w.value(), NO_LEASE, null).modRevision();
                    case UPDATE -> writeLocked(w.key(), w.value(), existing.leaseId(), existing).modRevision();
                    case DELETE -> deleteLocked(existing);
                });
            }
        } finally {
            lock.unlock();
        }
        return durable(revisions);
    }

    /**
     * Waits, outside the lock, until the journal made this writer's change durable; concurrent
     * writers share one flush.
     */
    private <T> T durable(T result) throws DatastoreException {
        try {
            journal.awaitDurable();
        } catch (IOException e) {
            throw new DatastoreUnavailableException(description + ": cannot flush the journal to disk: " + e.getMessage()
                    + " (the last write may be lost on restart; check the disk)", e);
        }
        return result;
    }

    private KeyValue writeLocked(String key, byte[] value, long leaseId, KeyValue previous) throws DatastoreException {
        validateKey(key);
        if (value == null) {
            throw new IllegalArgumentException("value of " + key + " must not be null");
        }
        LeaseState lease = null;
        if (leaseId != NO_LEASE) {
            lease = leases.get(leaseId);
            if (lease == null) {
                throw new KeyNotFoundException("lease " + leaseId);
            }
        }
        long next = revision + 1;
        KeyValue kv = previous == null
                ? new KeyValue(key, value, next, next, 1, leaseId)
                : new KeyValue(key, value, previous.createRevision(), next, previous.version() + 1, leaseId);
        commitLocked(new WatchEvent(WatchEvent.Type.PUT, kv, previous));
        if (previous != null && previous.leaseId() != NO_LEASE && previous.leaseId() != leaseId) {
            LeaseState old = leases.get(previous.leaseId());
            if (old != null) {
                old.keys.remove(key);
            }
        }
        if (lease != null) {
            lease.keys.add(key);
        }
        return kv;
    }

    private static void validateKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("datastore keys must not be empty");
        }
    }

    @Override
    public long delete(String key, long expectedModRevision) throws DatastoreException {
        long revision = deleteNow(key, expectedModRevision);
        durable(null);
        return revision;
    }

    private long deleteNow(String key, long expectedModRevision) throws DatastoreException {
        lock.lock();
        try {
            checkOpen();
            KeyValue existing = data.get(key);
            if (existing == null) {
                throw new KeyNotFoundException(key);
            }
            if (existing.modRevision() != expectedModRevision) {
                throw new RevisionConflictException(existing, expectedModRevision);
            }
            return deleteLocked(existing);
        } finally {
            lock.unlock();
        }
    }

    private long deleteLocked(KeyValue existing) throws DatastoreException {
        long next = revision + 1;
        KeyValue tombstone = new KeyValue(existing.key(), new byte[0], existing.createRevision(), next, 0, NO_LEASE);
        commitLocked(new WatchEvent(WatchEvent.Type.DELETE, tombstone, existing));
        if (existing.leaseId() != NO_LEASE) {
            LeaseState lease = leases.get(existing.leaseId());
            if (lease != null) {
                lease.keys.remove(existing.key());
            }
        }
        return next;
    }

    /** Journals, applies and publishes one change; the caller holds the lock. */
    private void commitLocked(WatchEvent event) throws DatastoreException {
        try {
            journal.append(event);
        } catch (IOException e) {
            throw new DatastoreUnavailableException(description + ": cannot write the journal: " + e.getMessage()
                    + " (check disk space and permissions)", e);
        }
        revision = event.revision();
        if (event.type() == WatchEvent.Type.PUT) {
            data.put(event.key(), event.current());
        } else {
            data.remove(event.key());
        }
        history.addLast(event);
        while (history.size() > historyLimit) {
            compactedRevision = history.removeFirst().revision();
        }
        for (StoreWatch watch : watches) {
            if (event.key().startsWith(watch.prefix)) {
                watch.enqueue(List.of(event));
            }
        }
    }

    @Override
    public Watch watch(String prefix, long fromRevision, WatchListener listener) throws DatastoreException {
        lock.lock();
        try {
            checkOpen();
            StoreWatch watch = new StoreWatch(prefix, listener);
            if (fromRevision == FROM_SNAPSHOT || fromRevision <= compactedRevision) {
                watch.enqueueSnapshot(snapshotLocked(prefix));
            } else {
                List<WatchEvent> missed = new ArrayList<>();
                for (WatchEvent e : history) {
                    if (e.revision() >= fromRevision && e.key().startsWith(prefix)) {
                        missed.add(e);
                    }
                }
                if (!missed.isEmpty()) {
                    watch.enqueue(missed);
                }
            }
            watches.add(watch);
            return watch;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long grantLease(Duration ttl) throws DatastoreException {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("lease TTL must be positive, was " + ttl);
        }
        lock.lock();
        try {
            checkOpen();
            long id = nextLeaseId++;
            leases.put(id, new LeaseState(ttl.toNanos(), nanoClock.getAsLong() + ttl.toNanos()));
            return id;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void keepAlive(long leaseId) throws DatastoreException {
        lock.lock();
        try {
            checkOpen();
            LeaseState lease = leases.get(leaseId);
            long now = nanoClock.getAsLong();
            if (lease != null && now - lease.expiresAtNanos >= 0) {
                // its TTL ran out and the reaper has not come by yet: it is expired, not renewable
                expireLocked(leaseId, lease);
                lease = null;
            }
            if (lease == null) {
                throw new KeyNotFoundException("lease " + leaseId);
            }
            lease.expiresAtNanos = now + lease.ttlNanos;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void revokeLease(long leaseId) throws DatastoreException {
        lock.lock();
        try {
            checkOpen();
            LeaseState lease = leases.get(leaseId);
            if (lease != null) {
                expireLocked(leaseId, lease);
            }
        } finally {
            lock.unlock();
        }
        durable(null);
    }

    /** Deletes the keys of leases whose TTL ran out; runs on the reaper thread. */
    final void expireLeases() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            long now = nanoClock.getAsLong();
            for (Map.Entry<Long, LeaseState> e : new ArrayList<>(leases.entrySet())) {
                if (now - e.getValue().expiresAtNanos >= 0) {
                    expireLocked(e.getKey(), e.getValue());
                }
            }
        } catch (DatastoreException e) {
            // the journal failed: the keys stay until the next attempt; commitLocked said why
        } finally {
            lock.unlock();
        }
        try {
            journal.awaitDurable(); // the deletions are written (and flushed) like any write
        } catch (IOException e) {
            // reported to the next writer, whose own flush fails the same way
        }
    }

    /**
     * Deletes a lease's keys, then forgets the lease. If the journal fails part way, the lease
     * stays with the keys not yet deleted, so the next reaper pass or revoke finishes the job.
     */
    private void expireLocked(long leaseId, LeaseState lease) throws DatastoreException {
        deleteLeaseKeysLocked(lease);
        leases.remove(leaseId);
    }

    private void deleteLeaseKeysLocked(LeaseState lease) throws DatastoreException {
        for (String key : new ArrayList<>(lease.keys)) {
            KeyValue kv = data.get(key);
            if (kv != null) {
                deleteLocked(kv);
            }
        }
    }

    /** Deletes every key attached to a lease (used after recovery: leases do not survive a restart). */
    protected final int deleteLeasedKeys() throws DatastoreException {
        lock.lock();
        try {
            List<KeyValue> leased = new ArrayList<>();
            for (KeyValue kv : data.values()) {
                if (kv.leaseId() != NO_LEASE) {
                    leased.add(kv);
                }
            }
            for (KeyValue kv : leased) {
                deleteLocked(kv);
            }
            return leased.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code action} while no write can happen, e.g. to write a snapshot and reset a journal
     * atomically with respect to the store's revisions.
     */
    protected final void whileWritesPaused(ExclusiveAction action) throws IOException {
        lock.lock();
        try {
            action.run(snapshotLocked(""));
        } finally {
            lock.unlock();
        }
    }

    /** Work done with writes paused, given the state at that moment. */
    @FunctionalInterface
    protected interface ExclusiveAction {
        void run(Snapshot state) throws IOException;
    }

    /** Every key with its value, for writing a snapshot; consistent with {@link #revision()}. */
    protected final Snapshot snapshotAll() {
        lock.lock();
        try {
            return snapshotLocked("");
        } finally {
            lock.unlock();
        }
    }

    private void checkOpen() throws DatastoreUnavailableException {
        if (closed) {
            throw new DatastoreUnavailableException(description + " is closed (its bundle was stopped or is restarting)");
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            lock.unlock();
        }
        leaseReaper.shutdownNow();
        DatastoreUnavailableException cause = new DatastoreUnavailableException(description + " was stopped");
        for (StoreWatch watch : watches) {
            watch.end(cause);
        }
        delivery.shutdown();
        try {
            journal.close();
        } catch (IOException e) {
            // nothing more to write; the next start recovers what reached the file
        }
    }

    /**
     * One watcher: an ordered queue of deliveries drained by at most one delivery thread at a
     * time, so calls never overlap and slow listeners do not hold the store lock.
     */
    private final class StoreWatch implements Watch {
        final String prefix;
        final WatchListener listener;
        private final ArrayDeque<Object> queue = new ArrayDeque<>();
        private boolean draining;
        private boolean ended;

        StoreWatch(String prefix, WatchListener listener) {
            this.prefix = prefix;
            this.listener = listener;
        }

        @Override
        public String prefix() {
            return prefix;
        }

        synchronized void enqueueSnapshot(Snapshot snapshot) {
            offer(snapshot);
        }

        synchronized void enqueue(List<WatchEvent> events) {
            offer(events);
        }

        private void offer(Object item) {
            if (ended) {
                return;
            }
            queue.addLast(item);
            if (!draining) {
                draining = true;
                delivery.execute(this::drain);
            }
        }

        @SuppressWarnings("unchecked")
        private void drain() {
            while (true) {
                Object item;
                synchronized (this) {
                    item = queue.pollFirst();
                    if (item == null) {
                        draining = false;
                        return;
                    }
                }
                try {
                    if (item instanceof Snapshot s) {
                        listener.onSnapshot(s);
                    } else if (item instanceof List<?> events) {
                        // merge consecutive batches: a busy store delivers fewer, larger calls
                        List<WatchEvent> batch = new ArrayList<>((List<WatchEvent>) events);
                        synchronized (this) {
                            while (queue.peekFirst() instanceof List<?> more) {
                                batch.addAll((List<WatchEvent>) queue.pollFirst());
                            }
                        }
                        listener.onEvents(batch);
                    } else if (item instanceof Ended e) {
                        listener.onClosed(e.cause);
                    }
                } catch (RuntimeException e) {
                    // a failing listener must not stop delivery to itself or others
                    System.getLogger(RevisionedStore.class.getName()).log(System.Logger.Level.WARNING,
                            "watch listener on " + prefix + " failed", e);
                }
            }
        }

        synchronized void end(DatastoreException cause) {
            if (ended) {
                return;
            }
            offer(new Ended(cause));
            ended = true;
        }

        @Override
        public void close() {
            watches.remove(this);
            end(null);
        }
    }

    private record Ended(DatastoreException cause) {
    }
}
