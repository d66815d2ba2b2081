package io.weft.datastore.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With fsync on, every acknowledged write is flushed, yet concurrent writers share flushes:
 * far fewer fsyncs than writes, and everything is there after reopening.
 */
class GroupCommitTest {

    @Test
    void concurrentWritersShareFlushesAndEveryAcknowledgedWriteSurvives(@TempDir Path dir) throws Exception {
        int writers = 8;
        int perWriter = 300;
        try (EmbeddedDatastore store = EmbeddedDatastore.durable(dir)) {
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perWriter; i++) {
                        store.put("/gc/" + writer + "/" + i, ("v" + i).getBytes(StandardCharsets.UTF_8), 0);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            long flushes = store.journalFlushes();
            assertTrue(flushes > 0, "fsync on: the journal flushed");
            assertTrue(flushes < writers * perWriter,
                    "group commit: " + flushes + " flushes for " + writers * perWriter + " writes");
            store.deactivate();
        }
        try (EmbeddedDatastore reopened = new EmbeddedDatastore(dir, 64L << 20)) {
            assertEquals(writers * perWriter, reopened.list("/gc/").entries().size());
            assertEquals(writers * perWriter, reopened.revision());
            reopened.deactivate();
        }
    }
}
