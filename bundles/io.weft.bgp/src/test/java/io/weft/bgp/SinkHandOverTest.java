package io.weft.bgp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.weft.api.net.Cidr;
import io.weft.api.routing.NextHop;
import io.weft.api.routing.Route;
import io.weft.api.routing.RouteSink;
import io.weft.api.routing.RouteSource;
import io.weft.api.routing.RouteUpdate;

/**
 * What a route sink (the agent) is handed by a Weft speaker that learns a table over real
 * sessions on loopback from two other Weft speakers: the table in deltas of at most
 * {@value #CHUNK} prefixes, handed over while it is still arriving, ECMP next hops when both
 * offer a prefix, withdrawals, and a late sink's full table; replaying what the sink got always
 * gives exactly the receiver's learned table.
 */
class SinkHandOverTest {
    static final InetAddress RECEIVER = BgpLab.addr("127.0.0.1");
    static final InetAddress FEEDER_1 = BgpLab.addr("127.0.0.2");
    static final InetAddress FEEDER_2 = BgpLab.addr("127.0.0.3");
    /** The speaker's hand-over size (Rib.SINK_CHUNK). */
    static final int CHUNK = 4096;
    static final int COUNT = 10_000;

    private final List<BgpSpeaker> speakers = new ArrayList<>();
    private BgpSpeaker receiver;
    private final Feed feed1 = new Feed();
    private final Feed feed2 = new Feed();
    private final List<RouteUpdate> handed = new ArrayList<>();

    /** A route source a test drives by hand. */
    static final class Feed implements RouteSource {
        volatile RouteSink sink;

        @Override
        public String name() {
            return "test";
        }

        @Override
        public AutoCloseable subscribe(RouteSink s) {
            sink = s;
            return () -> sink = null;
        }
    }

    @BeforeEach
    void start() throws Exception {
        int port = 20000 + (int) ((ProcessHandle.current().pid() + 7) % 20000);
        Duration hold = Duration.ofSeconds(90);
        Duration retry = Duration.ofSeconds(1);
        receiver = started(SpeakerConfig.of(RECEIVER, 64512).withListenAddress(RECEIVER).withPort(port)
                .withTimers(hold, retry));
        receiver.addSink(u -> {
            synchronized (handed) {
                handed.add(u);
            }
        });
        int n = 0;
        for (Feed feed : new Feed[] {feed1, feed2}) {
            InetAddress self = n == 0 ? FEEDER_1 : FEEDER_2;
            long as = 65001 + n++;
            receiver.addPeer(PeerConfig.of("feeder-" + n, self, as).withPassive(true).withFamilies(true, false));
            BgpSpeaker feeder = started(SpeakerConfig.of(self, as).withPort(0).withTimers(hold, retry));
            feeder.addPeer(PeerConfig.of("receiver", RECEIVER, 64512).withPort(port).withSourceAddress(self)
                    .withFamilies(true, false));
            feeder.subscribe(feed);
        }
        await(30_000, 2L, () -> receiver.peers().stream().filter(p -> p.state() == PeerState.ESTABLISHED).count());
    }

    private BgpSpeaker started(SpeakerConfig config) throws InterruptedException {
        BgpSpeaker s = BgpSpeaker.start(config);
        speakers.add(s);
        return s;
    }

    @AfterEach
    void stop() {
        for (BgpSpeaker s : speakers) {
            s.close();
        }
    }

    private static Cidr prefix(int i) {
        int a = (100 << 24) + i * 256;
        return Cidr.parse((a >>> 24) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + ".0/24");
    }

    private static List<Route> table(int from, int to) {
        List<Route> routes = new ArrayList<>();
        for (int i = from; i < to; i++) {
            routes.add(new Route(prefix(i), List.of(), Map.of()));
        }
        return routes;
    }

