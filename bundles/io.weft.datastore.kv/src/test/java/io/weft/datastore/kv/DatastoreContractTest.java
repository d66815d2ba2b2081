package io.weft.datastore.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

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
import io.weft.api.datastore.Write;

/**
 * The {@link Datastore} contract as its Javadoc states it, runnable against any provider: a
 * provider's test extends this class and says how to make a store, how to let lease time pass
 * and how to make the store forget its change history.
 *
 * <p>Published in this module's test-jar ({@code <type>test-jar</type>}) for the other
 * datastore modules.
 */
public abstract class DatastoreContractTest {

    /** How long to listen for deliveries that must not come. */
    protected static final Duration QUIET = Duration.ofMillis(150);

    /** The store under test, fresh for every test. */
    protected Datastore store;

    /** A new, empty store whose lease time {@link #elapse} controls. */
    protected abstract Datastore newStore() throws Exception;

    /** Releases a store made by {@link #newStore}; called after each test, possibly twice. */
    protected void close(Datastore datastore) throws Exception {
        if (datastore instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    /**
     * Lets {@code time} pass for the store's leases and returns once every lease whose TTL ran
     * out has expired (its keys deleted).
     */
    protected abstract void elapse(Duration time) throws Exception;

    /** How many recent changes the store keeps for watchers to resume from. */
    protected int historyLimit() {
        return RevisionedStore.DEFAULT_HISTORY;
    }

    /**
     * Makes the store forget its change history up to the current revision. The default writes
     * {@link #historyLimit()} + 1 changes under {@code /zz-filler/}; a provider with an explicit
     * compaction (etcd) overrides this.
     */
    protected void forgetHistory() throws Exception {
        for (int i = 0; i <= historyLimit(); i++) {
            store.put("/zz-filler/" + (i % 8), bytes("f" + i), Datastore.NO_LEASE);
        }
    }

    /** Runs a {@link RevisionedStore}'s lease reaper now, for subclasses in other packages. */
    protected static void expireLeasesNow(RevisionedStore revisioned) {
        revisioned.expireLeases();
    }

    @BeforeEach
    final void openStore() throws Exception {
        store = newStore();
    }

    @AfterEach
    final void closeStore() throws Exception {
        if (store != null) {
            close(store);
        }
    }

    protected static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> keys(Snapshot snapshot) {
        return snapshot.entries().stream().map(KeyValue::key).toList();
    }

    private String valueOf(String key) throws DatastoreException {
        return store.get(key).map(KeyValue::valueAsString).orElse(null);
    }

    // ---- revisions and compare-and-swap -------------------------------------------------------

    @Test
    void emptyStoreIsAtRevisionZero() throws Exception {
        assertEquals(0, store.revision());
        assertEquals(Optional.empty(), store.get("/a"));
        Snapshot all = store.list("");
        assertEquals(List.of(), all.entries());
        assertEquals(0, all.revision());
    }

    @Test
    void everyChangeTakesTheNextRevision() throws Exception {
        KeyValue created = store.create("/a", bytes("1"), Datastore.NO_LEASE);
        assertEquals(new KeyValue("/a", bytes("1"), 1, 1, 1, Datastore.NO_LEASE), created);
        assertEquals(1, store.revision());

        KeyValue other = store.put("/b", bytes("x"), Datastore.NO_LEASE);
        assertEquals(2, other.modRevision());

        KeyValue updated = store.update("/a", bytes("2"), created.modRevision());
        assertEquals(new KeyValue("/a", bytes("2"), 1, 3, 2, Datastore.NO_LEASE), updated);

        KeyValue overwritten = store.put("/a", bytes("3"), Datastore.NO_LEASE);
        assertEquals(new KeyValue("/a", bytes("3"), 1, 4, 3, Datastore.NO_LEASE), overwritten);

        assertEquals(5, store.delete("/a", overwritten.modRevision()));
        assertEquals(5, store.revision());
        assertEquals(Optional.empty(), store.get("/a"));

        // a key created again starts a new life: new createRevision, version 1
        KeyValue recreated = store.create("/a", bytes("4"), Datastore.NO_LEASE);
        assertEquals(new KeyValue("/a", bytes("4"), 6, 6, 1, Datastore.NO_LEASE), recreated);
        assertEquals(Optional.of(recreated), store.get("/a"));
        assertEquals(6, store.list("").revision());
    }

    @Test
    void createOnAnExistingKeyFailsWithWhatIsStored() throws Exception {
        KeyValue first = store.create("/weft/v3/ippools/default", bytes("{\"cidr\":\"10.0.0.0/16\"}"),
                Datastore.NO_LEASE);

        KeyExistsException e = assertThrows(KeyExistsException.class,
                () -> store.create("/weft/v3/ippools/default", bytes("{}"), Datastore.NO_LEASE));

        assertEquals(first, e.existing());
        assertEquals("{\"cidr\":\"10.0.0.0/16\"}", valueOf("/weft/v3/ippools/default"));
        assertEquals(1, store.revision(), "a failed create must not take a revision");
    }

    @Test
    void updateAtAStaleRevisionFailsWithTheCurrentValue() throws Exception {
        KeyValue v1 = store.create("/k", bytes("v1"), Datastore.NO_LEASE);
        KeyValue v2 = store.update("/k", bytes("v2"), v1.modRevision());

        RevisionConflictException e = assertThrows(RevisionConflictException.class,
                () -> store.update("/k", bytes("lost"), v1.modRevision()));

        assertEquals(v2, e.current());
        assertEquals(v1.modRevision(), e.expectedRevision());
        assertEquals("v2", valueOf("/k"));
        assertEquals(2, store.revision());
    }

    @Test
    void deleteAtAStaleRevisionFailsAndKeepsTheKey() throws Exception {
        KeyValue v1 = store.create("/k", bytes("v1"), Datastore.NO_LEASE);
        KeyValue v2 = store.put("/k", bytes("v2"), Datastore.NO_LEASE);

        RevisionConflictException e = assertThrows(RevisionConflictException.class,
                () -> store.delete("/k", v1.modRevision()));

        assertEquals(v2, e.current());
        assertEquals(Optional.of(v2), store.get("/k"));
        assertEquals(2, store.revision());
    }

    @Test
    void aCommitAppliesEveryWriteOrNoneAtAll() throws Exception {
        KeyValue block = store.create("/b", bytes("b1"), Datastore.NO_LEASE);
        KeyValue old = store.create("/old", bytes("o"), Datastore.NO_LEASE);
        long before = store.revision();

        List<Long> revisions = store.commit(List.of(Write.create("/h", bytes("h1")),
                Write.update("/b", bytes("b2"), block.modRevision()), Write.delete("/old", old.modRevision())));

        assertEquals(3, revisions.size());
        assertTrue(revisions.get(0) > before && revisions.get(1) >= revisions.get(0)
                && revisions.get(2) >= revisions.get(1), "revisions " + revisions + " after " + before);
        assertEquals(revisions.get(2), store.revision());
        assertEquals(revisions.get(0), store.get("/h").orElseThrow().modRevision());
        assertEquals(revisions.get(1), store.get("/b").orElseThrow().modRevision());
        assertEquals("b2", valueOf("/b"));
        assertEquals(Optional.empty(), store.get("/old"));

        // any failed condition: nothing written, no revision taken, the first failure thrown
        long at = store.revision();
        KeyValue b2 = store.get("/b").orElseThrow();
        RevisionConflictException stale = assertThrows(RevisionConflictException.class, () -> store.commit(List.of(
                Write.create("/h2", bytes("x")), Write.update("/b", bytes("lost"), block.modRevision()))));
        assertEquals(b2, stale.current());
        KeyExistsException exists = assertThrows(KeyExistsException.class, () -> store.commit(List.of(
                Write.create("/h", bytes("again")), Write.update("/b", bytes("lost"), b2.modRevision()))));
        assertEquals("/h", exists.existing().key());
        assertThrows(KeyNotFoundException.class, () -> store.commit(List.of(
                Write.update("/b", bytes("lost"), b2.modRevision()), Write.delete("/gone", 1))));
        assertEquals(at, store.revision());
        assertEquals(Optional.empty(), store.get("/h2"));
        assertEquals("b2", valueOf("/b"));
        assertEquals("h1", valueOf("/h"));
    }

    @Test
    void updateAndDeleteOfAMissingKeyFailWithKeyNotFound() throws Exception {
        store.put("/present", bytes("x"), Datastore.NO_LEASE);

        assertEquals(Optional.empty(), store.get("/missing"));
        KeyNotFoundException onUpdate = assertThrows(KeyNotFoundException.class,
                () -> store.update("/missing", bytes("x"), 1));
        assertEquals("/missing", onUpdate.key());
        KeyNotFoundException onDelete = assertThrows(KeyNotFoundException.class, () -> store.delete("/missing", 1));
        assertEquals("/missing", onDelete.key());

        long deleted = store.delete("/present", 1);
        assertThrows(KeyNotFoundException.class, () -> store.delete("/present", deleted),
                "deleting a key twice");
        assertEquals(2, store.revision());
    }

    @Test
    void writeOnAnUnknownLeaseFailsAndWritesNothing() throws Exception {
        assertThrows(DatastoreException.class, () -> store.create("/k", bytes("x"), 424242));
        assertThrows(DatastoreException.class, () -> store.put("/k", bytes("x"), 424242));
        assertEquals(Optional.empty(), store.get("/k"));
        assertEquals(0, store.revision());
    }

    @Test
    void concurrentCompareAndSwapIncrementsNeverLoseAnUpdate() throws Exception {
        int threads = 4;
        int incrementsEach = 150;
        store.create("/counter", bytes("0"), Datastore.NO_LEASE);
        WatchRecorder watcher = new WatchRecorder();
        store.watch("/counter", Datastore.FROM_SNAPSHOT, watcher);
        assertEquals("0", watcher.nextSnapshot().entries().get(0).valueAsString());

        AtomicInteger successes = new AtomicInteger();
        AtomicInteger conflicts = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                writers.add(pool.submit(() -> {
                    start.await();
                    for (int done = 0; done < incrementsEach; ) {
                        KeyValue current = store.get("/counter").orElseThrow();
                        long next = Long.parseLong(current.valueAsString()) + 1;
                        try {
                            store.update("/counter", bytes(Long.toString(next)), current.modRevision());
                            successes.incrementAndGet();
                            done++;
                        } catch (RevisionConflictException e) {
                            conflicts.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> writer : writers) {
                writer.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        int total = threads * incrementsEach;
        assertEquals(total, successes.get());
        KeyValue counter = store.get("/counter").orElseThrow();
        assertEquals(Integer.toString(total), counter.valueAsString(), "an increment was lost");
        assertEquals(1 + total, counter.modRevision(), "failed swaps must not take revisions");
        assertEquals(1 + total, counter.version());

        // the watcher saw every increment exactly once, in order
        List<WatchEvent> events = watcher.nextEvents(total);
        for (int i = 0; i < total; i++) {
            assertEquals(Integer.toString(i + 1), events.get(i).current().valueAsString());
            assertEquals(i + 2, events.get(i).revision());
        }
    }

    // ---- list -----------------------------------------------------------------------------

    @Test
    void listReturnsExactlyTheKeysUnderThePrefixSorted() throws Exception {
        for (String key : List.of("/a/b/2", "/b/x", "/a/bc/1", "/a/b/10", "/a/b", "/a/a", "/a/b/1", "/a/bc")) {
            store.put(key, bytes(key), Datastore.NO_LEASE);
        }

        Snapshot underB = store.list("/a/b/");
        assertEquals(List.of("/a/b/1", "/a/b/10", "/a/b/2"), keys(underB));
        assertEquals(8, underB.revision());
        assertEquals("/a/b/10", underB.entries().get(1).valueAsString());

        // "starts with" is literal: /a/bc starts with /a/b
        assertEquals(List.of("/a/b", "/a/b/1", "/a/b/10", "/a/b/2", "/a/bc", "/a/bc/1"), keys(store.list("/a/b")));
        assertEquals(List.of("/a/bc", "/a/bc/1"), keys(store.list("/a/bc")));
        assertEquals(List.of(), keys(store.list("/a/c")));
        assertEquals(List.of("/a/a", "/a/b", "/a/b/1", "/a/b/10", "/a/b/2", "/a/bc", "/a/bc/1", "/b/x"),
                keys(store.list("")));
    }

    @Test
    void listFindsKeysWhateverCharacterFollowsThePrefix() throws Exception {
        String high = "/a/\uFFFF";
        String emoji = "/a/\uD83D\uDE00";
        store.put(high, bytes("high"), Datastore.NO_LEASE);
        store.put(emoji, bytes("emoji"), Datastore.NO_LEASE);
        store.put("/a0", bytes("sibling"), Datastore.NO_LEASE);

        assertEquals(List.of(emoji, high), keys(store.list("/a/")));
        assertEquals(List.of(high), keys(store.list("/a/\uFFFF")));
    }

    @Test
    void listIsASnapshotThatLaterWritesDoNotChange() throws Exception {
        store.put("/s/1", bytes("one"), Datastore.NO_LEASE);
        Snapshot before = store.list("/s/");
        store.put("/s/1", bytes("uno"), Datastore.NO_LEASE);
        store.put("/s/2", bytes("two"), Datastore.NO_LEASE);

        assertEquals(List.of("/s/1"), keys(before));
        assertArrayEquals(bytes("one"), before.entries().get(0).value());
        assertEquals(1, before.revision());
    }

    // ---- watch ----------------------------------------------------------------------------

    @Test
    void watchFromSnapshotDeliversTheStateThenEveryChangeInOrder() throws Exception {
        store.put("/w/1", bytes("a"), Datastore.NO_LEASE);
        store.put("/w/2", bytes("b"), Datastore.NO_LEASE);
        store.put("/wx/1", bytes("sibling"), Datastore.NO_LEASE);
        WatchRecorder watcher = new WatchRecorder();

        Watch watch = store.watch("/w/", Datastore.FROM_SNAPSHOT, watcher);
        assertEquals("/w/", watch.prefix());

        Snapshot snapshot = watcher.nextSnapshot();
        assertEquals(List.of("/w/1", "/w/2"), keys(snapshot));
        assertEquals(3, snapshot.revision());

        KeyValue w1 = store.get("/w/1").orElseThrow();
        store.put("/w/3", bytes("c"), Datastore.NO_LEASE);
        store.put("/wx/2", bytes("sibling"), Datastore.NO_LEASE);
        store.update("/w/1", bytes("a2"), w1.modRevision());
        store.delete("/w/2", 2);
        assertEquals(List.of("PUT /w/3=c @4", "PUT /w/1=a2 @6", "DELETE /w/2 @7"), watcher.nextEventLines(3));
        watcher.assertNothingMore(QUIET);
    }

    @Test
    void deleteEventsCarryTheKeyWithAnEmptyValueAtTheDeletionRevision() throws Exception {
        KeyValue kv = store.put("/w/gone", bytes("x"), Datastore.NO_LEASE);
        WatchRecorder watcher = new WatchRecorder();
        store.watch("/w/", Datastore.FROM_SNAPSHOT, watcher);
        watcher.nextSnapshot();

        long deleted = store.delete("/w/gone", kv.modRevision());

        WatchEvent event = watcher.nextEvents(1).get(0);
        assertEquals(WatchEvent.Type.DELETE, event.type());
        assertEquals("/w/gone", event.key());
        assertEquals(0, event.current().value().length);
        assertEquals(deleted, event.revision());
    }

    @Test
    void watchFromARevisionReplaysExactlyTheMissedChanges() throws Exception {
        store.put("/w/1", bytes("a"), Datastore.NO_LEASE); // 1
        store.put("/w/2", bytes("b"), Datastore.NO_LEASE); // 2
        long seen = store.revision();
        store.put("/w/1", bytes("a2"), Datastore.NO_LEASE); // 3
        store.put("/other", bytes("z"), Datastore.NO_LEASE); // 4
        store.delete("/w/2", 2); // 5
        store.put("/w/3", bytes("c"), Datastore.NO_LEASE); // 6
        WatchRecorder watcher = new WatchRecorder();

        store.watch("/w/", seen + 1, watcher);

        assertEquals(List.of("PUT /w/1=a2 @3", "DELETE /w/2 @5", "PUT /w/3=c @6"), watcher.nextEventLines(3));
        store.put("/w/4", bytes("d"), Datastore.NO_LEASE);
        assertEquals(List.of("PUT /w/4=d @7"), watcher.nextEventLines(1));
        watcher.assertNothingMore(QUIET);
    }

    @Test
    void watchFromTheNextRevisionDeliversOnlyNewChanges() throws Exception {
        store.put("/w/1", bytes("a"), Datastore.NO_LEASE);
        WatchRecorder watcher = new WatchRecorder();

        store.watch("/w/", store.revision() + 1, watcher);
        watcher.assertNothingMore(QUIET);

        store.put("/w/2", bytes("b"), Datastore.NO_LEASE);
        assertEquals(List.of("PUT /w/2=b @2"), watcher.nextEventLines(1));
    }

    @Test
    void watchFromAForgottenRevisionGetsASnapshotInstead() throws Exception {
        store.put("/w/1", bytes("a"), Datastore.NO_LEASE);
        store.put("/w/2", bytes("b"), Datastore.NO_LEASE);
        store.delete("/w/2", 2);
        forgetHistory();
        store.put("/w/1", bytes("a2"), Datastore.NO_LEASE);
        long now = store.revision();
        WatchRecorder watcher = new WatchRecorder();

        store.watch("/w/", 2, watcher);

        Snapshot snapshot = watcher.nextSnapshot();
        assertEquals(now, snapshot.revision());
        assertEquals(List.of("/w/1"), keys(snapshot));
        assertEquals("a2", snapshot.entries().get(0).valueAsString());
        store.put("/w/3", bytes("c"), Datastore.NO_LEASE);
        assertEquals(List.of("PUT /w/3=c @" + (now + 1)), watcher.nextEventLines(1));
        watcher.assertNothingMore(QUIET);
    }

    @Test
    void closingAWatchStopsDeliveryAndSaysSo() throws Exception {
        WatchRecorder watcher = new WatchRecorder();
        Watch watch = store.watch("/w/", Datastore.FROM_SNAPSHOT, watcher);
        watcher.nextSnapshot();

        watch.close();
        watch.close(); // idempotent

        assertEquals(null, watcher.nextClose().cause());
        store.put("/w/after", bytes("x"), Datastore.NO_LEASE);
        watcher.assertNothingMore(QUIET);
    }

    @Test
    void aThrowingListenerDoesNotStopItsOwnDelivery() throws Exception {
        WatchRecorder recorder = new WatchRecorder();
        AtomicInteger calls = new AtomicInteger();
        store.watch("/w/", Datastore.FROM_SNAPSHOT, new io.weft.api.datastore.WatchListener() {
            @Override
            public void onSnapshot(Snapshot snapshot) {
                calls.incrementAndGet();
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onEvents(List<WatchEvent> events) {
                recorder.onEvents(events);
            }
        });
        assertTrue(awaitTrue(() -> calls.get() == 1));

        store.put("/w/1", bytes("a"), Datastore.NO_LEASE);
        assertEquals(List.of("PUT /w/1=a @1"), recorder.nextEventLines(1));
    }

    // ---- leases ---------------------------------------------------------------------------

    @Test
    void keysOnALeaseVanishWhenItsTtlRunsOut() throws Exception {
        long lease = store.grantLease(Duration.ofSeconds(10));
        assertNotEquals(Datastore.NO_LEASE, lease);
        KeyValue a = store.create("/runtime/a", bytes("a"), lease);
        assertEquals(lease, a.leaseId());
        store.put("/runtime/b", bytes("b"), lease);
        store.put("/runtime/kept", bytes("kept"), Datastore.NO_LEASE);
        WatchRecorder watcher = new WatchRecorder();
        store.watch("/runtime/", Datastore.FROM_SNAPSHOT, watcher);
        watcher.nextSnapshot();

        elapse(Duration.ofSeconds(5));
        assertEquals(List.of("/runtime/a", "/runtime/b", "/runtime/kept"), keys(store.list("/runtime/")));

        elapse(Duration.ofSeconds(6));
        assertEquals(List.of("/runtime/kept"), keys(store.list("/runtime/")));
        List<WatchEvent> deletions = watcher.nextEvents(2);
        assertEquals(List.of("DELETE /runtime/a", "DELETE /runtime/b"),
                deletions.stream().map(e -> e.type() + " " + e.key()).sorted().toList());
        assertEquals(List.of(4L, 5L), deletions.stream().map(WatchEvent::revision).toList());
        assertThrows(KeyNotFoundException.class, () -> store.keepAlive(lease));
        assertThrows(DatastoreException.class, () -> store.put("/runtime/c", bytes("c"), lease));
    }

    @Test
    void keepAliveGivesTheLeaseAnotherTtl() throws Exception {
        long lease = store.grantLease(Duration.ofSeconds(10));
        store.put("/runtime/node", bytes("up"), lease);

        elapse(Duration.ofSeconds(7));
        store.keepAlive(lease);
        elapse(Duration.ofSeconds(7)); // 14 s after the grant, 7 s after the keep-alive
        assertEquals("up", valueOf("/runtime/node"));

        store.keepAlive(lease);
        elapse(Duration.ofSeconds(9));
        assertEquals("up", valueOf("/runtime/node"));

        elapse(Duration.ofSeconds(2));
        assertEquals(Optional.empty(), store.get("/runtime/node"));
    }

    @Test
    void revokingALeaseDeletesItsKeysAtOnceWithDeleteEvents() throws Exception {
        long lease = store.grantLease(Duration.ofMinutes(5));
        long otherLease = store.grantLease(Duration.ofMinutes(5));
        store.put("/runtime/a", bytes("a"), lease);
        store.put("/runtime/b", bytes("b"), otherLease);
        WatchRecorder watcher = new WatchRecorder();
        store.watch("/runtime/", Datastore.FROM_SNAPSHOT, watcher);
        watcher.nextSnapshot();

        store.revokeLease(lease);

        assertEquals(List.of("/runtime/b"), keys(store.list("")));
        assertEquals(List.of("DELETE /runtime/a @3"), watcher.nextEventLines(1));
        assertThrows(KeyNotFoundException.class, () -> store.keepAlive(lease));
        store.revokeLease(lease); // unknown ids are ignored
        store.revokeLease(987654);
        watcher.assertNothingMore(QUIET);
        store.keepAlive(otherLease);
    }

    @Test
    void rewritingAKeyWithoutItsLeaseDetachesItFromTheLease() throws Exception {
        long lease = store.grantLease(Duration.ofSeconds(10));
        store.put("/k", bytes("leased"), lease);
        KeyValue rewritten = store.put("/k", bytes("permanent"), Datastore.NO_LEASE);
        assertEquals(Datastore.NO_LEASE, rewritten.leaseId());

        store.revokeLease(lease);

        assertEquals("permanent", valueOf("/k"));
    }

    @Test
    void grantLeaseRejectsATtlThatIsNotPositive() {
        assertThrows(IllegalArgumentException.class, () -> store.grantLease(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> store.grantLease(Duration.ofSeconds(-1)));
    }

    // ---- closed store -----------------------------------------------------------------------

    @Test
    void aClosedStoreRefusesEveryCallAndEndsItsWatches() throws Exception {
        long lease = store.grantLease(Duration.ofSeconds(30));
        KeyValue kv = store.put("/k", bytes("v"), Datastore.NO_LEASE);
        WatchRecorder watcher = new WatchRecorder();
        Watch watch = store.watch("/", Datastore.FROM_SNAPSHOT, watcher);
        watcher.nextSnapshot();

        close(store);

        WatchRecorder.Closed closed = watcher.nextClose();
        assertInstanceOf(DatastoreUnavailableException.class, closed.cause());
        watch.close(); // must not throw once the store is gone
        watcher.assertNothingMore(QUIET);

        List<Executable> calls = List.of(
                store::revision,
                () -> store.get("/k"),
                () -> store.list(""),
                () -> store.create("/new", bytes("x"), Datastore.NO_LEASE),
                () -> store.update("/k", bytes("x"), kv.modRevision()),
                () -> store.put("/k", bytes("x"), Datastore.NO_LEASE),
                () -> store.delete("/k", kv.modRevision()),
                () -> store.watch("/", Datastore.FROM_SNAPSHOT, new WatchRecorder()),
                () -> store.grantLease(Duration.ofSeconds(1)),
                () -> store.keepAlive(lease),
                () -> store.revokeLease(lease));
        for (int i = 0; i < calls.size(); i++) {
            DatastoreUnavailableException e = assertThrows(DatastoreUnavailableException.class, calls.get(i),
                    "call #" + i + " on a closed store");
            assertTrue(e.getMessage().contains(store.describe()), "message names the store: " + e.getMessage());
        }
    }

    private static boolean awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WatchRecorder.TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }
}
