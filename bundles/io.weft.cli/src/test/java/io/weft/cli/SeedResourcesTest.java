package io.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.weft.api.model.Resource;
import io.weft.codec.internal.JacksonResourceCodec;
import io.weft.codec.internal.SeedBlocks;
import io.weft.core.DatastoreResourceStore;
import io.weft.datastore.memory.MemoryDatastore;

/**
 * Every Calico resource in the seeds applies as written and reads back with {@code get -o yaml}
 * equal to what was applied, modulo defaults and the fields the store adds (resourceVersion,
 * uid, creationTimestamp).
 */
class SeedResourcesTest {

    @Test
    void everySeedResourceAppliesAndReadsBack() throws Exception {
        JacksonResourceCodec codec = new JacksonResourceCodec();
        int checked = 0;
        for (String seed : List.of("000.md", "001.md", "002.md")) {
            for (SeedBlocks.Block block : SeedBlocks.of(seed)) {
                if (!block.isCalicoResource()) {
                    continue;
                }
                try (MemoryDatastore datastore = new MemoryDatastore()) {
                    ResourceCommands commands = new ResourceCommands(
                            new DatastoreResourceStore(datastore, codec, Clock.systemUTC()), codec);
                    ResourceCommands.Outcome applied = commands.apply(block.yaml());
                    assertEquals(0, applied.exitCode(), block + ": " + applied.err());
                    for (Resource written : codec.read(block.yaml())) {
                        String ns = written.kind().namespaced() ? written.metadata().namespace() : null;
                        ResourceCommands.Outcome got = commands.get(written.kind().plural(), List.of(written.name()), ns,
                                false, "yaml");
                        assertEquals(0, got.exitCode(), block + ": " + got.err());
                        Resource read = codec.read(got.out()).get(0);
                        assertEquals(stripped(written), stripped(read), block + " " + written.kind().kind() + " " + written.name());
                        assertTrue(read.metadata().resourceVersion() != null && read.metadata().creationTimestamp() != null);
                        checked++;
                    }
                }
            }
        }
        assertEquals(29, checked, "the seeds hold 29 Calico resources");
    }

    /** The resource without what the store adds. */
    private static Resource stripped(Resource r) {
        return r.kind().withMetadata(r, r.metadata().withResourceVersion(null).withCreation(null, null));
    }
}
