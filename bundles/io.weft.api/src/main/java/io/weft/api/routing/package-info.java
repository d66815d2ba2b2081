/**
 * Routes exchanged between the agent and routing engines such as the BGP speaker: sources
 * publish what should be advertised, sinks receive what was learned.
 */
@Version("0.1.0")
@Export
package io.weft.api.routing;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
