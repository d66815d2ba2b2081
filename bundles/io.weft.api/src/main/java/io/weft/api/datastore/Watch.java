package io.weft.api.datastore;

import org.osgi.annotation.versioning.ProviderType;

/** A running watch; closing it stops delivery (idempotent, never throws). */
@ProviderType
public interface Watch extends AutoCloseable {
    /** The prefix this watch covers. */
    String prefix();

    @Override
    void close();
}
