package io.weft.datastore.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.weft.api.datastore.Datastore;
import io.weft.api.datastore.KeyNotFoundException;
import io.weft.api.datastore.KeyValue;
import io.weft.api.datastore.Snapshot;
import io.weft.api.datastore.WatchEvent;
import io.weft.datastore.kv.WatchRecorder;

/** What the etcd store does beyond the shared contract: paging, key prefixes, etcd losing its data. */
class EtcdDatastoreTest {

    @RegisterExtension
    final EtcdServer etcd = new EtcdServer();

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> keys(Snapshot snapshot) {
        return snapshot.entries().stream().map(KeyValue::key).toList();
    }

    @Test
    void listPagesThroughAPrefixAndReturnsOneSortedSnapshot() throws Exception {
        try (EtcdDatastore store = new EtcdDatastore(EtcdSettings.of(etcd.clientUrl()), 10)) {
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 35; i++) {
                String key = String.format("/p/%02d", 34 - i);
                store.put(key, bytes("v" + i), Datastore.NO_LEASE);
                expected.add(0, key);
            }
            store.put("/q/outside", bytes("x"), Datastore.NO_LEASE);

            Snapshot all = store.list("/p/");
            assertEquals(expected, keys(all));
            assertEquals(36, all.revision());
            assertEquals(36, store.list("").entries().size());
        }
    }

    @Test
    void aKeyPrefixKeepsTwoClustersApartInOneEtcd() throws Exception {
        EtcdSettings plain = EtcdSettings.of(etcd.clientUrl());
        try (EtcdDatastore a = new EtcdDatastore(plain.withKeyPrefix("/cluster-a"));
                EtcdDatastore b = new EtcdDatastore(plain.withKeyPrefix("/cluster-b"));
                EtcdDatastore raw = new EtcdDatastore(plain)) {
            WatchRecorder watchA = new WatchRecorder();
            a.watch("/weft/", Datastore.FROM_SNAPSHOT, watchA);
            watchA.nextSnapshot();

            KeyValue created = a.create("/weft/v3/ippools/default", bytes("a's pool"), Datastore.NO_LEASE);
            b.create("/weft/v3/ippools/default", bytes("b's pool"), Datastore.NO_LEASE);

            assertEquals("/weft/v3/ippools/default", created.key());
            assertEquals(Optional.of(created), a.get("/weft/v3/ippools/default"));
            assertEquals("b's pool", b.get("/weft/v3/ippools/default").orElseThrow().valueAsString());
            assertEquals(List.of("/weft/v3/ippools/default"), keys(a.list("")));
            assertEquals(List.of("/cluster-a/weft/v3/ippools/default", "/cluster-b/weft/v3/ippools/default"),
                    keys(raw.list("")));
            assertEquals(List.of("PUT /weft/v3/ippools/default=a's pool @1"), watchA.nextEventLines(1));
            watchA.assertNothingMore(Duration.ofMillis(200));
        }
    }

    @Test
    void anUpdateKeepsTheKeysLease() throws Exception {
        try (EtcdDatastore store = new EtcdDatastore(EtcdSettings.of(etcd.clientUrl()))) {
            long lease = store.grantLease(Duration.ofMinutes(1));
            KeyValue v1 = store.create("/runtime/node", bytes("up"), lease);
            KeyValue v2 = store.update("/runtime/node", bytes("still up"), v1.modRevision());
            assertEquals(new KeyValue("/runtime/node", bytes("still up"), 1, 2, 2, lease), v2);

            store.revokeLease(lease);

            assertEquals(Optional.empty(), store.get("/runtime/node"));
        }
    }

    /** Real time, not the contract run's virtual clock: etcd itself expires the lease. */
    @Test
    void etcdExpiresALeaseInRealTimeAndAKeepAliveExtendsIt() throws Exception {
        try (EtcdDatastore store = new EtcdDatastore(EtcdSettings.of(etcd.clientUrl()))) {
            long lease = store.grantLease(Duration.ofMillis(1500));
            assertEquals(2, etcd.post("/v3/lease/timetolive", "{\"ID\":\"" + lease + "\"}").path("grantedTTL")
                    .asLong(), "etcd counts whole seconds: the TTL is rounded up");
            store.put("/runtime/a", bytes("a"), lease);
            store.put("/runtime/b", bytes("b"), lease);
            WatchRecorder watcher = new WatchRecorder();
            store.watch("/runtime/", Datastore.FROM_SNAPSHOT, watcher);
            watcher.nextSnapshot();

            Thread.sleep(1_200);
            store.keepAlive(lease);
            long renewed = System.nanoTime();
            Thread.sleep(1_200); // 2.4 s after the grant, 1.2 s after the keep-alive
            assertEquals(List.of("/runtime/a", "/runtime/b"), keys(store.list("/runtime/")));

            List<WatchEvent> deletions = watcher.nextEvents(2);
            Duration afterRenewal = Duration.ofNanos(System.nanoTime() - renewed);
            assertTrue(afterRenewal.compareTo(Duration.ofSeconds(2)) >= 0, "expired early: " + afterRenewal);
            assertEquals(List.of("DELETE /runtime/a @3", "DELETE /runtime/b @3"), WatchRecorder.describe(deletions));
            assertEquals(List.of(), keys(store.list("/runtime/")));
            assertThrows(KeyNotFoundException.class, () -> store.keepAlive(lease));
        }
    }

    @Test
    void aWatchOnAnEtcdThatLostItsDataStartsOverFromASnapshot() throws Exception {
        try (EtcdDatastore store = new EtcdDatastore(EtcdSettings.of(etcd.clientUrl()))) {
            for (int i = 0; i < 5; i++) {
                store.put("/w/" + i, bytes("old"), Datastore.NO_LEASE);
            }
            WatchRecorder watcher = new WatchRecorder();
            store.watch("/w/", Datastore.FROM_SNAPSHOT, watcher);
            assertEquals(5, watcher.nextSnapshot().revision());

            etcd.kill();
            etcd.wipe(); // a new, empty cluster comes up on the same address
            etcd.restart();

            Snapshot fresh = watcher.nextSnapshot();
            assertEquals(0, fresh.revision());
            assertEquals(List.of(), fresh.entries());
            store.put("/w/new", bytes("new"), Datastore.NO_LEASE);
            assertEquals(List.of("PUT /w/new=new @1"), watcher.nextEventLines(1));
        }
    }
}
