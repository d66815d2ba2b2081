/**
 * Peering topologies: extensions that derive the BGP sessions a node should run (full mesh,
 * route reflectors, eBGP per rack or node) from the cluster's resources; since 0.2.0 the per-node
 * BGP status the speaker publishes in the datastore ({@link io.weft.api.bgp.BgpNodeStatus}).
 */
@Version("0.2.0")
@Export
package io.weft.api.bgp;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
