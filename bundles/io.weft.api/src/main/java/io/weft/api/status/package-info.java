/**
 * Runtime status: which providers are active for each SPI, and health reported by components.
 */
@Version("0.1.0")
@Export
package io.weft.api.status;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
