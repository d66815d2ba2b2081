package io.weft.codec.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.weft.api.model.AffinityState;
import io.weft.api.model.AllocationAttribute;
import io.weft.api.model.BlockAffinity;
import io.weft.api.model.BlockAffinitySpec;
import io.weft.api.model.IPAMBlock;
import io.weft.api.model.IPAMBlockSpec;
import io.weft.api.model.IPAMConfig;
import io.weft.api.model.IPAMConfigSpec;
import io.weft.api.model.IPAMHandle;
import io.weft.api.model.IPAMHandleSpec;
import io.weft.api.model.IPPool;
import io.weft.api.model.ObjectMeta;
import io.weft.api.model.Resource;
import io.weft.api.resource.InvalidResourceException;

/**
 * The direct stored-JSON path for IPAM's kinds must be indistinguishable from the generic one:
 * the same bytes written, the same resource read, and the generic reader's errors for anything
 * it does not handle itself.
 */
class StoredIpamJsonTest {

    private final JacksonResourceCodec codec = new JacksonResourceCodec();

    private static ObjectMeta meta(Random random, String name) {
        Map<String, String> labels = random.nextBoolean() ? Map.of() : Map.of("a", "b<&>", "zone", "ü-1");
        return new ObjectMeta(name, null, labels, random.nextBoolean() ? Map.of() : Map.of("note", "x\"y\\z\n"),
                random.nextBoolean() ? null : "uid-" + random.nextInt(1000),
                random.nextBoolean() ? null : Long.toString(random.nextInt(100_000)),
                random.nextBoolean() ? null : Instant.ofEpochSecond(1_700_000_000L + random.nextInt(1_000_000)));
    }

    /** A block in a random but valid state, as the allocator leaves them. */
    private static IPAMBlock randomBlock(Random random) {
        int size = 1 << (1 + random.nextInt(7));
        List<Integer> allocations = new ArrayList<>();
        List<Integer> unallocated = new ArrayList<>();
        List<AllocationAttribute> attributes = new ArrayList<>();
        Map<String, Long> sequences = new LinkedHashMap<>();
        for (int i = 0; i < size; i++) {
            if (random.nextInt(3) == 0) {
                unallocated.add(i);
                allocations.add(null);
            } else {
                allocations.add(attributes.size());
                sequences.put(Integer.toString(i), (long) random.nextInt(1 << 20));
                attributes.add(new AllocationAttribute(random.nextInt(10) == 0 ? null : "k8s-pod-network." + i,
                        random.nextBoolean() ? Map.of() : Map.of("node", "node-" + i, "pod", "p<" + i + ">",
                                "namespace", "default", "timestamp", "2026-11-22 19:00:00.1 +0000 UTC")));
            }
        }
        return new IPAMBlock(meta(random, "10-0-0-0-" + (32 - Integer.numberOfTrailingZeros(size))),
                new IPAMBlockSpec("10.0.0.0/" + (32 - Integer.numberOfTrailingZeros(size)),
                        random.nextBoolean() ? null : "host:node-" + random.nextInt(5), random.nextBoolean(),
                        allocations, unallocated, attributes, random.nextInt(5) == 0,
                        random.nextLong() & Long.MAX_VALUE, sequences));
    }

