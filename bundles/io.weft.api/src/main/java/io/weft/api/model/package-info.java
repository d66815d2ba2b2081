/**
 * The projectcalico.org/v3 resource model as immutable records: what users write in YAML and\n * what the datastore stores.
 */
@Version("0.2.0")
@Export
package io.weft.api.model;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
