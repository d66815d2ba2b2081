package io.weft.agent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import io.weft.api.net.Cidr;
import io.weft.netlink.Batch;
import io.weft.netlink.NetlinkException;
import io.weft.netlink.Route;
import io.weft.netlink.RouteScope;
import io.weft.netlink.RtNetlink;

/**
 * Keeps the agent's routes (main table, the agent's protocol number) equal to the desired set by
 * diff: {@link #apply} compares with what it believes the kernel holds and sends only the
 * differences in one batch; {@link #resync} first re-reads the kernel, so routes deleted or changed
 * by hand are repaired. Routes of any other protocol are never touched.
 */
final class RouteReconciler {

    /** What one pass did. */
    record Outcome(int replaced, int deleted, List<String> errors) {
        Outcome {
            errors = List.copyOf(errors);
        }
    }

    private final RtNetlink netlink;
    private final int protocol;
    /** Destination → route as the kernel holds it (or will, once the pending batch is acked). */
    private final Map<Cidr, Route> programmed = new ConcurrentHashMap<>();
    private volatile boolean kernelUncertain = true;

    RouteReconciler(RtNetlink netlink, int protocol) {
        this.netlink = netlink;
        this.protocol = protocol;
    }

    /** True if the kernel holds (as far as known) an agent route to {@code destination}. */
    boolean owns(Cidr destination) {
        return programmed.containsKey(destination);
    }

    int size() {
        return programmed.size();
    }

    /** A batch failed earlier, so the next pass should re-read the kernel. */
    boolean needsResync() {
        return kernelUncertain;
    }

    /** Re-reads the agent's routes from the kernel, then applies {@code desired}. */
    synchronized Outcome resync(Map<Cidr, Route> desired) throws NetlinkException {
        return resync(desired, netlink.routes());
    }

    /** The same with a dump of every kernel route taken by the caller (one dump serves several reconcilers). */
    synchronized Outcome resync(Map<Cidr, Route> desired, List<Route> kernelRoutes) throws NetlinkException {
        Map<Cidr, Route> kernel = new HashMap<>();
        List<Route> duplicates = new ArrayList<>();
        for (Route r : kernelRoutes) {
            if (r.protocol() != protocol || r.table() != Route.MAIN_TABLE) {
                continue;
            }
            if (kernel.putIfAbsent(r.destination(), r) != null) {
                duplicates.add(r);
            }
        }
        List<String> errors = new ArrayList<>();
        int deleted = 0;
        if (!duplicates.isEmpty()) {
            // two of our routes to one destination (a hand-made copy with another metric): remove
            // every copy and let apply() put back the one we want
            Batch batch = netlink.batch();
            for (Route d : duplicates) {
                batch.deleteRoute(exact(d));
                kernel.remove(d.destination());
            }
            deleted += duplicates.size();
            errors.addAll(messages(batch.execute()));
        }
        programmed.clear();
        programmed.putAll(kernel);
        kernelUncertain = false;
        Outcome o = apply(desired);
        errors.addAll(o.errors());
        return new Outcome(o.replaced(), o.deleted() + deleted, errors);
    }

    /** Sends the differences between {@code desired} and what was programmed. */
    synchronized Outcome apply(Map<Cidr, Route> desired) throws NetlinkException {
        Batch batch = netlink.batch();
        List<Route> replaced = new ArrayList<>();
        List<Cidr> deleted = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (Route want : desired.values()) {
            Route have = programmed.get(want.destination());
            if (have != null && same(want, have)) {
                continue;
            }
            try {
                batch.replaceRoute(want);
                replaced.add(want);
            } catch (NetlinkException e) {
                // the device is not there (yet): a pod whose veth the CNI plugin is still wiring
                errors.add(e.getMessage());
            }
        }
        for (Route have : programmed.values()) {
            if (!desired.containsKey(have.destination())) {
                batch.deleteRoute(wildcard(have));
                deleted.add(have.destination());
            }
        }
        if (batch.size() == 0) {
            return new Outcome(0, 0, errors);
        }
        Batch.Result result = batch.execute();
        for (Route r : replaced) {
            programmed.put(r.destination(), r);
        }
        deleted.forEach(programmed::remove);
        List<String> failures = messages(result);
        if (!failures.isEmpty()) {
            kernelUncertain = true;
            errors.addAll(failures);
        }
        return new Outcome(replaced.size(), deleted.size(), errors);
    }

    /** Kernel routes equal where the agent cares: type, gateway, device, onlink, scope. */
    static boolean same(Route want, Route have) {
        if (want.type() != have.type() || have.metric() != null) {
            return false;
        }
        if (!want.nextHops().isEmpty() || !have.nextHops().isEmpty()) {
            return gateways(want).equals(gateways(have));
        }
        // a route given without a device (a learned route) lets the kernel pick it
        return Objects.equals(want.gateway(), have.gateway())
                && (want.device() == null || Objects.equals(want.device(), have.device()))
                && want.onlink() == have.onlink() && want.scope() == have.scope();
    }

    private static java.util.Set<java.net.InetAddress> gateways(Route r) {
        java.util.Set<java.net.InetAddress> out = new java.util.HashSet<>();
        r.nextHops().forEach(h -> out.add(h.gateway()));
        return out;
    }

    /**
     * Matches the agent's route to a destination whatever its next hop (scope "nowhere" is the
     * kernel's wildcard), so a route whose device has vanished can still be deleted.
     */
    private Route wildcard(Route r) {
        return Route.to(r.destination()).type(r.type()).protocol(protocol).scope(RouteScope.NOWHERE);
    }

    private static Route exact(Route r) {
        return r.device() == null && r.gateway() == null ? r.scope(RouteScope.NOWHERE) : r;
    }

    private static List<String> messages(Batch.Result result) {
        List<String> out = new ArrayList<>();
        for (NetlinkException e : result.failures()) {
            // a route already gone (its device was deleted) is what we wanted
            if (!(e.isNotFound() && e.getMessage().startsWith("route del"))) {
                out.add(e.getMessage());
            }
        }
        return out;
    }
}
