/**
 * Runtime status: which providers are active for each SPI, and health reported by components;
 * since 0.2.0 the per-node agent status published in the datastore ({@link io.weft.api.status.AgentNodeStatus});
 * since 0.3.0 the helpers every such status shares ({@link io.weft.api.status.StatusLines},
 * {@link io.weft.api.status.LeasedValue}).
 */
@Version("0.3.0")
@Export
package io.weft.api.status;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
