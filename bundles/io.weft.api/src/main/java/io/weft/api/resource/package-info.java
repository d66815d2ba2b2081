/**
 * Typed access to projectcalico.org/v3 resources stored in the datastore, and the codec
 * that turns them into the YAML/JSON users write.
 */
@Version("0.2.0")
@Export
package io.weft.api.resource;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
