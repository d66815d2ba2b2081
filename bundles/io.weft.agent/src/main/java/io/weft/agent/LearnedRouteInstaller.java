package io.weft.agent;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.weft.api.net.Cidr;
import io.weft.api.routing.NextHop;
import io.weft.api.routing.RouteUpdate;
import io.weft.netlink.Batch;
import io.weft.netlink.NetlinkException;
import io.weft.netlink.Route;
import io.weft.netlink.RouteScope;
import io.weft.netlink.RouteType;
import io.weft.netlink.RtNetlink;

/**
 * Routes learned by routing engines (the BGP speaker hands its best paths to the agent's
 * {@code RouteSink}), per origin, and their kernel copies: main table, protocol {@code bird} (12)
 * as Calico's BIRD installs them, ECMP as multipath routes, unless the agent itself routes the
 * destination (its own blocks, workloads and tunnels win).
 *
 * <p><b>Incremental.</b> A delta touches only its prefixes: each one touched is compared with
 * what was installed and becomes a replace, a delete or nothing. Touched prefixes queue up and
 * go to the kernel in pipelined batches of {@value #CHUNK}; updates arriving meanwhile are folded
 * in between batches, so a burst (a peer's million-route table) reaches the kernel in large
 * batches while the speaker goes on. A full table from an origin (it restarted) touches only the
 * prefixes whose next hops differ or that are gone. {@link #resync} compares the whole kernel
 * table with what is wanted and queues what differs (drift repair).
 *
 * <p><b>Compact.</b> No object per route: prefixes are {@code long} keys ({@link PrefixKeys}),
 * next-hop sets are interned and referred to by number, and each origin's table and the
 * installed table are {@link LongIntMap}s. Per learned route from one origin that is two map
 * slots, 12 bytes each, at a load of 3/8 to 3/4: about 32 to 64 bytes in all.
 *
 * <p>Owned by the agent's loop thread, except {@link #offer} and {@link #kernelDeleted}, which
 * any thread may call.
 */
final class LearnedRouteInstaller {

