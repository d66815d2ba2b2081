package io.weft.netlink;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

import io.weft.api.net.Cidr;

/**
 * A kernel route. Build one with {@link #to(Cidr)}:
 * {@code Route.to(Cidr.parse("10.244.1.0/26")).via(gw).device("eth0").protocol(80).withOnlink()}.
 *
 * @param destination     the prefix
 * @param gateway         next hop address, or {@code null} for a device route
 * @param device          output interface name, or {@code null}
 * @param table           routing table (254 = main)
 * @param protocol        who installed it (RTPROT_*: 2 kernel, 3 boot, 4 static, 12 bird; Weft's agent uses 80)
 * @param type            unicast, blackhole, …
 * @param scope           universe for gateway routes, link for device routes
 * @param onlink          the gateway is reachable on the device even if no route says so
 * @param metric          RTA_PRIORITY, or {@code null}
 * @param mtu             RTAX_MTU metric, or {@code null}
 * @param preferredSource RTA_PREFSRC, or {@code null}
 * @param nextHops        ECMP next hops (RTA_MULTIPATH); when non-empty, gateway and device are unused
 */
public record Route(Cidr destination, InetAddress gateway, String device, int table, int protocol, RouteType type,
        RouteScope scope, boolean onlink, Integer metric, Integer mtu, InetAddress preferredSource,
        List<NextHop> nextHops) {

    /** RTPROT_BOOT: what {@code ip route add} uses by default. */
    public static final int PROTO_BOOT = 3;
    /** RTPROT_BIRD, used for BGP-learned routes as Calico does. */
    public static final int PROTO_BIRD = 12;
    public static final int MAIN_TABLE = 254;

    /** One path of a multipath route. */
    public record NextHop(InetAddress gateway, String device, int weight, boolean onlink) {
        public NextHop {
            if (weight < 1 || weight > 256) {
                throw new IllegalArgumentException("next hop weight must be 1-256, was " + weight);
            }
        }
    }

    public Route {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(scope, "scope");
        nextHops = nextHops == null ? List.of() : List.copyOf(nextHops);
    }

    /** A unicast route to {@code destination} in the main table, protocol boot, scope universe. */
    public static Route to(Cidr destination) {
        return new Route(destination, null, null, MAIN_TABLE, PROTO_BOOT, RouteType.UNICAST, RouteScope.UNIVERSE, false,
                null, null, null, List.of());
    }

    /** Via a gateway. */
    public Route via(InetAddress gw) {
        return new Route(destination, gw, device, table, protocol, type, scope, onlink, metric, mtu, preferredSource, nextHops);
    }

    /** Out of a device; without a gateway this is a link-scope device route. */
    public Route device(String dev) {
        RouteScope s = gateway == null && type == RouteType.UNICAST ? RouteScope.LINK : scope;
        return new Route(destination, gateway, dev, table, protocol, type, s, onlink, metric, mtu, preferredSource, nextHops);
    }

    public Route protocol(int proto) {
        return new Route(destination, gateway, device, table, proto, type, scope, onlink, metric, mtu, preferredSource, nextHops);
    }

    public Route table(int t) {
        return new Route(destination, gateway, device, t, protocol, type, scope, onlink, metric, mtu, preferredSource, nextHops);
    }

    public Route scope(RouteScope s) {
        return new Route(destination, gateway, device, table, protocol, type, s, onlink, metric, mtu, preferredSource, nextHops);
    }

    public Route withOnlink() {
        return new Route(destination, gateway, device, table, protocol, type, scope, true, metric, mtu, preferredSource, nextHops);
    }

    public Route metric(int m) {
        return new Route(destination, gateway, device, table, protocol, type, scope, onlink, m, mtu, preferredSource, nextHops);
    }

    public Route mtu(int m) {
        return new Route(destination, gateway, device, table, protocol, type, scope, onlink, metric, m, preferredSource, nextHops);
    }

    public Route preferredSource(InetAddress src) {
        return new Route(destination, gateway, device, table, protocol, type, scope, onlink, metric, mtu, src, nextHops);
    }

    /** A blackhole: packets to {@code destination} are dropped (Calico's route for a node's own blocks). */
    public Route blackhole() {
        return new Route(destination, null, null, table, protocol, RouteType.BLACKHOLE, RouteScope.UNIVERSE, false,
                metric, mtu, preferredSource, List.of());
    }

    public Route type(RouteType t) {
        return new Route(destination, gateway, device, table, protocol, t, scope, onlink, metric, mtu, preferredSource, nextHops);
    }

    /** ECMP over several next hops. */
    public Route multipath(List<NextHop> hops) {
        return new Route(destination, null, null, table, protocol, type, RouteScope.UNIVERSE, false, metric, mtu,
                preferredSource, hops);
    }

    /** The route as {@code ip route} would show its key part, for messages. */
    public String describe() {
        StringBuilder s = new StringBuilder();
        if (type != RouteType.UNICAST) {
            s.append(type.name().toLowerCase()).append(' ');
        }
        s.append(destination);
        if (gateway != null) {
            s.append(" via ").append(gateway.getHostAddress());
        }
        if (device != null) {
            s.append(" dev ").append(device);
        }
        for (NextHop h : nextHops) {
            s.append(" nexthop via ").append(h.gateway() == null ? "-" : h.gateway().getHostAddress())
                    .append(" dev ").append(h.device()).append(" weight ").append(h.weight());
        }
        if (table != MAIN_TABLE) {
            s.append(" table ").append(table);
        }
        if (onlink) {
            s.append(" onlink");
        }
        return s.toString();
    }
}
