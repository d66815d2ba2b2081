/**
 * Conventions every provider of a Weft SPI follows, such as the service property naming its
 * implementation.
 */
@Version("0.1.0")
@Export
package io.weft.api.provider;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
