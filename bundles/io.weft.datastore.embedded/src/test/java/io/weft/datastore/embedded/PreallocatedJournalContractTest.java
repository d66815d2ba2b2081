package io.weft.datastore.embedded;

import io.weft.api.datastore.Datastore;

/**
 * The Datastore contract again with the production journal: fsync on and zeros written ahead of
 * the records (64 KiB here, so that the background thread and the writers both extend the file),
 * each test followed by a reopen with the same settings.
 */
class PreallocatedJournalContractTest extends EmbeddedDatastoreContractTest {

    private static final long AHEAD = 64 * 1024;

    @Override
    protected Datastore newStore() throws Exception {
        return new EmbeddedDatastore(dir, 64L * 1024 * 1024, HISTORY, clock, AHEAD);
    }

    @Override
    protected EmbeddedDatastore reopen() throws Exception {
        return EmbeddedDatastore.durable(dir, 64L * 1024 * 1024, AHEAD);
    }
}
