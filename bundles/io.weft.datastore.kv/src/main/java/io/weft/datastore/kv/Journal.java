package io.weft.datastore.kv;

import java.io.IOException;

import io.weft.api.datastore.WatchEvent;

/**
 * Where the engine writes each change before applying it (write-ahead). A change is
 * acknowledged to the caller only after {@link #append} returned, so a journal that survives the
 * process dying makes every acknowledged write durable.
 */
public interface Journal extends AutoCloseable {

    /** A journal that keeps nothing: the store lives and dies with the process. */
    Journal NONE = event -> {
    };

    /** Records one change. Called under the engine's write lock, in revision order. */
    void append(WatchEvent event) throws IOException;

    @Override
    default void close() throws IOException {
    }
}
