/**
 * The revisioned key-value engine behind Weft's single-process datastores. It implements the
 * whole {@link io.weft.api.datastore.Datastore} contract in memory; a {@link Journal} makes it
 * durable.
 */
@Version("0.1.0")
@Export
package io.weft.datastore.kv;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
