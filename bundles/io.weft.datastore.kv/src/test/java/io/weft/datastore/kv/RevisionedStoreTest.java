package io.weft.datastore.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.weft.api.datastore.Datastore;
import io.weft.api.datastore.DatastoreUnavailableException;
import io.weft.api.datastore.KeyNotFoundException;
import io.weft.api.datastore.KeyValue;
import io.weft.api.datastore.WatchEvent;

/** The engine alone, without a journal: the whole contract, plus what only the engine shows. */
class RevisionedStoreTest extends DatastoreContractTest {

    private static final int HISTORY = 16;

    private final ManualNanoClock clock = new ManualNanoClock();
    private final FailingJournal journal = new FailingJournal();

    /** A journal that can be made to fail, as a full disk would. */
    private static final class FailingJournal implements Journal {
        volatile boolean failing;

        @Override
        public void append(WatchEvent event) throws IOException {
            if (failing) {
                throw new IOException("No space left on device");
            }
        }
    }

    private RevisionedStore revisioned() {
        return (RevisionedStore) store;
    }

    @Override
    protected Datastore newStore() {
        return new RevisionedStore("test-store", journal, HISTORY, clock) {
        };
    }

    @Override
    protected void elapse(Duration time) {
        clock.advance(time);
        revisioned().expireLeases();
    }

    @Override
    protected int historyLimit() {
        return HISTORY;
    }

    @Test
    void noneJournalStoreServesTheContractToo() throws Exception {
        try (RevisionedStore plain = new RevisionedStore("plain", Journal.NONE)) {
            KeyValue kv = plain.create("/k", bytes("v"), Datastore.NO_LEASE);
            assertEquals(Optional.of(kv), plain.get("/k"));
            assertEquals("plain", plain.describe());
        }
    }

    @Test
    void watchResumesFromTheOldestKeptRevisionButNotBeforeIt() throws Exception {
        for (int i = 1; i <= HISTORY + 4; i++) {
            store.put("/w/" + i, bytes("v" + i), Datastore.NO_LEASE);
        }
        long oldestKept = store.revision() - HISTORY + 1; // 5

        WatchRecorder resumed = new WatchRecorder();
        store.watch("/w/", oldestKept, resumed);
        List<WatchEvent> replay = resumed.nextEvents(HISTORY);
        assertEquals(oldestKept, replay.get(0).revision());

        WatchRecorder tooOld = new WatchRecorder();
        store.watch("/w/", oldestKept - 1, tooOld);
        assertEquals(HISTORY + 4, tooOld.nextSnapshot().entries().size());
    }

    @Test
    void keepAliveAfterTheTtlRanOutFailsEvenBeforeTheReaperRuns() throws Exception {
        long lease = store.grantLease(Duration.ofSeconds(10));
        store.put("/runtime/node", bytes("up"), lease);

        clock.advance(Duration.ofSeconds(11)); // the reaper has not run yet

        assertThrows(KeyNotFoundException.class, () -> store.keepAlive(lease));
        assertEquals(Optional.empty(), store.get("/runtime/node"), "the lease expired, so its key goes with it");
    }

    @Test
    void leaseKeysAreDeletedOnceTheJournalRecoversFromAFailure() throws Exception {
        long lease = store.grantLease(Duration.ofSeconds(10));
        store.put("/runtime/a", bytes("a"), lease);
        store.put("/runtime/b", bytes("b"), lease);
        clock.advance(Duration.ofSeconds(11));

        journal.failing = true;
        revisioned().expireLeases();
        assertEquals(2, store.list("/runtime/").entries().size(), "nothing can be deleted without the journal");

        journal.failing = false;
        revisioned().expireLeases();
        assertEquals(List.of(), store.list("/runtime/").entries(), "the next reaper pass finishes the expiry");
    }

    @Test
    void revokeThatFailsOnTheJournalCanBeRetried() throws Exception {
        long lease = store.grantLease(Duration.ofMinutes(1));
        store.put("/runtime/a", bytes("a"), lease);

        journal.failing = true;
        DatastoreUnavailableException e = assertThrows(DatastoreUnavailableException.class,
                () -> store.revokeLease(lease));
        assertEquals("test-store: cannot write the journal: No space left on device (check disk space and permissions)",
                e.getMessage());
        assertEquals("a", store.get("/runtime/a").orElseThrow().valueAsString());

        journal.failing = false;
        store.revokeLease(lease);
        assertEquals(Optional.empty(), store.get("/runtime/a"));
    }

    @Test
    void aWriteTheJournalRefusesChangesNothing() throws Exception {
        store.put("/k", bytes("v1"), Datastore.NO_LEASE);
        WatchRecorder watcher = new WatchRecorder();
        store.watch("/", Datastore.FROM_SNAPSHOT, watcher);
        watcher.nextSnapshot();

        journal.failing = true;
        assertThrows(DatastoreUnavailableException.class, () -> store.put("/k", bytes("v2"), Datastore.NO_LEASE));
        journal.failing = false;

        assertEquals("v1", store.get("/k").orElseThrow().valueAsString());
        assertEquals(1, store.revision());
        watcher.assertNothingMore(QUIET);
        store.put("/k", bytes("v3"), Datastore.NO_LEASE);
        assertEquals(List.of("PUT /k=v3 @2"), watcher.nextEventLines(1));
    }

    @Test
    void prefixEndIsTheLeastStringAfterEveryKeyWithThePrefix() {
        assertEquals("/a/c", RevisionedStore.prefixEnd("/a/b"));
        assertEquals("/a0", RevisionedStore.prefixEnd("/a/"));
        assertEquals("/b", RevisionedStore.prefixEnd("/a\uFFFF"));
        assertNull(RevisionedStore.prefixEnd(""));
        assertNull(RevisionedStore.prefixEnd("\uFFFF\uFFFF"));
    }
}
