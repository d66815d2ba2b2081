/**
 * The CNI handler SPI: the node runtime's CNI server hands each request from the CNI shim to
 * the handler registered for the network configuration's plugin type.
 */
@Version("0.1.0")
@Export
package io.weft.api.cni;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