    static final int PROTOCOL = Route.PROTO_BIRD;
    /** Kernel requests per netlink batch: large enough to keep the kernel busy, small enough to fold in news. */
    static final int CHUNK = 8192;
    /**
     * A backlog this large (prefixes) is a burst, a table load rather than the usual deltas:
     * {@link #pass} says so as soon as it sees one (the agent then installs it without route
     * notifications), also when the load arrives in many small updates.
     */
    static final int BURST = 20_000;
    /** Requests per pass before the loop thread serves other work (a pod's route must not wait for a million). */
    static final int SLICE = 65536;
    /**
     * Sends batches for every installer, one at a time; its thread ends after a few idle seconds,
     * so nothing needs stopping when the agent's bundle stops.
     */
    private static final ExecutorService SENDER = new ThreadPoolExecutor(0, 1, 5, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "weft-agent-route-sender");
                t.setDaemon(true);
                return t;
            });
    /** Nothing wanted, or nothing installed. */
    private static final int NONE = -1;
    /** The kernel holds a route of ours to the prefix, but not the one wanted. */
    private static final int MISMATCH = -2;

    /**
     * Batches handed to the sender and not yet done: while the kernel works on one, the next
     * one waits, built, so the kernel never waits for the loop thread (loop thread only).
     */
    private final java.util.ArrayDeque<Future<Batch.Result>> inFlight = new java.util.ArrayDeque<>();
    /** How many batches may be handed to the sender at once. */
    static final int IN_FLIGHT = 2;
    /** Failed requests of batches {@link #settle} waited for, for the next pass to report. */
    private Errors settledFailures = new Errors();
    /** Why a batch {@link #settle} waited for failed as a whole, for the next pass to throw. */
    private Throwable lostBatch;

    /** What a pass did. */
    record Outcome(int replaced, int deleted, boolean moreToDo, List<String> errors) {
    }

    /**
     * Made-up routes a scratch installer builds kernel requests for at start ({@link #warmUp});
     * {@code -Dweft.agent.warmupRoutes=0} turns the warm-up off.
     */
    static final int WARMUP_ROUTES = Integer.getInteger("weft.agent.warmupRoutes", 50_000);

    /** A scratch installer ({@link #warmUp}): builds its batches and drops them. */
    private final boolean scratch;

    private final ConcurrentLinkedQueue<RouteUpdate> inbox = new ConcurrentLinkedQueue<>();
    /** Prefixes in the inbox's updates (any thread adds, the loop thread takes away). */
    private final java.util.concurrent.atomic.AtomicInteger inboxPrefixes = new java.util.concurrent.atomic.AtomicInteger();
    /** Prefixes folded in ahead of the batch being built, at least: two batches' worth. */
    static final int FOLD_AHEAD = 2 * CHUNK;
    /**
     * Prefixes folded in after a batch went to the sender, at most: the loop thread has the time
     * (two batches are with the kernel, about 90 ms of its work), and updates left queued keep
     * their route objects alive, which the garbage collector then copies.
     */
    static final int FOLD_BETWEEN = 8 * CHUNK;
    private final ConcurrentLinkedQueue<Cidr> deletedByKernel = new ConcurrentLinkedQueue<>();

    // loop thread from here on
    private final PrefixKeys prefixes = new PrefixKeys();
    private final NextHopSets hopSets = new NextHopSets();
    /** Origin → prefix key → next-hop set; the first origin (in arrival order) offering a prefix wins. */
    private final Map<String, LongIntMap> byOrigin = new LinkedHashMap<>();
    /** Prefix key → next-hop set the kernel holds (or will, once the batch in flight is acked), or MISMATCH. */
    private final LongIntMap installed = new LongIntMap();
    /** Destinations the agent routes itself; null until the agent's first pass says which. */
    private LongIntMap owned;
    private final LongQueue touched = new LongQueue();
    private List<String> errors = List.of();
    /**
     * After a restart the kernel still holds the routes the agent learned before it, and the BGP
     * speaker (a restarting speaker, which waits for its peers' tables) hands its table over only
     * later: until some origin has delivered a full table, or {@link #KEEP_AT_START} has passed,
     * a resync leaves such routes where they are instead of deleting them, so traffic keeps
     * flowing through the restart. The first full table has them compared like any other.
     */
    static final java.time.Duration KEEP_AT_START = java.time.Duration.ofSeconds(120);
    private final long keepUntil = System.nanoTime() + KEEP_AT_START.toNanos();
    private boolean fullTableSeen;
    private final LongQueue keptAtStart = new LongQueue();

    LearnedRouteInstaller() {
        this(false);
    }

    private LearnedRouteInstaller(boolean scratch) {
        this.scratch = scratch;
    }

    /** Takes an update from any thread; the loop thread folds it in on its next pass. */
    void offer(RouteUpdate update) {
        inboxPrefixes.addAndGet(update.upserts().size() + update.withdrawals().size());
        inbox.add(update);
    }

    /** A kernel notification: a route of protocol bird to {@code destination} was deleted (by us or anyone). */
    void kernelDeleted(Cidr destination) {
        deletedByKernel.add(destination);
    }

    /** Prefixes with a route of ours in the kernel, as far as the installer knows. */
    int installedCount() {
        return installed.size();
    }

    /** Prefixes waiting to be compared with the kernel. */
    int pending() {
        return touched.size() + Math.max(inboxPrefixes.get(), inbox.isEmpty() ? 0 : 1);
    }

    /** Bytes held by the tables and the queue (the objects of IPv6 prefixes and next-hop sets aside). */
    long footprint() {
        long bytes = installed.footprint() + (long) touched.size() * Long.BYTES;
        for (LongIntMap t : byOrigin.values()) {
            bytes += t.footprint();
        }
        return bytes;
    }

    /** The last pass's kernel errors. */
    List<String> errors() {
        return errors;
    }

    // ------------------------------------------------------------------ folding updates in

    private void drain() {
        drain(Integer.MAX_VALUE, 0);
    }

    /**
     * Folds queued updates in until {@code ahead} prefixes wait to be compared with the kernel and
     * about {@code most} were folded, or none is queued: a table handed over at once (a million
     * prefixes in a few updates) is folded a little ahead of the batches instead of all before
     * the first one while the kernel waits.
     */
    private void drain(int ahead, int most) {
        RouteUpdate u;
        int folded = 0;
        while ((touched.size() < ahead || folded < most) && (u = inbox.poll()) != null) {
            int size = u.upserts().size() + u.withdrawals().size();
            inboxPrefixes.addAndGet(-size);
            folded += size;
            fold(u);
        }
        Cidr gone;
        while ((gone = deletedByKernel.poll()) != null) {
            long key = prefixes.existingKey(gone);
            // ours and believed to be there: deleted by someone else (our own deletions left
            // `installed` before they were sent)
            if (key >= 0 && installed.remove(key, NONE) != NONE) {
                touched.add(key);
            }
        }
    }

    /** Prefixes queued or waiting to be compared: a table load rather than the usual deltas. */
    private boolean isBurst() {
        return touched.size() + inboxPrefixes.get() >= BURST;
    }

    private void fold(RouteUpdate u) {
        LongIntMap table = byOrigin.get(u.origin());
        if (u.fullTable()) {
            fullTableSeen = true;
            while (!keptAtStart.isEmpty()) { // now known: wanted or not
                touched.add(keptAtStart.poll());
            }
            LongIntMap fresh = new LongIntMap(u.upserts().size());
            for (io.weft.api.routing.Route r : u.upserts()) {
                int set = hopSets.intern(r.nextHops());
                if (set != NONE) {
                    fresh.put(prefixes.key(r.destination()), set, NONE);
                }
            }
            LongIntMap old = table == null ? new LongIntMap() : table;
            fresh.forEach((key, set) -> {
                if (old.get(key, NONE) != set) {
                    touched.add(key);
                }
            });
            old.forEach((key, set) -> {
                if (!fresh.containsKey(key)) {
                    touched.add(key);
                }
            });
            byOrigin.put(u.origin(), fresh);
            return;
        }
        if (table == null) {
            table = new LongIntMap();
            byOrigin.put(u.origin(), table);
        }
        for (Cidr gone : u.withdrawals()) {
            long key = prefixes.existingKey(gone);
            if (key >= 0 && table.remove(key, NONE) != NONE) {
                touched.add(key);
            }
        }
        for (io.weft.api.routing.Route r : u.upserts()) {
            long key = prefixes.key(r.destination());
            int set = hopSets.intern(r.nextHops());
            int before = set == NONE ? table.remove(key, NONE) : table.put(key, set, NONE);
            if (before != set) {
                touched.add(key);
            }
        }
    }

    /**
     * The destinations the agent routes itself, after each of its passes: a learned route to one
     * of them gives way (and comes back when the agent's own route goes).
     */
    void own(Collection<Cidr> destinations) {
        LongIntMap now = new LongIntMap(destinations.size());
        for (Cidr c : destinations) {
            now.put(prefixes.key(c), 0, NONE);
        }
        LongIntMap before = owned;
        owned = now;
        if (before == null) {
            return; // the first pass: every learned prefix is touched already
        }
        now.forEach((key, unused) -> {
            if (!before.containsKey(key)) {
                touched.add(key);
            }
        });
        before.forEach((key, unused) -> {
            if (!now.containsKey(key)) {
                touched.add(key);
            }
        });
    }

    private int wanted(long key) {
        if (owned.containsKey(key)) {
            return NONE;
        }
        for (LongIntMap table : byOrigin.values()) {
            int set = table.get(key, NONE);
            if (set != NONE) {
                return set;
            }
        }
        return NONE;
    }

    // ------------------------------------------------------------------ the kernel

    /**
     * Folds in what arrived and looks at up to {@link #SLICE} touched prefixes, sending a kernel
     * request for each that differs; runs {@code burst} whenever the backlog is a {@link #BURST}.
     * Does nothing before {@link #own} was first called.
     */
    Outcome pass(RtNetlink netlink, Runnable burst) throws NetlinkException {
        if (owned == null) {
            return new Outcome(0, 0, false, List.of());
        }
        Throwable lost = lostBatch;
        if (lost != null) { // a batch settle() waited for failed as a whole: what it held is unknown
            lostBatch = null;
            if (lost instanceof NetlinkException n) {
                throw n;
            }
            throw new IllegalStateException("sending learned routes to the kernel failed", lost);
        }
        drain(FOLD_AHEAD, 0);
        if (isBurst()) {
            burst.run();
        }
        Errors failures = settledFailures;
        settledFailures = new Errors();
        Batch batch = netlink.batch();
        int replaced = 0;
        int deleted = 0;
        // prefixes looked at, changed or not: a stream of updates that change nothing in the
        // kernel must not keep the loop thread in one pass either
        int examined = 0;
        while (examined++ < SLICE) {
            if (touched.isEmpty()) {
                drain(FOLD_AHEAD, 0);
                if (touched.isEmpty()) {
                    break;
                }
            }
            long key = touched.poll();
            int want = wanted(key);
            // one probe of the installed table, not a look and then a write: at a million
            // routes each probe is a likely cache miss
            if (want == NONE) {
                if (installed.remove(key, NONE) == NONE) {
                    continue;
                }
                batch.deleteRoute(anyOfOurs(prefixes.prefix(key)));
                deleted++;
            } else {
                int before = installed.put(key, want, NONE);
                if (before == want) {
                    continue;
                }
                try {
                    batch.replaceRoute(kernelRoute(prefixes.prefix(key), hopSets.get(want)));
                    replaced++;
                } catch (NetlinkException e) {
                    // a next hop names a device that is not there: nothing sent, and the kernel
                    // still holds what it held (a later withdrawal must still delete that)
                    if (before == NONE) {
                        installed.remove(key, NONE);
                    } else {
                        installed.put(key, before, NONE);
                    }
                    failures.add(e.getMessage());
                }
            }
            if (batch.size() >= CHUNK) {
                send(batch, failures);
                batch = netlink.batch();
                drain(FOLD_AHEAD, FOLD_BETWEEN); // what arrived while the kernel worked joins this pass
                if (isBurst()) { // a table load coming in pieces
                    burst.run();
                }
            }
        }
        if (batch.size() > 0) {
            send(batch, failures);
        }
        if (touched.isEmpty() && inbox.isEmpty()) {
            awaitSent(failures); // the work is done: the pass ends with the kernel done
        }
        // else a slice ended: its last batches stay with the kernel while the next pass (asked for
        // at once) builds more, and that pass collects their failures
        if (touched.isEmpty()) {
            touched.trim();
        }
        errors = failures.list();
        return new Outcome(replaced, deleted, !touched.isEmpty() || !inbox.isEmpty(), errors);
    }

    /**
     * Hands {@code batch} to the sending thread, once fewer than {@link #IN_FLIGHT} batches are
     * with it, so that the loop thread builds the next batches while the kernel works: the kernel
     * programs routes inside the sender's system call, so on a table load the two overlap instead
     * of taking turns.
     */
    private void send(Batch batch, Errors failures) throws NetlinkException {
        if (scratch) {
            return; // a warm-up's requests go nowhere
        }
        while (inFlight.size() >= IN_FLIGHT) {
            awaitOldest(failures);
        }
        inFlight.add(SENDER.submit(batch::execute));
    }

    /** Waits until every batch handed to the sender is done, and collects their failures. */
    private void awaitSent(Errors failures) throws NetlinkException {
        while (!inFlight.isEmpty()) {
            awaitOldest(failures);
        }
    }

    /**
     * Waits until the kernel is done with every batch handed to it (loop thread): before the
     * agent writes routes of its own (a learned batch queued earlier must not land after them),
     * before it dumps routes for a resync, and before it closes the netlink socket. Waits for all
     * of them whatever happens, and throws nothing: failed requests are reported by the next
     * pass, and a batch that failed as a whole (its later requests never sent) makes the next
     * pass throw, so that the agent resyncs.
     */
    void settle() {
        boolean interrupted = false;
        Future<Batch.Result> sent;
        while ((sent = inFlight.poll()) != null) {
            while (true) {
                try {
                    settledFailures.addAll(sent.get()); // reported by the next pass
                    break;
                } catch (ExecutionException failed) {
                    lostBatch = failed.getCause(); // the next pass throws it: the agent then resyncs
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // a batch takes milliseconds: still wait, the socket may close next
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitOldest(Errors failures) throws NetlinkException {
        Future<Batch.Result> sent = inFlight.poll();
        try {
            failures.addAll(sent.get());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof NetlinkException n) {
                throw n;
            }
            throw new IllegalStateException("sending learned routes to the kernel failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // the batch still completes on the sender; its failures are not collected
        }
    }

    /**
     * Compares every route of ours in {@code kernelRoutes} (a fresh dump, taken after
     * {@link #settle}) with what is wanted:
     * differences, and wanted routes the kernel lacks, are queued for the next {@link #pass};
     * a second route of ours to one destination (another metric, made by hand) is deleted now.
     */
    List<String> resync(RtNetlink netlink, List<Route> kernelRoutes) throws NetlinkException {
        if (owned == null) {
            return List.of();
        }
        lostBatch = null; // the dump was taken after settle(): it shows what that batch did
        drain();
        installed.clear();
        touched.clear();
        boolean keepUnclaimed = !fullTableSeen && System.nanoTime() - keepUntil < 0;
        while (!keptAtStart.isEmpty()) { // this resync decides again
            keptAtStart.poll();
        }
        Batch duplicates = netlink.batch();
        for (Route r : kernelRoutes) {
            if (r.protocol() != PROTOCOL || r.table() != Route.MAIN_TABLE) {
                continue;
            }
            long key = prefixes.key(r.destination());
            if (installed.containsKey(key)) {
                duplicates.deleteRoute(exactly(r));
                installed.put(key, MISMATCH, NONE);
                touched.add(key);
                continue;
            }
            int want = wanted(key);
            if (want == NONE && keepUnclaimed) {
                installed.put(key, MISMATCH, NONE);
                keptAtStart.add(key);
                continue;
            }
            boolean right = want != NONE && same(hopSets.get(want), r);
            installed.put(key, right ? want : MISMATCH, NONE);
            if (!right) {
                touched.add(key);
            }
        }
        for (LongIntMap table : byOrigin.values()) {
            table.forEach((key, set) -> {
                if (!installed.containsKey(key)) {
                    touched.add(key);
                }
            });
        }
        Errors failures = new Errors();
        if (duplicates.size() > 0) {
            failures.addAll(duplicates.execute());
        }
        collectGarbage();
        return failures.list();
    }

    /** Frees the IPv6 slots and next-hop sets nothing refers to any more (after a resync). */
    private void collectGarbage() {
        LongIntMap keys = new LongIntMap(prefixes.ipv6Count());
        Set<Integer> sets = new HashSet<>();
        LongIntMap.Entry mark = (key, set) -> {
            if ((key & (1L << 48)) != 0) {
                keys.put(key, 0, NONE);
            }
            sets.add(set);
        };
        installed.forEach(mark);
        owned.forEach(mark);
        for (LongIntMap table : byOrigin.values()) {
            table.forEach(mark);
        }
        prefixes.retainIpv6(keys);
        hopSets.retain(sets);
    }

    /** Matches our route to a destination whatever its next hops (scope "nowhere" is the kernel's wildcard). */
    private static Route anyOfOurs(Cidr destination) {
        return Route.to(destination).protocol(PROTOCOL).scope(RouteScope.NOWHERE);
    }

    private static Route exactly(Route r) {
        return r.device() == null && r.gateway() == null && r.nextHops().isEmpty() ? r.scope(RouteScope.NOWHERE) : r;
    }

    /** Built in one step: at a million routes, the builder's intermediate copies are garbage worth avoiding. */
    static Route kernelRoute(Cidr destination, NextHopSet set) {
        NextHop h = set.multipath() == null ? set.hops().get(0) : null;
        return new Route(destination, h == null ? null : h.gateway(), h == null ? null : h.device(), Route.MAIN_TABLE,
                PROTOCOL, RouteType.UNICAST, h != null && h.gateway() == null ? RouteScope.LINK : RouteScope.UNIVERSE,
                false, null, null, null,
                set.multipath() == null ? List.of() : set.multipath());
    }

    /** The kernel's route is what the set asks for: same gateways, and the device where one is named. */
    static boolean same(NextHopSet want, Route have) {
        if (have.type() != RouteType.UNICAST || have.metric() != null) {
            return false;
        }
        if (want.multipath() != null || !have.nextHops().isEmpty()) {
            if (want.hops().size() != have.nextHops().size()) {
                return false;
            }
            Set<InetAddress> gateways = new HashSet<>();
            have.nextHops().forEach(h -> gateways.add(h.gateway()));
            for (NextHop h : want.hops()) {
                if (!gateways.contains(h.gateway())) {
                    return false;
                }
            }
            return true;
        }
        NextHop h = want.hops().get(0);
        return Objects.equals(h.gateway(), have.gateway()) && (h.device() == null || h.device().equals(have.device()))
                && !have.onlink();
    }

    /**
     * Runs a table load of {@code count} made-up IPv4 routes through a scratch installer: the
     * updates folded in and their kernel requests encoded, as a peer's table would be, then
     * dropped; nothing reaches the kernel and nothing is kept. At a node's start this has the
     * JIT compile the install path before a peer's first table arrives, instead of while it
     * arrives, when the compiler's threads take CPU the kernel install needs.
     */
    static void warmUp(RtNetlink netlink, int count) throws NetlinkException {
        if (count <= 0) {
            return;
        }
        LearnedRouteInstaller installer = new LearnedRouteInstaller(true);
        installer.own(List.of());
        List<NextHop> via;
        try {
            via = List.of(new NextHop(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 1}), null));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        List<io.weft.api.routing.Route> routes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long a = (198L << 24) + (18L << 16) + i % 131072; // host routes in 198.18.0.0/15 (benchmarking space)
            try {
                routes.add(new io.weft.api.routing.Route(new Cidr(InetAddress.getByAddress(new byte[] {(byte) (a >>> 24),
                        (byte) (a >>> 16), (byte) (a >>> 8), (byte) a}), 32), via, Map.of()));
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
            if (routes.size() == 4096 || i == count - 1) {
                installer.offer(new RouteUpdate("warm-up", false, routes, List.of()));
                routes = new ArrayList<>();
                if (installer.inbox.size() == 3 || i == count - 1) { // 12,288 routes: a pass sends mid-slice too
                    while (installer.pass(netlink, () -> { }).moreToDo()) {
                        // a slice at a time, as the agent's loop runs it
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ next-hop sets

    /** One interned set of next hops, in a canonical order; {@code multipath} is its kernel form when ECMP. */
    record NextHopSet(List<NextHop> hops, List<Route.NextHop> multipath) {
    }

    /**
     * Interns next-hop sets: a cluster has a handful (one per peer, or per combination of equal
     * peers), shared by every route through them.
     */
    static final class NextHopSets {
        private static final Comparator<NextHop> ORDER = Comparator
                .comparing((NextHop h) -> h.gateway() == null ? new byte[0] : h.gateway().getAddress(), Arrays::compareUnsigned)
                .thenComparing(h -> h.device() == null ? "" : h.device());

        private final Map<List<NextHop>, Integer> ids = new HashMap<>();
        private final List<NextHopSet> byId = new ArrayList<>();
        private final List<Integer> free = new ArrayList<>();

        /**
         * The last list interned and its number: a sink's update carries one list instance for
         * every prefix with the same paths (a route's lists are immutable), so a table load
         * interns each set once instead of hashing its addresses per prefix.
         */
        private List<NextHop> lastHops;
        private int lastId = NONE;

        /** The set's number, or NONE for an empty list (a route this node originates). */
        int intern(List<NextHop> hops) {
            if (hops == lastHops) {
                return lastId;
            }
            int id = lookUp(hops);
            lastHops = hops;
            lastId = id;
            return id;
        }

        private int lookUp(List<NextHop> hops) {
            if (hops.isEmpty()) {
                return NONE;
            }
            List<NextHop> canonical = hops;
            if (hops.size() > 1) {
                List<NextHop> sorted = new ArrayList<>(new java.util.LinkedHashSet<>(hops));
                sorted.sort(ORDER);
                canonical = List.copyOf(sorted);
            }
            Integer id = ids.get(canonical);
            if (id == null) {
                List<Route.NextHop> multipath = null;
                if (canonical.size() > 1) {
                    multipath = new ArrayList<>();
                    for (NextHop h : canonical) {
                        multipath.add(new Route.NextHop(h.gateway(), h.device(), 1, false));
                    }
                    multipath = List.copyOf(multipath);
                }
                NextHopSet set = new NextHopSet(canonical, multipath);
                if (free.isEmpty()) {
                    id = byId.size();
                    byId.add(set);
                } else {
                    id = free.remove(free.size() - 1);
                    byId.set(id, set);
                }
                ids.put(canonical, id);
            }
            return id;
        }

        NextHopSet get(int id) {
            return byId.get(id);
        }

        void retain(Set<Integer> inUse) {
            lastHops = null;
            for (int id = 0; id < byId.size(); id++) {
                NextHopSet s = byId.get(id);
                if (s != null && !inUse.contains(id)) {
                    ids.remove(s.hops());
                    byId.set(id, null);
                    free.add(id);
                }
            }
        }
    }

    // ------------------------------------------------------------------ errors

    /**
     * Kernel failures of a pass, a few in full and the rest counted: a million routes through an
     * unreachable gateway must not become a million log lines.
     */
    private static final class Errors {
        private static final int KEPT = 5;
        private final List<String> kept = new ArrayList<>();
        private int more;

        void add(String message) {
            if (kept.size() < KEPT) {
                kept.add(message);
            } else {
                more++;
            }
        }

        void addAll(Batch.Result result) {
            for (NetlinkException e : result.failures()) {
                // a route already gone (deleted by hand, or its device went) is what a delete wanted
                if (!(e.isNotFound() && e.getMessage().startsWith("route del"))) {
                    add(e.getMessage());
                }
            }
        }

        List<String> list() {
            if (more == 0) {
                return List.copyOf(kept);
            }
            List<String> out = new ArrayList<>(kept);
            out.add("… and " + more + " more learned-route error(s)");
            return List.copyOf(out);
        }
    }
}
