/**
 * The encapsulation SPI: providers (none, VXLAN, IPIP) that turn "remote block B lives on
 * node N" into the devices, routes, neighbours and FDB entries of this node's kernel.
 */
@Version("0.2.0")
@Export
package io.weft.api.encap;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
