package io.weft.datastore.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

import io.weft.api.datastore.Datastore;
import io.weft.api.datastore.DatastoreUnavailableException;
import io.weft.api.datastore.KeyValue;
import io.weft.api.datastore.Snapshot;
import io.weft.datastore.kv.WatchRecorder;

/** What etcd's failures look like to Weft: restarts, compaction while away, nobody listening. */
class EtcdResilienceTest {

    private static final Duration QUIET = Duration.ofMillis(300);

    @RegisterExtension
    final EtcdServer etcd = new EtcdServer();

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void watchersSurviveAnEtcdRestartAndSeeEveryLaterChangeOnceInOrder() throws Exception {
        try (EtcdDatastore store = new EtcdDatastore(EtcdSettings.of(etcd.clientUrl()))) {
            store.put("/w/before", bytes("0"), Datastore.NO_LEASE);
            WatchRecorder fromSnapshot = new WatchRecorder();
            store.watch("/w/", Datastore.FROM_SNAPSHOT, fromSnapshot);
            assertEquals(1, fromSnapshot.nextSnapshot().entries().size());
            WatchRecorder fromRevision = new WatchRecorder();
            store.watch("/w/", store.revision() + 1, fromRevision);
            KeyValue a = store.put("/w/a", bytes("1"), Datastore.NO_LEASE);
            assertEquals(List.of("PUT /w/a=1 @2"), fromSnapshot.nextEventLines(1));
            assertEquals(List.of("PUT /w/a=1 @2"), fromRevision.nextEventLines(1));

            etcd.kill();
            DatastoreUnavailableException down = assertThrows(DatastoreUnavailableException.class,
                    () -> store.put("/w/lost", bytes("x"), Datastore.NO_LEASE));
            assertTrue(down.getMessage().startsWith("etcd at " + etcd.clientUrl()), down.getMessage());
            etcd.restart();

            // written at once, while the watches are still backing off, and then some more
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                KeyValue kv = store.put("/w/k" + (i % 7), bytes("v" + i), Datastore.NO_LEASE);
                expected.add("PUT /w/k" + (i % 7) + "=v" + i + " @" + kv.modRevision());
                if (i == 20) {
                    long deleted = store.delete("/w/a", a.modRevision());
                    expected.add("DELETE /w/a @" + deleted);
                }
                store.put("/elsewhere/" + i, bytes("x"), Datastore.NO_LEASE);
            }

            assertEquals(expected, fromSnapshot.nextEventLines(expected.size()));
            assertEquals(expected, fromRevision.nextEventLines(expected.size()));
            fromSnapshot.assertNothingMore(QUIET);
            fromRevision.assertNothingMore(Duration.ZERO);
        }
    }

    @Test
    void aWatchWhoseRevisionWasCompactedWhileItWasAwayGetsASnapshotThenTheChangesAfterIt() throws Exception {
        try (EtcdDatastore store = new EtcdDatastore(EtcdSettings.of(etcd.clientUrl()))) {
            KeyValue one = store.put("/c/1", bytes("one"), Datastore.NO_LEASE);
            WatchRecorder watcher = new WatchRecorder();
            store.watch("/c/", Datastore.FROM_SNAPSHOT, watcher);
            watcher.nextSnapshot();
            store.put("/c/2", bytes("two"), Datastore.NO_LEASE);
            assertEquals(List.of("PUT /c/2=two @2"), watcher.nextEventLines(1));

            // etcd comes back where the watcher cannot reach it, changes, compacts, and returns
            etcd.kill();
            int elsewhere = EtcdServer.freePort();
            etcd.restartOnClientPort(elsewhere);
            try (EtcdDatastore other = new EtcdDatastore(EtcdSettings.of("http://127.0.0.1:" + elsewhere))) {
                other.delete("/c/1", one.modRevision());
                other.put("/c/3", bytes("three"), Datastore.NO_LEASE);
                other.put("/c/2", bytes("two again"), Datastore.NO_LEASE);
            }
            etcd.compact();
            etcd.kill();
            etcd.restart();

            Snapshot snapshot = watcher.nextSnapshot();
            assertEquals(5, snapshot.revision());
            assertEquals(List.of("/c/2=two again", "/c/3=three"),
                    snapshot.entries().stream().map(kv -> kv.key() + "=" + kv.valueAsString()).toList());
            store.put("/c/4", bytes("four"), Datastore.NO_LEASE);
            assertEquals(List.of("PUT /c/4=four @6"), watcher.nextEventLines(1));
            watcher.assertNothingMore(QUIET);
        }
    }

    @Test
    void anEtcdThatIsNotThereFailsFastWithAMessageSayingWhatToCheck() throws Exception {
        String nobody = "http://127.0.0.1:" + EtcdServer.freePort();
        Duration dial = Duration.ofSeconds(1);
        try (EtcdDatastore store = new EtcdDatastore(EtcdSettings.of(nobody).withTimeouts(Duration.ofSeconds(5), dial))) {
            assertEquals("etcd:" + nobody, store.describe());
            String expected = "etcd at " + nobody + " is unreachable: Connection refused; check that etcd runs and "
                    + "the io.weft.datastore.etcd endpoints setting";
            List<Executable> calls = List.of(
                    store::revision,
                    () -> store.get("/k"),
                    () -> store.list("/"),
                    () -> store.create("/k", bytes("v"), Datastore.NO_LEASE),
                    () -> store.put("/k", bytes("v"), Datastore.NO_LEASE),
                    () -> store.watch("/", Datastore.FROM_SNAPSHOT, new WatchRecorder()),
                    () -> store.grantLease(Duration.ofSeconds(5)));
            for (Executable call : calls) {
                long started = System.nanoTime();
                DatastoreUnavailableException e = assertThrows(DatastoreUnavailableException.class, call);
                assertEquals(expected, e.getMessage());
                assertFasterThan(dial.plusSeconds(1), started);
            }
        }
        WatchRecorder watcher = new WatchRecorder();
        try (EtcdDatastore store = new EtcdDatastore(EtcdSettings.of(nobody).withTimeouts(Duration.ofSeconds(5), dial))) {
            long started = System.nanoTime();
            DatastoreUnavailableException e = assertThrows(DatastoreUnavailableException.class,
                    () -> store.watch("/", 1, watcher));
            assertTrue(e.getMessage().startsWith("cannot watch / on etcd at " + nobody + ": Connection refused"),
                    e.getMessage());
            assertFasterThan(dial.plusSeconds(1), started);
        }
        watcher.assertNothingMore(Duration.ZERO); // a watch that failed to start tells its listener nothing
    }

    @Test
    void anEndpointThatSwallowsConnectionsFailsWithinTheDialTimeout() throws Exception {
        String blackhole = "http://192.0.2.1:2379"; // TEST-NET-1 (RFC 5737): never answers
        Duration dial = Duration.ofMillis(500);
        try (EtcdDatastore store = new EtcdDatastore(
                EtcdSettings.of(blackhole).withTimeouts(Duration.ofSeconds(5), dial))) {
            long started = System.nanoTime();
            DatastoreUnavailableException e = assertThrows(DatastoreUnavailableException.class, () -> store.get("/k"));
            assertFasterThan(dial.plusSeconds(1), started);
            // "no connection within the dial timeout of 500 ms", or the kernel's "Network is unreachable"
            assertTrue(e.getMessage().startsWith("etcd at " + blackhole + " is unreachable: "), e.getMessage());
            assertTrue(e.getMessage().endsWith("; check that etcd runs and the io.weft.datastore.etcd endpoints setting"),
                    e.getMessage());
        }
    }

    @Test
    void requestsMoveOnToTheNextEndpointWhenOneIsDown() throws Exception {
        String dead = "http://127.0.0.1:" + EtcdServer.freePort();
        try (EtcdDatastore store = new EtcdDatastore(EtcdSettings.of(dead + ", " + etcd.clientUrl()))) {
            assertEquals("etcd:" + dead + "," + etcd.clientUrl(), store.describe());
            KeyValue kv = store.create("/k", bytes("v"), Datastore.NO_LEASE);
            assertEquals(1, kv.modRevision());
            WatchRecorder watcher = new WatchRecorder();
            store.watch("/", Datastore.FROM_SNAPSHOT, watcher);
            watcher.nextSnapshot();
            store.put("/k", bytes("w"), Datastore.NO_LEASE);
            assertEquals(List.of("PUT /k=w @2"), watcher.nextEventLines(1));

            etcd.kill();
            DatastoreUnavailableException e = assertThrows(DatastoreUnavailableException.class, () -> store.get("/k"));
            assertTrue(e.getMessage().startsWith("etcd at " + dead + ", " + etcd.clientUrl() + " is unreachable: "
                    + dead + ": Connection refused; " + etcd.clientUrl() + ": "), e.getMessage());
        }
    }

    /**
     * Unary calls reuse idle keep-alive connections. One that etcd closed while it sat idle (here:
     * etcd killed and started again) must be noticed before a write goes out on it: otherwise the
     * write would fail as "closed the connection before answering; the change may or may not have
     * been applied", an error a caller can only answer by re-reading.
     */
    @Test
    void aWriteAfterEtcdRestartedGoesOutOnAFreshConnection() throws Exception {
        try (EtcdDatastore store = new EtcdDatastore(EtcdSettings.of(etcd.clientUrl()))) {
            KeyValue kv = store.create("/r/k", bytes("0"), Datastore.NO_LEASE);
            kv = store.update("/r/k", bytes("1"), kv.modRevision());
            etcd.kill();
            etcd.restart();
            KeyValue updated = store.update("/r/k", bytes("2"), kv.modRevision());
            assertEquals(kv.modRevision() + 1, updated.modRevision());
            assertEquals(3, updated.version());
            assertEquals("2", new String(store.get("/r/k").orElseThrow().value(), StandardCharsets.UTF_8));
        }
    }

    /**
     * A call waits on its own thread for etcd's reply; closing the store (its bundle stopping) must
     * end that wait at once with an error that says so, not leave the caller hanging until the
     * request timeout.
     */
    @Test
    void closingTheStoreEndsACallThatIsWaitingForEtcd() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            List<java.net.Socket> accepted = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept()); // reads nothing, answers nothing
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            String url = "http://127.0.0.1:" + silent.getLocalPort();
            EtcdDatastore store = new EtcdDatastore(EtcdSettings.of(url).withTimeouts(Duration.ofSeconds(30),
                    Duration.ofSeconds(2)));
            java.util.concurrent.CompletableFuture<Throwable> outcome = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> {
                        try {
                            store.update("/k", bytes("v"), 1);
                            return null;
                        } catch (Throwable e) {
                            return e;
                        }
                    });
            Thread.sleep(500); // the update is waiting for a reply by now
            assertTrue(!outcome.isDone(), "the update returned before the store was closed: " + outcome.getNow(null));
            long closed = System.nanoTime();
            store.close();
            Throwable failure = outcome.get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertFasterThan(Duration.ofSeconds(3), closed);
            assertTrue(failure instanceof DatastoreUnavailableException, String.valueOf(failure));
            // the update went out before the store closed: whether etcd applied it is unknown, and said
            assertEquals("etcd:" + url + " is closed (its bundle was stopped or is restarting); the change may or "
                    + "may not have been applied, re-read before retrying", failure.getMessage());
            for (java.net.Socket socket : accepted) {
                socket.close();
            }
        }
    }

    private static void assertFasterThan(Duration limit, long startedNanos) {
        Duration took = Duration.ofNanos(System.nanoTime() - startedNanos);
        assertTrue(took.compareTo(limit) < 0, "took " + took.toMillis() + " ms, more than " + limit.toMillis() + " ms");
    }
}