    /** The sink's view: every update handed over so far, replayed (full tables replace, deltas apply). */
    private Map<Cidr, Set<InetAddress>> replayed() {
        Map<Cidr, Set<InetAddress>> view = new TreeMap<>();
        synchronized (handed) {
            for (RouteUpdate u : handed) {
                if (u.fullTable()) {
                    view.clear();
                }
                u.withdrawals().forEach(view::remove);
                for (Route r : u.upserts()) {
                    Set<InetAddress> hops = new LinkedHashSet<>();
                    r.nextHops().stream().map(NextHop::gateway).sorted((a, b) -> a.getHostAddress()
                            .compareTo(b.getHostAddress())).forEach(hops::add);
                    view.put(r.destination(), hops);
                }
            }
        }
        return view;
    }

    /** The receiver's Loc-RIB in the same form. */
    private Map<Cidr, Set<InetAddress>> rib() {
        Map<Cidr, Set<InetAddress>> view = new TreeMap<>();
        for (Route r : receiver.routes()) {
            Set<InetAddress> hops = new LinkedHashSet<>();
            r.nextHops().stream().map(NextHop::gateway).sorted((a, b) -> a.getHostAddress()
                    .compareTo(b.getHostAddress())).forEach(hops::add);
            view.put(r.destination(), hops);
        }
        return view;
    }

    private static Map<Cidr, Set<InetAddress>> expected(int from, int to, InetAddress... hops) {
        Map<Cidr, Set<InetAddress>> m = new HashMap<>();
        for (int i = from; i < to; i++) {
            m.put(prefix(i), new LinkedHashSet<>(List.of(hops)));
        }
        return m;
    }

    @Test
    void aTableIsHandedOverInSmallDeltasWithEcmpWithdrawalsAndAFullTableForALateSink() throws Exception {
        // one feeder's table: deltas of at most CHUNK prefixes, while it arrives
        feed1.sink.accept(new RouteUpdate("test", true, table(0, COUNT), List.of()));
        Map<Cidr, Set<InetAddress>> want = new TreeMap<>(expected(0, COUNT, FEEDER_1));
        await(30_000, want, this::replayed);
        List<Integer> sizes;
        synchronized (handed) {
            assertTrue(handed.get(0).fullTable() && handed.get(0).upserts().isEmpty(), "an empty table at addSink");
            sizes = handed.stream().skip(1).map(u -> u.upserts().size() + u.withdrawals().size()).toList();
        }
        assertTrue(sizes.stream().allMatch(s -> s <= CHUNK), "no delta over " + CHUNK + " prefixes: " + sizes);
        assertTrue(sizes.size() >= (COUNT + CHUNK - 1) / CHUNK, "handed over in pieces: " + sizes);
        assertEquals(COUNT, sizes.stream().mapToInt(Integer::intValue).sum(), "each prefix handed over once: " + sizes);

        // the other feeder offers the first 100 as well: equal paths, ECMP
        feed2.sink.accept(new RouteUpdate("test", true, table(0, 100), List.of()));
        want.putAll(expected(0, 100, FEEDER_1, FEEDER_2));
        await(30_000, want, this::replayed);

        // the first withdraws 50 of them: those go via the second only
        List<Cidr> gone = table(0, 50).stream().map(Route::destination).toList();
        feed1.sink.accept(new RouteUpdate("test", false, List.of(), gone));
        want.putAll(expected(0, 50, FEEDER_2));
        await(30_000, want, this::replayed);

        // the second's table becomes empty: 0-49 are withdrawn, 50-99 via the first only
        feed2.sink.accept(new RouteUpdate("test", true, List.of(), List.of()));
        gone.forEach(want::remove);
        want.putAll(expected(50, 100, FEEDER_1));
        await(30_000, want, this::replayed);
        assertEquals(want, rib(), "the sink's view is the receiver's learned table");

        // a sink added now gets the whole table at once
        List<RouteUpdate> late = new ArrayList<>();
        receiver.addSink(late::add);
        assertEquals(1, late.size());
        assertTrue(late.get(0).fullTable());
        synchronized (handed) {
            handed.clear();
            handed.add(late.get(0));
        }
        assertEquals(want, replayed());
    }

    private static <T> void await(long millis, T expected, Supplier<T> actual) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        T last = actual.get();
        while (!expected.equals(last) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
            last = actual.get();
        }
        assertEquals(expected, last);
    }
}
