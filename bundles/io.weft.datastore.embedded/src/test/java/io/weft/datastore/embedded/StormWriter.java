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
 * kill can also land in the middle of a snapshot.
 */
public final class StormWriter {

    private StormWriter() {
    }

    public static void main(String[] args) throws Exception {
        EmbeddedDatastore store = new EmbeddedDatastore(Path.of(args[0]), 16 * 1024);
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
