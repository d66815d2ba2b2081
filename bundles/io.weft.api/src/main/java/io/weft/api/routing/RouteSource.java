package io.weft.api.routing;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Offers routes for advertisement: the agent exports affine blocks, borrowed /32s and service
 * CIDRs; third-party bundles may add their own (a route-export hook).
 */
@ConsumerType
public interface RouteSource {

    /** A short name shown in status and logs. */
    String name();

    /**
     * Starts pushing routes to {@code sink}: first a full table, then deltas. Closing the returned
     * handle stops it.
     */
    AutoCloseable subscribe(RouteSink sink);
}
