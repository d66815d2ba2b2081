package io.weft.datastore.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.weft.api.datastore.Datastore;
import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.KeyValue;
import io.weft.datastore.kv.WatchRecorder;

/** etcd with authentication on (user root, as {@code etcdctl user add root; etcdctl auth enable} sets up). */
class EtcdAuthTest {

    private static final String PASSWORD = "s3cret-pw";

    /** Tokens die after 1 s unused, so the tests see expiry and re-authentication. */
    @RegisterExtension
    final EtcdServer etcd = new EtcdServer("--auth-token-ttl", "1");

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aUserAndPasswordOpenEtcdAndSurviveTokenExpiryAndRestarts() throws Exception {
        etcd.enableAuth(PASSWORD);
        try (EtcdDatastore store = new EtcdDatastore(
                EtcdSettings.of(etcd.clientUrl()).withCredentials("root", PASSWORD))) {
            KeyValue one = store.create("/a/1", bytes("one"), Datastore.NO_LEASE);
            WatchRecorder watcher = new WatchRecorder();
            store.watch("/a/", Datastore.FROM_SNAPSHOT, watcher);
            assertEquals(List.of(one), watcher.nextSnapshot().entries());

            Thread.sleep(1_500); // the token expires
            store.put("/a/2", bytes("two"), Datastore.NO_LEASE);
            assertEquals(List.of("PUT /a/2=two @2"), watcher.nextEventLines(1));

            etcd.kill(); // etcd forgets every token; the store and its watch authenticate again
            etcd.restart();
            store.put("/a/3", bytes("three"), Datastore.NO_LEASE);
            store.delete("/a/1", one.modRevision());
            assertEquals(List.of("PUT /a/3=three @3", "DELETE /a/1 @4"), watcher.nextEventLines(2));
            watcher.assertNothingMore(Duration.ofMillis(200));
        }
    }

    @Test
    void withoutCredentialsOrWithAWrongPasswordEtcdSaysWhatToFixAndNeverShowsThePassword() throws Exception {
        etcd.enableAuth(PASSWORD);
        try (EtcdDatastore anonymous = new EtcdDatastore(EtcdSettings.of(etcd.clientUrl()))) {
            DatastoreException e = assertThrows(DatastoreException.class, () -> anonymous.get("/a"));
            assertEquals("etcd at " + etcd.clientUrl() + " requires authentication (etcdserver: user name is empty); "
                    + "set username and password in io.weft.datastore.etcd", e.getMessage());
            DatastoreException onWatch = assertThrows(DatastoreException.class,
                    () -> anonymous.watch("/a/", 1, new WatchRecorder()));
            assertEquals(e.getMessage(), onWatch.getMessage());
        }
        EtcdSettings wrong = EtcdSettings.of(etcd.clientUrl()).withCredentials("root", "not-" + PASSWORD);
        assertFalse(wrong.toString().contains(PASSWORD), wrong.toString());
        try (EtcdDatastore store = new EtcdDatastore(wrong)) {
            DatastoreException e = assertThrows(DatastoreException.class,
                    () -> store.put("/a", bytes("x"), Datastore.NO_LEASE));
            assertEquals("etcd at " + etcd.clientUrl() + " rejected user \"root\" (etcdserver: authentication failed, "
                    + "invalid user ID or password); check username and password in io.weft.datastore.etcd",
                    e.getMessage());
        }
    }

    @Test
    void credentialsForAnEtcdWithoutAuthenticationAreNotNeeded() throws Exception {
        try (EtcdDatastore store = new EtcdDatastore(
                EtcdSettings.of(etcd.clientUrl()).withCredentials("root", PASSWORD))) {
            assertEquals(1, store.put("/a", bytes("x"), Datastore.NO_LEASE).modRevision());
        }
    }
}
