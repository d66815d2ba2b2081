/**
 * Calico's block-affinity IPAM: {@link io.weft.ipam.block.BlockIpam} (the default
 * {@link io.weft.api.ipam.IpamService}) and the data behind {@code ipam show} and
 * {@code ipam check} ({@link io.weft.ipam.block.IpamUsage}, {@link io.weft.ipam.block.IpamCheck}),
 * and the release of empty and deleted nodes' blocks ({@link io.weft.ipam.block.IpamHousekeeping},
 * {@link io.weft.ipam.block.BlockReleaser.NodeRelease}).
 */
@Version("0.2.0")
@Export
package io.weft.ipam.block;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
