package io.weft.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.weft.api.datastore.Datastore;
import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.DatastoreUnavailableException;
import io.weft.api.datastore.KeyValue;
import io.weft.api.datastore.Snapshot;
import io.weft.api.datastore.Watch;
import io.weft.api.datastore.WatchListener;
import io.weft.datastore.memory.MemoryDatastore;

/**
 * A first node's store moved to another: resources arrive byte for byte, node registrations stay
 * behind, what the target already holds is counted or reported, and nothing is deleted anywhere.
 */
class DatastoreMigrationTest {

    static final String POOL_KEY = "/weft/v3/ippools/default-ipv4-ippool";
    static final String PEER_KEY = "/weft/v3/bgppeers/tor";
    static final String POLICY_KEY = "/weft/v3/networkpolicies/default/deny-all";
    static final String RUNTIME_KEY = "/weft/runtime/nodes/node-1";
    static final String POOL = "{\"kind\":\"IPPool\",\"metadata\":{\"name\":\"default-ipv4-ippool\"},\"spec\":{\"cidr\":\"10.244.0.0/16\"}}";
    static final String PEER = "{\"kind\":\"BGPPeer\",\"metadata\":{\"name\":\"tor\"},\"spec\":{\"peerIP\":\"192.0.2.1\",\"asNumber\":65001}}";
    static final String POLICY = "{\"kind\":\"NetworkPolicy\",\"metadata\":{\"name\":\"deny-all\",\"namespace\":\"default\"}}";

    private final DatastoreMigration migration = new DatastoreMigration();
    private MemoryDatastore from;
    private MemoryDatastore to;

    @BeforeEach
    void setUp() throws DatastoreException {
        from = new MemoryDatastore();
        to = new MemoryDatastore();
        from.create(POOL_KEY, bytes(POOL), Datastore.NO_LEASE);
        from.create(PEER_KEY, bytes(PEER), Datastore.NO_LEASE);
        from.create(POLICY_KEY, bytes(POLICY), Datastore.NO_LEASE);
        from.put(RUNTIME_KEY, bytes("node=node-1\n"), from.grantLease(Duration.ofSeconds(30)));
    }

    @AfterEach
    void tearDown() {
        from.close();
        to.close();
    }

    @Test
    void copiesEveryResourceByteForByteAndLeavesRegistrationsBehind() throws DatastoreException {
        long sourceRevision = from.revision();

        DatastoreMigration.Result result = migration.migrate(from, to, false);

        assertEquals(new DatastoreMigration.Result(sourceRevision, 3, 3, 0, List.of(), List.of(), List.of(), 0), result);
        assertTrue(result.complete());
        assertEquals("Copied 3 keys from embedded (revision 4) to etcd: 3 new, 0 identical, 0 conflicts\n",
                result.summary("embedded", "etcd"));
        assertEquals("", result.problemLines("etcd"));
        assertEquals(List.of(PEER_KEY, POOL_KEY, POLICY_KEY), keys(to.list("")));
        assertArrayEquals(bytes(POOL), to.get(POOL_KEY).orElseThrow().value());
        assertArrayEquals(bytes(PEER), to.get(PEER_KEY).orElseThrow().value());
        assertArrayEquals(bytes(POLICY), to.get(POLICY_KEY).orElseThrow().value());
        assertEquals(Datastore.NO_LEASE, to.get(POOL_KEY).orElseThrow().leaseId());
        assertFalse(to.get(RUNTIME_KEY).isPresent(), "node registrations are leased to their store: not migrated");
        assertEquals(sourceRevision, from.revision(), "the source is only read");
    }

    @Test
    void aSecondRunFindsEverythingThere() throws DatastoreException {
        migration.migrate(from, to, false);
        long targetRevision = to.revision();

        DatastoreMigration.Result again = migration.migrate(from, to, false);

        assertEquals("Copied 3 keys from memory (revision 4) to etcd: 0 new, 3 identical, 0 conflicts\n",
                again.summary("memory", "etcd"));
        assertEquals(targetRevision, to.revision(), "identical keys are not written again");
    }

    @Test
    void aDifferentValueOnTheTargetIsAConflictReportedAndKept() throws DatastoreException {
        to.create(POOL_KEY, bytes(POOL), Datastore.NO_LEASE);
        to.create(PEER_KEY, bytes(PEER.replace("65001", "65002")), Datastore.NO_LEASE);
        to.create("/weft/v3/ippools/only-on-target", bytes("{}"), Datastore.NO_LEASE);

        DatastoreMigration.Result result = migration.migrate(from, to, false);

        assertEquals(List.of(PEER_KEY), result.conflicts());
        assertFalse(result.complete());
        assertEquals("Copied 3 keys from embedded (revision 4) to etcd: 1 new, 1 identical, 1 conflict\n",
                result.summary("embedded", "etcd"));
        assertEquals("Conflict: /weft/v3/bgppeers/tor differs on etcd; kept etcd's value (--overwrite replaces it)\n",
                result.problemLines("etcd"));
        assertArrayEquals(bytes(PEER.replace("65001", "65002")), to.get(PEER_KEY).orElseThrow().value());
        assertTrue(to.get("/weft/v3/ippools/only-on-target").isPresent(), "keys only on the target stay");
        assertArrayEquals(bytes(POLICY), to.get(POLICY_KEY).orElseThrow().value());
    }

