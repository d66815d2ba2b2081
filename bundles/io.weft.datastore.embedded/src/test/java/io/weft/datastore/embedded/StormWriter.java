package io.weft.datastore.embedded;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import io.weft.api.datastore.Datastore;
import io.weft.api.datastore.KeyValue;

/**
 * The child JVM of {@link EmbeddedRecoveryTest}'s kill -9 test: puts {@code /storm/<n> =
 * value-<n>} as fast as it can and prints {@code ack <n> <revision> ok} once each put has
 * returned, until it is killed. The snapshot threshold is tiny and it compacts often, so the
 * kill can also land in the middle of a snapshot. With a second argument {@code durable} it
 * flushes before acknowledging and keeps 32 KiB of zeros ahead of the journal's records (the
 * production setting, scaled down so that the kill can land while they are being written).
 */
public final class StormWriter {

    private StormWriter() {
    }

    public static void main(String[] args) throws Exception {
        EmbeddedDatastore store = args.length > 1 && args[1].equals("durable")
                ? EmbeddedDatastore.durable(Path.of(args[0]), 128 * 1024, 32 * 1024)
                : new EmbeddedDatastore(Path.of(args[0]), 16 * 1024);
        PrintStream out = System.out;
        for (long n = 0; ; n++) {
            KeyValue kv = store.put("/storm/" + n, ("value-" + n).getBytes(StandardCharsets.UTF_8), Datastore.NO_LEASE);
            out.println("ack " + n + " " + kv.modRevision() + " ok");
            out.flush();
            if (n % 100 == 99) {
                store.compactIfDue();
            }
        }
    }
}
