/**
 * Peering topologies: extensions that derive the BGP sessions a node should run (full mesh,
 * route reflectors, eBGP per rack or node) from the cluster's resources.
 */
@Version("0.1.0")
@Export
package io.weft.api.bgp;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
