package io.weft.datastore.kv;

import java.io.IOException;

import io.weft.api.datastore.WatchEvent;

/**
 * Where the engine writes each change before applying it (write-ahead). A change is
 * acknowledged to the caller only after {@link #append} returned and, outside the engine's lock,
 * {@link #awaitDurable} returned: so appends stay cheap under the lock while one flush to disk
 * can cover many concurrent writers (group commit).
 */
public interface Journal extends AutoCloseable {

    /** A journal that keeps nothing: the store lives and dies with the process. */
    Journal NONE = event -> {
    };

    /** Records one change. Called under the engine's write lock, in revision order. */
    void append(WatchEvent event) throws IOException;

    /**
     * Returns once everything appended before this call is as durable as the journal promises
     * (for example flushed to disk). Called by each writer after the engine's lock is released.
     */
    default void awaitDurable() throws IOException {
    }

    @Override
    default void close() throws IOException {
    }
}
