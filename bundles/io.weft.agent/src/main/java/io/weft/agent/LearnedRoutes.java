package io.weft.agent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.weft.api.net.Cidr;
import io.weft.api.routing.NextHop;
import io.weft.api.routing.RouteUpdate;
import io.weft.netlink.Route;

/**
 * Routes learned by routing engines (the BGP speaker hands its best paths to the agent's
 * {@code RouteSink}), per origin: a full table replaces the origin's routes, a delta changes
 * them. The agent programs them with protocol {@code bird} (12), as Calico's BIRD does, unless
 * the agent itself routes the destination (its own blocks, workloads and tunnels win).
 */
final class LearnedRoutes {

    static final int PROTOCOL = Route.PROTO_BIRD;

    private final Map<String, Map<Cidr, io.weft.api.routing.Route>> byOrigin = new HashMap<>();

    synchronized void accept(RouteUpdate update) {
        Map<Cidr, io.weft.api.routing.Route> table = byOrigin.computeIfAbsent(update.origin(), o -> new HashMap<>());
        if (update.fullTable()) {
            table.clear();
        }
        update.withdrawals().forEach(table::remove);
        for (io.weft.api.routing.Route r : update.upserts()) {
            table.put(r.destination(), r);
        }
    }

    /** Kernel routes for everything learned whose destination {@code owned} does not cover exactly. */
    synchronized Map<Cidr, Route> kernelRoutes(Map<Cidr, Route> owned) {
        Map<Cidr, Route> out = new HashMap<>();
        for (Map<Cidr, io.weft.api.routing.Route> table : byOrigin.values()) {
            for (io.weft.api.routing.Route r : table.values()) {
                if (owned.containsKey(r.destination()) || r.nextHops().isEmpty() || out.containsKey(r.destination())) {
                    continue;
                }
                out.put(r.destination(), toKernel(r));
            }
        }
        return out;
    }

    synchronized int size() {
        return byOrigin.values().stream().mapToInt(Map::size).sum();
    }

    static Route toKernel(io.weft.api.routing.Route r) {
        Route base = Route.to(r.destination()).protocol(PROTOCOL);
        if (r.nextHops().size() == 1) {
            NextHop h = r.nextHops().get(0);
            Route k = h.gateway() == null ? base : base.via(h.gateway());
            return h.device() == null ? k : k.device(h.device());
        }
        List<Route.NextHop> hops = new ArrayList<>();
        for (NextHop h : r.nextHops()) {
            hops.add(new Route.NextHop(h.gateway(), h.device(), 1, false));
        }
        return base.multipath(hops);
    }
}