    private static List<Resource> samples() {
        Random random = new Random(42);
        List<Resource> out = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            out.add(randomBlock(random));
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (int b = random.nextInt(3); b > 0; b--) {
                counts.put("10.0." + b + ".0/26", 1 + random.nextInt(64));
            }
            out.add(new IPAMHandle(meta(random, "h" + i), new IPAMHandleSpec(random.nextInt(10) == 0 ? null : "h" + i,
                    counts, random.nextInt(5) == 0)));
            AffinityState[] states = AffinityState.values();
            out.add(new BlockAffinity(meta(random, "node-" + i + "-10-0-0-0-26"), new BlockAffinitySpec(
                    random.nextInt(10) == 0 ? null : states[random.nextInt(states.length)], "node-" + i,
                    random.nextBoolean() ? null : "host", "10.0.0.0/26", random.nextBoolean())));
        }
        // the smallest values: everything empty or absent
        out.add(new IPAMBlock(null, null));
        out.add(new IPAMHandle(ObjectMeta.named("empty"), IPAMHandleSpec.EMPTY));
        out.add(new BlockAffinity(ObjectMeta.named("empty"), new BlockAffinitySpec(null, null, null, null, false)));
        return out;
    }

    @Test
    void writesTheGenericPathsBytesAndReadsWhatItReads() throws InvalidResourceException {
        for (Resource r : samples()) {
            byte[] generic = JacksonResourceCodec.toStoredBytesGeneric(r);
            byte[] direct = StoredIpamJson.write(r);
            assertArrayEquals(generic, direct, () -> "bytes differ for " + new String(generic, StandardCharsets.UTF_8));
            Resource read = StoredIpamJson.read(direct);
            assertEquals(JacksonResourceCodec.fromStoredBytesGeneric(generic), read,
                    () -> "read differs for " + new String(generic, StandardCharsets.UTF_8));
            assertEquals(r, codec.fromStoredBytes(codec.toStoredBytes(r)));
        }
    }

    /**
     * A block written again and again as the allocator does, keeping its attribute objects: the
     * JSON taken over from the last write (matched by identity) must still be exactly the
     * generic path's, whatever came and went, moved or was replaced in between.
     */
    @Test
    void successiveWritesOfOneBlockStayTheGenericPathsBytes() throws InvalidResourceException {
        Random random = new Random(7);
        List<AllocationAttribute> attributes = new ArrayList<>();
        int handles = 0;
        for (int write = 0; write < 400; write++) {
            int change = random.nextInt(6);
            if (change <= 1 || attributes.isEmpty()) { // a pod start appends its attribute
                attributes.add(new AllocationAttribute("pod-" + handles++, Map.of("node", "n1", "pod", "p" + handles)));
            } else if (change == 2) { // a pod stop drops one anywhere
                attributes.remove(random.nextInt(attributes.size()));
            } else if (change == 3) { // an equal attribute in a new object (a block read afresh)
                int i = random.nextInt(attributes.size());
                AllocationAttribute old = attributes.get(i);
                attributes.set(i, new AllocationAttribute(old.handleId(), old.secondary()));
            } else if (change == 4) { // another attribute in the same place
                attributes.set(random.nextInt(attributes.size()), new AllocationAttribute("other-" + handles++,
                        Map.of("note", "x\"" + write)));
            } else { // two swap places
                java.util.Collections.swap(attributes, random.nextInt(attributes.size()),
                        random.nextInt(attributes.size()));
            }
            List<Integer> allocations = new ArrayList<>();
            for (int i = 0; i < attributes.size(); i++) {
                allocations.add(i);
            }
            IPAMBlock block = new IPAMBlock(new ObjectMeta("10-1-0-0-20", null, Map.of(), Map.of(), "uid-1",
                    Long.toString(write), Instant.ofEpochSecond(1_700_000_000L)),
                    new IPAMBlockSpec("10.1.0.0/20", "host:n1", false, allocations, List.of(),
                            List.copyOf(attributes), false, write, Map.of()));
            String expected = new String(JacksonResourceCodec.toStoredBytesGeneric(block), StandardCharsets.UTF_8);
            assertEquals(expected, new String(codec.toStoredBytes(block), StandardCharsets.UTF_8), "write " + write);
        }
    }

    @Test
    void readsFieldsInAnyOrderAndSkipsFieldsANewerWriterAdded() {
        String stored = "{\"apiVersion\":\"projectcalico.org/v3\",\"kind\":\"IPAMHandle\",\"future\":{\"x\":[1,2]},"
                + "\"metadata\":{\"name\":\"h\",\"generation\":3},"
                + "\"spec\":{\"block\":{\"10.0.0.0/26\":2},\"later\":true,\"handleID\":\"h\",\"deleted\":false}}";
        Resource direct = StoredIpamJson.read(stored.getBytes(StandardCharsets.UTF_8));
        assertEquals(new IPAMHandle(ObjectMeta.named("h"), new IPAMHandleSpec("h", Map.of("10.0.0.0/26", 2), false)),
                direct);
    }

    @Test
    void leavesOtherKindsAndOddValuesToTheGenericReader() throws InvalidResourceException {
        IPPool pool = new IPPool(ObjectMeta.named("p"), io.weft.codec.Defaults.ipPool(
                new io.weft.api.model.IPPoolSpec("10.1.0.0/16", 26, null, null, false, false, false, null, null, null)));
        byte[] poolBytes = codec.toStoredBytes(pool);
        assertNull(StoredIpamJson.write(pool));
        assertNull(StoredIpamJson.read(poolBytes));
        assertEquals(pool, codec.fromStoredBytes(poolBytes));

        // an allocation that is not an attribute index: not guessed at, the generic reader names it
        String odd = "{\"kind\":\"IPAMBlock\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"b\"},"
                + "\"spec\":{\"cidr\":\"10.0.0.0/30\",\"allocations\":[\"zero\",null,null,null],\"unallocated\":[1,2,3],"
                + "\"attributes\":[{\"handle_id\":\"h\"}]}}";
        assertNull(StoredIpamJson.read(odd.getBytes(StandardCharsets.UTF_8)));
        InvalidResourceException e = assertThrows(InvalidResourceException.class,
                () -> codec.fromStoredBytes(odd.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("spec.allocations[0] must be an attribute index or null"), e.getMessage());
        String negative = odd.replace("[\"zero\",", "[-1,");
        assertNull(StoredIpamJson.read(negative.getBytes(StandardCharsets.UTF_8)));
        assertThrows(InvalidResourceException.class, () -> codec.fromStoredBytes(negative.getBytes(StandardCharsets.UTF_8)));
        byte[] truncated = "{\"kind\":\"IPAMBlock\",\"apiVersion\":\"projectcalico.org/v3\",\"spec\":{\"cidr\":"
                .getBytes(StandardCharsets.UTF_8);
        assertNull(StoredIpamJson.read(truncated));
        InvalidResourceException t = assertThrows(InvalidResourceException.class, () -> codec.fromStoredBytes(truncated));
        assertTrue(t.getMessage().startsWith("stored value: JSON is malformed"), t.getMessage());
    }

    @Test
    void maxBlocksPerHostZeroMeansNoLimitAndSurvivesWriteAndRead() throws InvalidResourceException {
        IPAMConfig zero = (IPAMConfig) codec.read("apiVersion: projectcalico.org/v3\nkind: IPAMConfiguration\n"
                + "metadata:\n  name: default\nspec:\n  maxBlocksPerHost: 0\n").get(0);
        assertEquals(0, zero.spec().maxBlocksPerHost());
        assertEquals(zero, codec.fromStoredBytes(codec.toStoredBytes(zero)));
        assertTrue(codec.writeYaml(List.of(zero)).contains("  maxBlocksPerHost: 0\n"), codec.writeYaml(List.of(zero)));
        assertEquals(zero, codec.read(codec.writeJson(List.of(zero))).get(0));

        IPAMConfig unset = (IPAMConfig) codec.read("apiVersion: projectcalico.org/v3\nkind: IPAMConfiguration\n"
                + "metadata:\n  name: default\nspec:\n  strictAffinity: false\n").get(0);
        assertNull(unset.spec().maxBlocksPerHost());
        assertEquals(unset, codec.fromStoredBytes(codec.toStoredBytes(unset)));
        assertTrue(!codec.writeYaml(List.of(unset)).contains("maxBlocksPerHost"));
        assertEquals(new IPAMConfigSpec(false, true, 7), ((IPAMConfig) codec.fromStoredBytes(codec.toStoredBytes(
                new IPAMConfig(ObjectMeta.named("default"), new IPAMConfigSpec(false, true, 7))))).spec());
    }
}
