package io.weft.datastore.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import io.weft.api.datastore.Datastore;
import io.weft.api.datastore.DatastoreUnavailableException;
import io.weft.api.datastore.KeyValue;
import io.weft.api.datastore.Snapshot;
import io.weft.datastore.kv.DatastoreContractTest;
import io.weft.datastore.kv.ManualNanoClock;
import io.weft.datastore.kv.RevisionedStore;

/**
 * The Datastore contract against the embedded store on disk. After every test the directory is
 * also reopened: whatever the test left must come back, minus leased keys, which recovery drops.
 */
class EmbeddedDatastoreContractTest extends DatastoreContractTest {

    static final int HISTORY = 16;

    @TempDir
    Path dir;

    final ManualNanoClock clock = new ManualNanoClock();

    @Override
    protected Datastore newStore() throws Exception {
        return new EmbeddedDatastore(dir, 64L * 1024 * 1024, HISTORY, clock);
    }

    /** The same directory opened again after the test, as the test's store was configured. */
    protected EmbeddedDatastore reopen() throws Exception {
        return new EmbeddedDatastore(dir, 64L * 1024 * 1024);
    }

    @Override
    protected void elapse(Duration time) {
        clock.advance(time);
        expireLeasesNow((RevisionedStore) store);
    }

    @Override
    protected int historyLimit() {
        return HISTORY;
    }

    @AfterEach
    void whatTheTestWroteSurvivesAReopen() throws Exception {
        Snapshot before;
        try {
            before = store.list("");
        } catch (DatastoreUnavailableException closedByTheTest) {
            return;
        }
        close(store);
        List<KeyValue> durable = before.entries().stream().filter(kv -> kv.leaseId() == Datastore.NO_LEASE).toList();
        long leased = before.entries().size() - durable.size();

        try (EmbeddedDatastore reopened = reopen()) {
            Snapshot after = reopened.list("");
            assertEquals(durable, after.entries());
            assertEquals(before.revision() + leased, after.revision(),
                    "recovery takes one revision per leased key it deletes, and no other");
        }
    }
}
