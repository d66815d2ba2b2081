/**
 * Runtime status: which providers are active for each SPI, and health reported by components;
 * since 0.2.0 the per-node agent status published in the datastore ({@link io.weft.api.status.AgentNodeStatus}).
 */
@Version("0.2.0")
@Export
package io.weft.api.status;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
