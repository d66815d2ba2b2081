package io.weft.api.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ResourceKindTest {

    @Test
    void findsKindsByKindPluralAndShortNames() {
        Map<String, ResourceKind<?>> expected = Map.ofEntries(
                Map.entry("IPPool", ResourceKind.IP_POOL),
                Map.entry("ippools", ResourceKind.IP_POOL),
                Map.entry("pool", ResourceKind.IP_POOL),
                Map.entry("pools", ResourceKind.IP_POOL),
                Map.entry("bgpconfig", ResourceKind.BGP_CONFIGURATION),
                Map.entry("bgpconfigurations", ResourceKind.BGP_CONFIGURATION),
                Map.entry("peer", ResourceKind.BGP_PEER),
                Map.entry("bgppeers", ResourceKind.BGP_PEER),
                Map.entry("no", ResourceKind.NODE),
                Map.entry("nodes", ResourceKind.NODE),
                Map.entry("wep", ResourceKind.WORKLOAD_ENDPOINT),
                Map.entry("felixconfig", ResourceKind.FELIX_CONFIGURATION),
                Map.entry("ipamblocks", ResourceKind.IPAM_BLOCK),
                Map.entry("blockaffinities", ResourceKind.BLOCK_AFFINITY),
                Map.entry("ipamhandles", ResourceKind.IPAM_HANDLE),
                Map.entry("ipamconfigs", ResourceKind.IPAM_CONFIG),
                Map.entry("IPAMConfiguration", ResourceKind.IPAM_CONFIG),
                Map.entry("ipreservations", ResourceKind.IP_RESERVATION),
                Map.entry("policy", ResourceKind.NETWORK_POLICY),
                Map.entry("netpol", ResourceKind.NETWORK_POLICY),
                Map.entry("gnp", ResourceKind.GLOBAL_NETWORK_POLICY),
                Map.entry("globalnetworkpolicies", ResourceKind.GLOBAL_NETWORK_POLICY));
        expected.forEach((name, kind) -> assertSame(kind, ResourceKind.byName(name).orElseThrow(), name));
    }

    @Test
    void lookupIgnoresCase() {
        assertSame(ResourceKind.IP_POOL, ResourceKind.byName("IPPOOLS").orElseThrow());
        assertSame(ResourceKind.IP_POOL, ResourceKind.byName("ipPool").orElseThrow());
        assertSame(ResourceKind.GLOBAL_NETWORK_POLICY, ResourceKind.byName("GNP").orElseThrow());
        assertSame(ResourceKind.BGP_CONFIGURATION, ResourceKind.byName("BgpConfiguration").orElseThrow());
    }

    @Test
    void unknownNamesAreEmpty() {
        assertEquals(Optional.empty(), ResourceKind.byName("hostendpoint"));
        assertEquals(Optional.empty(), ResourceKind.byName("ippool "));
        assertEquals(Optional.empty(), ResourceKind.byName(""));
        assertEquals(Optional.empty(), ResourceKind.byName(null));
    }

    @Test
    void everyKindResolvesToItselfByEveryName() {
        for (ResourceKind<?> kind : ResourceKind.all()) {
            assertSame(kind, ResourceKind.byName(kind.kind()).orElseThrow());
            assertSame(kind, ResourceKind.byName(kind.plural()).orElseThrow());
            for (String alias : kind.aliases()) {
                assertSame(kind, ResourceKind.byName(alias).orElseThrow(), alias);
                assertEquals(alias.toLowerCase(Locale.ROOT), alias);
            }
            assertEquals(kind.plural().toLowerCase(Locale.ROOT), kind.plural());
            assertEquals(kind.kind(), kind.type().getSimpleName());
            assertEquals(kind.kind(), kind.toString());
        }
    }

    @Test
    void listsAllThirteenKindsOnce() {
        List<ResourceKind<?>> all = ResourceKind.all();
        assertEquals(13, all.size());
        assertEquals(13, new HashSet<>(all).size());
        Set<String> namespaced = all.stream().filter(ResourceKind::namespaced).map(ResourceKind::kind)
                .collect(Collectors.toSet());
        assertEquals(Set.of("WorkloadEndpoint", "NetworkPolicy"), namespaced);
        assertThrows(UnsupportedOperationException.class, () -> all.add(ResourceKind.IP_POOL));
    }

    @Test
    void recordsReportTheirKindAndTolerateMissingSections() throws Exception {
        for (ResourceKind<?> kind : ResourceKind.all()) {
            Resource empty = newWithNulls(kind.type());
            assertSame(kind, empty.kind(), kind.kind());
            assertNull(empty.name());
            assertTrue(empty.metadata().labels().isEmpty());
        }
    }

    @Test
    void withMetadataWorksWithoutKnowingTheType() {
        Resource pool = new IPPool(ObjectMeta.named("default-ipv4"), IPPoolSpec.of("10.244.0.0/16"));
        ResourceKind<?> kind = pool.kind();
        Resource stored = kind.withMetadata(pool, pool.metadata().withResourceVersion("42"));
        assertEquals("42", stored.metadata().resourceVersion());
        assertEquals("default-ipv4", stored.name());
        assertEquals(((IPPool) pool).spec(), ((IPPool) stored).spec());
    }

    @Test
    void castRejectsOtherKinds() {
        Resource node = new Node(ObjectMeta.named("worker1"), null);
        assertSame(node, ResourceKind.NODE.cast(node));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResourceKind.IP_POOL.cast(node));
        assertEquals("expected kind IPPool, got Node \"worker1\"", e.getMessage());
    }

    @Test
    void apiVersion() {
        assertEquals("projectcalico.org/v3", Resource.API_VERSION);
    }

    private static Resource newWithNulls(Class<? extends Resource> type) throws Exception {
        RecordComponent[] components = type.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            assertFalse(types[i].isPrimitive(), type.getSimpleName());
        }
        Constructor<? extends Resource> canonical = type.getDeclaredConstructor(types);
        return canonical.newInstance(new Object[components.length]);
    }
}
