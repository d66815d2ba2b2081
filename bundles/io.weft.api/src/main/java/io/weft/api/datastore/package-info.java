/**
 * The datastore SPI: a revisioned key-value store with compare-and-swap writes, leases and
 * watches that deliver a consistent snapshot followed by ordered deltas. Implementations
 * (embedded, etcd, in-memory) are separate bundles; the typed resource layer
 * ({@link io.weft.api.resource}) sits on top of it.
 *
 * <p>{@link io.weft.api.datastore.Datastore} is a {@code @ProviderType}: its contract evolves with
 * Weft, and implementations track it minor by minor.
 */
@Version("0.2.0")
@Export
package io.weft.api.datastore;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
