package io.weft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.weft.api.datastore.Datastore;
import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.KeyNotFoundException;
import io.weft.api.datastore.KeyValue;
import io.weft.api.provider.WeftProvider;
import io.weft.api.status.ComponentStatus;
import io.weft.api.status.Health;
import io.weft.datastore.memory.MemoryDatastore;

/**
 * The node's registration under {@code /weft/runtime/nodes/<node>}, driven the way DS drives it:
 * bind, swap (bind the new store, then unbind the old), unbind, deactivate.
 */
class NodeRegistrationTest {

    private static final String KEY = "/weft/runtime/nodes/node-a";
    private static final Instant NOW = Instant.parse("2026-05-01T10:00:00Z");
    private static final String NO_DATASTORE =
            "no datastore provider: install feature weft-datastore-embedded (or weft-datastore-memory)";

    private final List<MemoryDatastore> stores = new ArrayList<>();
    private final List<NodeRegistration> registrations = new ArrayList<>();

    private NodeRegistration registration(Duration ttl) {
        NodeRegistration registration = new NodeRegistration("node-a", "1.2.3", ttl, Clock.fixed(NOW, ZoneOffset.UTC));
        registrations.add(registration);
        return registration;
    }

    private MemoryDatastore store() {
        MemoryDatastore store = new MemoryDatastore();
        stores.add(store);
        return store;
    }

    private static Map<String, Object> provider(String name) {
        return Map.of(WeftProvider.PROPERTY, name, "service.id", 42L);
    }

    @AfterEach
    void stop() {
        registrations.forEach(NodeRegistration::deactivate);
        stores.forEach(MemoryDatastore::close);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, "timed out waiting until " + what);
            Thread.sleep(10);
        }
    }

    private static ComponentStatus awaitHealth(NodeRegistration registration, Health health) throws InterruptedException {
        await("status is " + health + " (last: " + registration.status() + ")",
                () -> registration.status().health() == health);
        return registration.status();
    }

    private static Optional<KeyValue> get(Datastore store, String key) {
        try {
            return store.get(key);
        } catch (DatastoreException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void withoutADatastoreStatusIsDownAndNamesTheFeatureToInstall() {
        ComponentStatus status = registration(Duration.ofSeconds(30)).status();

        assertEquals(new ComponentStatus("datastore", Health.DOWN, NO_DATASTORE, Map.of()), status);
    }

    @Test
    void bindRegistersTheNodeOnALeaseAndReportsUp() throws Exception {
        NodeRegistration registration = registration(Duration.ofSeconds(30));
        MemoryDatastore store = store();

        registration.bindDatastore(store, provider("memory"));

        ComponentStatus status = awaitHealth(registration, Health.UP);
        KeyValue kv = get(store, KEY).orElseThrow();
        assertEquals("node=node-a\nversion=1.2.3\ndatastore=memory\nregisteredAt=2026-05-01T10:00:00Z\n",
                kv.valueAsString());
        assertNotEquals(Datastore.NO_LEASE, kv.leaseId(), "the registration must die with the node");
        assertEquals("memory datastore, node registered", status.message());
        assertEquals(List.of("provider", "location", "registration", "registeredRevision"),
                List.copyOf(status.details().keySet()));
        assertEquals(Map.of("provider", "memory", "location", store.describe(), "registration", KEY,
                "registeredRevision", Long.toString(kv.modRevision())), status.details());
        assertEquals(KEY, registration.key());

        store.revokeLease(kv.leaseId());
        assertEquals(Optional.empty(), get(store, KEY), "the key is on the lease the node keeps alive");
    }

    @Test
    void aSwappedDatastoreGetsTheRegistration() throws Exception {
        NodeRegistration registration = registration(Duration.ofSeconds(30));
        MemoryDatastore first = store();
        MemoryDatastore second = store();
        registration.bindDatastore(first, provider("memory"));
        awaitHealth(registration, Health.UP);

        // DS with a greedy dynamic reference: bind the new provider, then unbind the old one
        registration.bindDatastore(second, provider("embedded"));
        registration.unbindDatastore(first);

        await("the registration appears in the new store", () -> get(second, KEY).isPresent());
        KeyValue kv = get(second, KEY).orElseThrow();
        assertNotEquals(Datastore.NO_LEASE, kv.leaseId());
        assertTrue(kv.valueAsString().contains("datastore=embedded\n"), kv.valueAsString());
        ComponentStatus status = awaitHealth(registration, Health.UP);
        assertEquals("embedded datastore, node registered", status.message());
        assertEquals(second.describe(), status.details().get("location"));
        assertEquals(Long.toString(kv.modRevision()), status.details().get("registeredRevision"));
    }

    @Test
    void unbindingTheOnlyDatastoreMakesStatusDown() throws Exception {
        NodeRegistration registration = registration(Duration.ofSeconds(30));
        MemoryDatastore store = store();
        registration.bindDatastore(store, provider("memory"));
        awaitHealth(registration, Health.UP);

        registration.unbindDatastore(store);

        ComponentStatus status = registration.status();
        assertEquals(Health.DOWN, status.health());
        assertEquals(NO_DATASTORE, status.message());
    }

    @Test
    void unbindingAStoreThatIsNoLongerBoundChangesNothing() throws Exception {
        NodeRegistration registration = registration(Duration.ofSeconds(30));
        MemoryDatastore bound = store();
        registration.bindDatastore(bound, provider("memory"));
        awaitHealth(registration, Health.UP);

        registration.unbindDatastore(store());

        assertEquals(Health.UP, registration.status().health());
    }

    @Test
    void deactivateRevokesTheLeaseSoTheRegistrationGoesAtOnce() throws Exception {
        NodeRegistration registration = registration(Duration.ofSeconds(30));
        MemoryDatastore store = store();
        registration.bindDatastore(store, provider("memory"));
        awaitHealth(registration, Health.UP);
        long lease = get(store, KEY).orElseThrow().leaseId();

        registration.deactivate();

        assertEquals(Optional.empty(), get(store, KEY));
        assertThrows(KeyNotFoundException.class, () -> store.keepAlive(lease), "the lease is revoked");
    }

    @Test
    void aLostLeaseIsReplacedByANewRegistration() throws Exception {
        NodeRegistration registration = registration(Duration.ofMillis(900)); // keep-alive every 300 ms
        MemoryDatastore store = store();
        registration.bindDatastore(store, provider("memory"));
        awaitHealth(registration, Health.UP);
        long lost = get(store, KEY).orElseThrow().leaseId();

        store.revokeLease(lost); // as if the node had been paused past its TTL

        await("the node registers again", () -> get(store, KEY).isPresent());
        KeyValue again = get(store, KEY).orElseThrow();
        assertNotEquals(lost, again.leaseId());
        awaitHealth(registration, Health.UP);
        assertEquals(Long.toString(again.modRevision()), registration.status().details().get("registeredRevision"));
    }

    @Test
    void aStoreThatRefusesTheRegistrationMakesStatusDegradedWithTheReason() throws Exception {
        NodeRegistration registration = registration(Duration.ofSeconds(30));
        MemoryDatastore stopped = store();
        stopped.close();

        registration.bindDatastore(stopped, provider("memory"));

        await("the registration fails", () -> !registration.status().message().equals("registering"));
        ComponentStatus status = registration.status();
        assertEquals(Health.DEGRADED, status.health());
        assertEquals("memory (volatile, lost on restart) is closed (its bundle was stopped or is restarting)",
                status.message());
        assertEquals("memory", status.details().get("provider"));
    }
}
