/**
 * IP address values: CIDRs and prefixed addresses, parsed by Go's rules without DNS lookups.
 */
@Version("0.2.0")
@Export
package io.weft.api.net;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
