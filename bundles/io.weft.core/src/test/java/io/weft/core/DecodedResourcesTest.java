package io.weft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.weft.api.model.AllocationAttribute;
import io.weft.api.model.IPAMBlock;
import io.weft.api.model.IPAMBlockSpec;
import io.weft.api.model.ObjectMeta;
import io.weft.api.model.ResourceKind;
import io.weft.codec.internal.JacksonResourceCodec;
import io.weft.datastore.memory.MemoryDatastore;

/** Reusing decoded values must never show anything but what is stored now. */
class DecodedResourcesTest {

    private final MemoryDatastore datastore = new MemoryDatastore();

    @AfterEach
    void tearDown() {
        datastore.close();
    }

    private static IPAMBlock block(int allocated) {
        return new IPAMBlock(ObjectMeta.named("10-0-0-0-30"), new IPAMBlockSpec("10.0.0.0/30", "host:n1", false,
                java.util.Arrays.asList(allocated > 0 ? 0 : null, null, null, null),
                allocated > 0 ? List.of(1, 2, 3) : List.of(0, 1, 2, 3),
                allocated > 0 ? List.of(new AllocationAttribute("h", Map.of("node", "n1"))) : List.of(), false,
                allocated, Map.of()));
    }

    @Test
    void aValueWrittenAndReadBackEqualsAFreshDecodeAndAnotherWritersChangeIsSeen() throws Exception {
        DatastoreResourceStore mine = new DatastoreResourceStore(datastore, new JacksonResourceCodec(), Clock.systemUTC());
        DatastoreResourceStore other = new DatastoreResourceStore(datastore, new JacksonResourceCodec(), Clock.systemUTC());
        IPAMBlock written = mine.create(block(0));
        IPAMBlock again = mine.get(ResourceKind.IPAM_BLOCK, null, "10-0-0-0-30").orElseThrow();
        assertEquals(written, again);
        assertEquals(other.get(ResourceKind.IPAM_BLOCK, null, "10-0-0-0-30").orElseThrow(), again,
                "what the writer remembers is what a fresh decode reads");

        IPAMBlock changed = other.update(again.withSpec(block(1).spec()));
        IPAMBlock seen = mine.get(ResourceKind.IPAM_BLOCK, null, "10-0-0-0-30").orElseThrow();
        assertEquals(changed, seen);
        assertEquals(0, seen.spec().allocations().get(0));
        assertEquals(changed.metadata().resourceVersion(), seen.metadata().resourceVersion());

        // deleted and created again with the old content: a new revision, decoded afresh
        other.delete(ResourceKind.IPAM_BLOCK, null, "10-0-0-0-30");
        IPAMBlock recreated = other.create(block(0));
        assertEquals(recreated, mine.get(ResourceKind.IPAM_BLOCK, null, "10-0-0-0-30").orElseThrow());
    }

    @Test
    void aCommitWritesAllOrNothingAndReturnsTheNewVersions() throws Exception {
        DatastoreResourceStore store = new DatastoreResourceStore(datastore, new JacksonResourceCodec(), Clock.systemUTC());
        IPAMBlock b = store.create(block(0));
        io.weft.api.model.IPAMHandle h = new io.weft.api.model.IPAMHandle(ObjectMeta.named("h"),
                new io.weft.api.model.IPAMHandleSpec("h", Map.of("10.0.0.0/30", 1), false));
        List<io.weft.api.model.Resource> written = store.commit(List.of(
                io.weft.api.resource.ResourceWrite.create(h), io.weft.api.resource.ResourceWrite.update(
                        b.withSpec(block(1).spec()))));
        assertEquals(written.get(0), store.get(ResourceKind.IPAM_HANDLE, null, "h").orElseThrow());
        assertEquals(written.get(1), store.get(ResourceKind.IPAM_BLOCK, null, "10-0-0-0-30").orElseThrow());

        // the block at its old version: nothing of the batch is written
        io.weft.api.model.IPAMHandle h2 = new io.weft.api.model.IPAMHandle(ObjectMeta.named("h2"), h.spec());
        org.junit.jupiter.api.Assertions.assertThrows(io.weft.api.datastore.RevisionConflictException.class,
                () -> store.commit(List.of(io.weft.api.resource.ResourceWrite.create(h2),
                        io.weft.api.resource.ResourceWrite.update(b))));
        assertEquals(java.util.Optional.empty(), store.get(ResourceKind.IPAM_HANDLE, null, "h2"));
        org.junit.jupiter.api.Assertions.assertThrows(io.weft.api.resource.InvalidResourceException.class,
                () -> store.commit(List.of(io.weft.api.resource.ResourceWrite.delete(h))),
                "a delete needs the version it was read at");
        store.commit(List.of(io.weft.api.resource.ResourceWrite.delete(written.get(0))));
        assertEquals(java.util.Optional.empty(), store.get(ResourceKind.IPAM_HANDLE, null, "h"));
    }

    @Test
    void stayBoundedAndIgnoreAnEntryWhoseBytesDiffer() {
        DecodedResources cache = new DecodedResources(3);
        IPAMBlock b = block(0);
        byte[] bytes = {1, 2, 3};
        cache.put("/k", 5, bytes, b);
        assertEquals(b, cache.get(new io.weft.api.datastore.KeyValue("/k", new byte[] {1, 2, 3}, 1, 5, 1, 0)));
        assertEquals(null, cache.get(new io.weft.api.datastore.KeyValue("/k", new byte[] {1, 2, 4}, 1, 5, 1, 0)),
                "same revision, other bytes (a swapped datastore): not used");
        assertEquals(null, cache.get(new io.weft.api.datastore.KeyValue("/k", bytes, 1, 6, 1, 0)));
        for (int i = 0; i < 10; i++) {
            cache.put("/k" + i, i, bytes, b);
        }
        assertEquals(true, cache.size() <= 3);
    }
}
