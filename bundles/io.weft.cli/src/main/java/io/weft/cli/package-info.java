/**
 * Resource and IPAM administration with calicoctl's verbs, flags and output formats, written once
 * ({@link io.weft.cli.ResourceCommands}, {@link io.weft.cli.IpamCommands}, since 0.2.0
 * {@link io.weft.cli.NodeStatusCommands}) and used by two front ends: the {@code weft:} Karaf
 * console commands and {@code weftctl}.
 */
@Version("0.2.0")
@Export
package io.weft.cli;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
