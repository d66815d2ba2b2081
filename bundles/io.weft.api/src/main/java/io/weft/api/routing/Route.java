package io.weft.api.routing;

import java.util.List;
import java.util.Map;

import io.weft.api.net.Cidr;

/**
 * A route exchanged between the agent and routing engines.
 *
 * @param destination  the prefix
 * @param nextHops     one or more (several means ECMP); empty for routes this node originates
 * @param attributes   protocol details worth showing (AS path, communities, origin), free form
 */
public record Route(Cidr destination, List<NextHop> nextHops, Map<String, String> attributes) {
    public Route {
        nextHops = nextHops == null ? List.of() : List.copyOf(nextHops);
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }
}
