package io.weft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.weft.api.datastore.RevisionConflictException;
import io.weft.api.model.EncapsulationMode;
import io.weft.api.model.IPPool;
import io.weft.api.model.ResourceKind;
import io.weft.api.resource.InvalidResourceException;
import io.weft.codec.internal.JacksonResourceCodec;
import io.weft.datastore.memory.MemoryDatastore;

/** The typed store's compare-and-swap and the first-start defaults from the seeds' environment. */
class ResourceStoreAndBootstrapTest {

    private MemoryDatastore datastore;
    private DatastoreResourceStore store;

    @BeforeEach
    void setUp() {
        datastore = new MemoryDatastore();
        store = new DatastoreResourceStore(datastore, new JacksonResourceCodec(), Clock.systemUTC());
    }

    @AfterEach
    void tearDown() {
        datastore.close();
    }

    static BootstrapConfig defaults() {
        return new BootstrapConfig() {
            public Class<? extends Annotation> annotationType() { return BootstrapConfig.class; }
            public boolean createDefaultPools() { return true; }
            public String ipv4PoolCidr() { return "192.168.0.0/16"; }
            public int ipv4PoolBlockSize() { return 26; }
            public String ipv4PoolIpip() { return "Always"; }
            public String ipv4PoolVxlan() { return "Never"; }
            public boolean ipv4PoolNatOutgoing() { return true; }
            public long asNumber() { return 64512; }
        };
    }

    @Test
    void newResourcesGetDistinctVersion4Uids() {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String uid = DatastoreResourceStore.newUid();
            java.util.UUID parsed = java.util.UUID.fromString(uid);
            assertEquals(4, parsed.version(), uid);
            assertEquals(2, parsed.variant(), uid); // RFC 4122 (IETF) variant
            assertEquals(uid, parsed.toString());
            assertTrue(seen.add(uid), "uid repeated: " + uid);
        }
    }

    @Test
    void seedEnvironmentMakesTheSeedsPool() throws Exception {
        // seed 000: CALICO_IPV4POOL_CIDR=10.244.0.0/16, CALICO_IPV4POOL_BLOCK_SIZE=24
        FirstStartBootstrap boot = new FirstStartBootstrap(defaults(), Map.of(
                "CALICO_IPV4POOL_CIDR", "10.244.0.0/16", "CALICO_IPV4POOL_BLOCK_SIZE", "24"));
        assertEquals(List.of("IPPool default-ipv4-ippool 10.244.0.0/16", "BGPConfiguration default"),
                boot.ensureDefaults(store));
        IPPool pool = store.get(ResourceKind.IP_POOL, null, "default-ipv4-ippool").orElseThrow();
        assertEquals(24, pool.spec().blockSize());
        assertEquals(EncapsulationMode.ALWAYS, pool.spec().ipipMode());
        assertTrue(pool.spec().natOutgoing());
        assertNotNull(pool.metadata().creationTimestamp());
        assertEquals(64512L, store.get(ResourceKind.BGP_CONFIGURATION, null, "default").orElseThrow().spec().asNumber());
        // a second node (or a restart) finds them and creates nothing
        assertEquals(List.of(), boot.ensureDefaults(store));
    }

    @Test
    void vxlanEnvironmentTurnsIpipOff() throws Exception {
        FirstStartBootstrap boot = new FirstStartBootstrap(defaults(), Map.of("CALICO_IPV4POOL_VXLAN", "Always"));
        IPPool pool = boot.defaultPool();
        assertEquals(EncapsulationMode.NEVER, pool.spec().ipipMode());
        assertEquals(EncapsulationMode.ALWAYS, pool.spec().vxlanMode());
    }

    @Test
    void badEnvironmentIsReportedAndCreatesNothing() throws Exception {
        FirstStartBootstrap boot = new FirstStartBootstrap(defaults(), Map.of("CALICO_IPV4POOL_BLOCK_SIZE", "33"));
        InvalidResourceException e = assertThrows(InvalidResourceException.class, () -> boot.ensureDefaults(store));
        assertTrue(e.getMessage().contains("blockSize"), e.getMessage());
        assertEquals(List.of(), store.list(ResourceKind.IP_POOL, null));
        FirstStartBootstrap none = new FirstStartBootstrap(defaults(), Map.of("NO_DEFAULT_POOLS", "true"));
        none.ensureDefaults(store);
        assertEquals(List.of(), store.list(ResourceKind.IP_POOL, null));
    }

    @Test
    void updatesAreCompareAndSwapOnTheResourceVersion() throws Exception {
        new FirstStartBootstrap(defaults(), Map.of()).ensureDefaults(store);
        IPPool read = store.get(ResourceKind.IP_POOL, null, "default-ipv4-ippool").orElseThrow();
        IPPool changed = read.withSpec(new io.weft.api.model.IPPoolSpec(read.spec().cidr(), read.spec().blockSize(),
                read.spec().ipipMode(), read.spec().vxlanMode(), false, read.spec().disabled(), read.spec().disableBGPExport(),
                read.spec().nodeSelector(), read.spec().allowedUses(), read.spec().assignmentMode()));
        IPPool updated = store.update(changed);
        assertEquals(read.metadata().uid(), updated.metadata().uid(), "identity kept");
        assertEquals(read.metadata().creationTimestamp(), updated.metadata().creationTimestamp());
        // a second writer holding the old version loses
        assertThrows(RevisionConflictException.class, () -> store.update(changed));
        assertEquals(false, store.get(ResourceKind.IP_POOL, null, "default-ipv4-ippool").orElseThrow().spec().natOutgoing());
    }
}
