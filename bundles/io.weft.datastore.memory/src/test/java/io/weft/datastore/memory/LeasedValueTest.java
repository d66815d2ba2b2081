package io.weft.datastore.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.weft.api.datastore.KeyValue;
import io.weft.api.status.LeasedValue;
import io.weft.api.status.LeasedValue.Outcome;

/** The leased status entry shared by the agent's and the BGP speaker's publishers, on a real store. */
class LeasedValueTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(MemoryDatastore store, String key) throws Exception {
        return store.get(key).map(kv -> new String(kv.value(), StandardCharsets.UTF_8)).orElse(null);
    }

    @Test
    void aValueLivesOnOneLeaseUntilWithdrawn() throws Exception {
        MemoryDatastore store = new MemoryDatastore();
        LeasedValue entry = new LeasedValue(Duration.ofSeconds(30));
        assertTrue(entry.needsWrite(store));
        assertEquals(Outcome.WRITTEN, entry.write(store, "/s/n1", bytes("a")));
        assertEquals(Outcome.WRITTEN, entry.write(store, "/s/n1", bytes("b")));
        KeyValue kv = store.get("/s/n1").orElseThrow();
        assertNotEquals(0, kv.leaseId());
        assertEquals("b", text(store, "/s/n1"));
        assertTrue(!entry.needsWrite(store));
        assertNull(entry.keepAlive());

        entry.withdraw();
        assertNull(text(store, "/s/n1"), "withdrawing revokes the lease, and the value goes with it");
        assertTrue(entry.needsWrite(store));
    }

    @Test
    void aLostLeaseIsReportedAndTheNextWriteGrantsAnother() throws Exception {
        MemoryDatastore store = new MemoryDatastore();
        LeasedValue entry = new LeasedValue(Duration.ofSeconds(30));
        entry.write(store, "/s/n1", bytes("a"));
        long first = store.get("/s/n1").orElseThrow().leaseId();
        store.revokeLease(first); // as if it expired while the runtime was paused

        assertEquals(Outcome.LEASE_LOST, entry.write(store, "/s/n1", bytes("b")));
        assertTrue(entry.needsWrite(store));
        assertEquals(Outcome.WRITTEN, entry.write(store, "/s/n1", bytes("c")));
        KeyValue kv = store.get("/s/n1").orElseThrow();
        assertNotEquals(first, kv.leaseId());
        assertEquals("c", text(store, "/s/n1"));

        store.revokeLease(kv.leaseId());
        String lost = entry.keepAlive();
        assertTrue(lost != null && !lost.isEmpty(), "keepAlive names why the lease was lost");
        assertTrue(entry.needsWrite(store));
    }

    @Test
    void aSwappedDatastoreGetsTheValueAndTheOldOneLosesIt() throws Exception {
        MemoryDatastore before = new MemoryDatastore();
        MemoryDatastore after = new MemoryDatastore();
        LeasedValue entry = new LeasedValue(Duration.ofSeconds(30));
        entry.write(before, "/s/n1", bytes("a"));
        assertTrue(entry.needsWrite(after));
        assertEquals(Outcome.WRITTEN, entry.write(after, "/s/n1", bytes("a")));
        assertNull(text(before, "/s/n1"));
        assertEquals("a", text(after, "/s/n1"));
    }

    @Test
    void aFailureIsNewOnceUntilAWriteSucceeds() throws Exception {
        MemoryDatastore store = new MemoryDatastore();
        LeasedValue entry = new LeasedValue(Duration.ofSeconds(30));
        store.close();
        assertEquals(Outcome.FAILED, entry.write(store, "/s/n1", bytes("a")));
        String failure = entry.newFailure();
        assertTrue(failure != null && !failure.isEmpty());
        assertEquals(Outcome.FAILED, entry.write(store, "/s/n1", bytes("a")));
        assertNull(entry.newFailure(), "the same failure again is not worth another log line");
    }
}
