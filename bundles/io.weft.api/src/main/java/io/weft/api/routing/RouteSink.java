package io.weft.api.routing;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives routes: the agent registers one to install BGP-learned best paths in the kernel;
 * a BGP speaker is handed one by each {@link RouteSource} it subscribes to.
 */
@ConsumerType
public interface RouteSink {
    void accept(RouteUpdate update);
}