    @Test
    void overwriteReplacesConflictsAndDeletesNothing() throws DatastoreException {
        to.create(PEER_KEY, bytes(PEER.replace("65001", "65002")), Datastore.NO_LEASE);
        to.create("/weft/v3/ippools/only-on-target", bytes("{}"), Datastore.NO_LEASE);

        DatastoreMigration.Result result = migration.migrate(from, to, true);

        assertEquals(List.of(), result.conflicts());
        assertEquals(List.of(PEER_KEY), result.overwritten());
        assertTrue(result.complete());
        assertEquals("Copied 3 keys from embedded (revision 4) to etcd: 2 new, 0 identical, 0 conflicts, 1 overwritten\n",
                result.summary("embedded", "etcd"));
        assertEquals("Overwritten on etcd: /weft/v3/bgppeers/tor\n", result.overwrittenLines("etcd"));
        assertArrayEquals(bytes(PEER), to.get(PEER_KEY).orElseThrow().value());
        assertTrue(to.get("/weft/v3/ippools/only-on-target").isPresent(), "keys only on the target stay");
        assertArrayEquals(bytes(PEER), from.get(PEER_KEY).orElseThrow().value(), "the source is only read");
    }

    @Test
    void aKeyThatCannotBeWrittenIsReportedAndTheRestCopied() throws DatastoreException {
        Datastore refusing = new ForwardingDatastore(to) {
            @Override
            public KeyValue create(String key, byte[] value, long leaseId) throws DatastoreException {
                if (key.equals(PEER_KEY)) {
                    throw new DatastoreException("permission denied on " + key);
                }
                return super.create(key, value, leaseId);
            }
        };

        DatastoreMigration.Result result = migration.migrate(from, refusing, false);

        assertEquals(List.of(new DatastoreMigration.Failure(PEER_KEY, "permission denied on " + PEER_KEY)), result.failures());
        assertEquals(2, result.copied());
        assertEquals("Copied 3 keys from embedded (revision 4) to etcd: 2 new, 0 identical, 0 conflicts, 1 failed\n",
                result.summary("embedded", "etcd"));
        assertEquals("Failed: /weft/v3/bgppeers/tor: permission denied on /weft/v3/bgppeers/tor\n",
                result.problemLines("etcd"));
    }

    @Test
    void aTargetThatGoesAwayStopsTheMigrationAndSaysHowFarItGot() throws DatastoreException {
        Datastore failing = new ForwardingDatastore(to) {
            int writes;

            @Override
            public KeyValue create(String key, byte[] value, long leaseId) throws DatastoreException {
                if (++writes > 1) {
                    throw new DatastoreUnavailableException("etcd at http://127.0.0.1:2379 is unreachable");
                }
                return super.create(key, value, leaseId);
            }
        };

        DatastoreMigration.Result result = migration.migrate(from, failing, false);

        assertEquals(1, result.copied());
        assertEquals(1, result.notAttempted());
        assertEquals("Copied 3 keys from embedded (revision 4) to etcd: 1 new, 0 identical, 0 conflicts, 1 failed, "
                + "1 not attempted\n", result.summary("embedded", "etcd"));
        assertEquals("""
                Failed: /weft/v3/ippools/default-ipv4-ippool: etcd at http://127.0.0.1:2379 is unreachable
                Stopped: etcd became unavailable; 1 key was not attempted. Running the migration again copies them \
                and counts the rest as identical
                """, result.problemLines("etcd"));
    }

    @Test
    void anUnreadableSourceWritesNothing() {
        from.close();
        assertThrows(DatastoreUnavailableException.class, () -> migration.migrate(from, to, false));
        assertEquals(List.of(), keys(listQuietly(to)));
    }

    @Test
    void aStoreCannotBeMigratedOntoItself() {
        assertThrows(IllegalArgumentException.class, () -> migration.migrate(from, from, false));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> keys(Snapshot snapshot) {
        return snapshot.entries().stream().map(KeyValue::key).toList();
    }

    private static Snapshot listQuietly(Datastore store) {
        try {
            return store.list("");
        } catch (DatastoreException e) {
            throw new AssertionError(e);
        }
    }

    /** A datastore passing every call on, for tests to break one operation. */
    private static class ForwardingDatastore implements Datastore {
        private final Datastore delegate;

        ForwardingDatastore(Datastore delegate) {
            this.delegate = delegate;
        }

        @Override
        public String describe() {
            return delegate.describe();
        }

        @Override
        public long revision() throws DatastoreException {
            return delegate.revision();
        }

        @Override
        public Optional<KeyValue> get(String key) throws DatastoreException {
            return delegate.get(key);
        }

        @Override
        public Snapshot list(String prefix) throws DatastoreException {
            return delegate.list(prefix);
        }

        @Override
        public KeyValue create(String key, byte[] value, long leaseId) throws DatastoreException {
            return delegate.create(key, value, leaseId);
        }

        @Override
        public KeyValue update(String key, byte[] value, long expectedModRevision) throws DatastoreException {
            return delegate.update(key, value, expectedModRevision);
        }

        @Override
        public KeyValue put(String key, byte[] value, long leaseId) throws DatastoreException {
            return delegate.put(key, value, leaseId);
        }

        @Override
        public long delete(String key, long expectedModRevision) throws DatastoreException {
            return delegate.delete(key, expectedModRevision);
        }

        @Override
        public Watch watch(String prefix, long fromRevision, WatchListener listener) throws DatastoreException {
            return delegate.watch(prefix, fromRevision, listener);
        }

        @Override
        public long grantLease(Duration ttl) throws DatastoreException {
            return delegate.grantLease(ttl);
        }

        @Override
        public void keepAlive(long leaseId) throws DatastoreException {
            delegate.keepAlive(leaseId);
        }

        @Override
        public void revokeLease(long leaseId) throws DatastoreException {
            delegate.revokeLease(leaseId);
        }
    }
}
