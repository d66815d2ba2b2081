/**
 * The IP address management SPI: assign and release pod and tunnel addresses from IP pools.
 */
@Version("0.1.0")
@Export
package io.weft.api.ipam;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
