/**
 * Weft's BGP-4 speaker as a library: {@link io.weft.bgp.BgpSpeaker} runs sessions with peers
 * described by {@link io.weft.bgp.PeerConfig}, keeps the RIBs, originates routes and reports
 * learned best paths and per-peer status.
 */
@Version("0.2.0")
@Export
package io.weft.bgp;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
