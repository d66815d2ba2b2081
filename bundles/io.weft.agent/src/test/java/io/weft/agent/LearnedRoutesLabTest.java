package io.weft.agent;

import static io.weft.agent.Lab.ip;
import static io.weft.agent.Lab.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.weft.api.model.IPAMBlock;
import io.weft.api.model.IPAMBlockSpec;
import io.weft.api.model.IPPool;
import io.weft.api.model.IPPoolSpec;
import io.weft.api.model.ObjectMeta;
import io.weft.api.net.Cidr;
import io.weft.api.resource.ResourceStore;
import io.weft.api.routing.NextHop;
import io.weft.api.routing.Route;
import io.weft.api.routing.RouteUpdate;
import io.weft.codec.internal.JacksonResourceCodec;
import io.weft.core.DatastoreResourceStore;
import io.weft.datastore.memory.MemoryDatastore;
import io.weft.encap.none.PlainRoutingProvider;
import io.weft.netlink.Netns;
import io.weft.netlink.Subscription;

/**
 * A BGP-sized table through the agent's route sink into a real kernel: 100,000 learned /24s
 * installed (ECMP ones as multipath routes, the agent's own block left to the agent), half
 * withdrawn, a full table that changes 10 routes and drops 5 costing exactly 15 kernel changes,
 * and drift (routes deleted, changed and added by hand) repaired — checked with
 * {@code ip route show proto bird} as an operator would.
 */
class LearnedRoutesLabTest {

    private static final int COUNT = 100_000;
    private static final String OWN_BLOCK = "10.244.7.0/26";

    private Lab lab;
    private String ns;
    private DataplaneAgent agent;
    private ResourceStore store;

    @BeforeEach
    void setUp() throws Exception {
        lab = new Lab("wlr");
        ns = lab.netns("node");
        ip(ns, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0-peer");
        ip(ns, "link", "set", "eth0", "up");
        ip(ns, "link", "set", "eth0-peer", "up");
        ip(ns, "addr", "add", "10.0.0.1/24", "dev", "eth0");
        store = new DatastoreResourceStore(new MemoryDatastore(), new JacksonResourceCodec(),
                Clock.systemUTC());
        store.create(new IPPool(ObjectMeta.named("pool"), IPPoolSpec.of("10.244.0.0/16")));
        store.create(new IPAMBlock(ObjectMeta.named("10-244-7-0-26"),
                new IPAMBlockSpec(OWN_BLOCK, "host:lr", false, null, null, null, false, 0, null)));
        agent = new DataplaneAgent(new AgentSettings("lr", Netns.named(ns),
                AddressAutodetection.parse("interface=^eth0$"), Duration.ofMinutes(30), 80, "cali"), store);
        agent.bindProvider(new PlainRoutingProvider());
        agent.start();
        await(30_000, List.of("blackhole " + OWN_BLOCK + " proto 80"), () -> shown(OWN_BLOCK));
    }

    @AfterEach
    void tearDown() {
        if (agent != null) {
            agent.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    private static String prefix(int i) {
        int a = (100 << 24) + i * 256;
        return (a >>> 24) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + ".0/24";
    }

    private static NextHop via(String gateway) {
        return new NextHop(Cidr.parseAddress(gateway), null);
    }

    /** Every 1,000th route has two equal best paths; the rest go via one of four peers. */
    private static List<NextHop> hops(int i) {
        return i % 1000 == 7 ? List.of(via("10.0.0.3"), via("10.0.0.2")) : List.of(via("10.0.0." + (2 + i % 4)));
    }

    private static Route learned(int i) {
        return new Route(Cidr.parse(prefix(i)), hops(i), Map.of());
    }

    private int birdRoutes() {
        return (int) ip(ns, "-o", "route", "show", "proto", "bird").lines().count(); // -o: an ECMP route is one line
    }

    private List<String> shown(String prefix) {
        return lines(ip(ns, "route", "show", prefix)).stream().map(String::trim).toList();
    }

    @Test
    void aBgpSizedTableIsInstalledWithdrawnReplacedAndRepaired() throws Exception {
        List<Route> table = new ArrayList<>();
        for (int i = 0; i < COUNT; i++) {
            table.add(learned(i));
        }
        // a peer offers this node's own block back: the agent's blackhole stays
        table.add(new Route(Cidr.parse(OWN_BLOCK), List.of(via("10.0.0.4")), Map.of()));
        long t0 = System.nanoTime();
        agent.accept(new RouteUpdate("bgp", true, table, List.of()));
        await(60_000, COUNT, this::birdRoutes);
        System.out.printf("learned routes: %,d installed in %.2f s%n", COUNT, (System.nanoTime() - t0) / 1e9);
        assertEquals(List.of("100.0.5.0/24 via 10.0.0.3 dev eth0 proto bird"), shown("100.0.5.0/24"));
        assertEquals(List.of("100.1.134.0/24 via 10.0.0.4 dev eth0 proto bird"), shown(prefix(390)));
        assertEquals(List.of(prefix(1007) + " proto bird", "nexthop via 10.0.0.2 dev eth0 weight 1",
                "nexthop via 10.0.0.3 dev eth0 weight 1"), shown(prefix(1007)));
        assertEquals(List.of("blackhole " + OWN_BLOCK + " proto 80"), shown(OWN_BLOCK));
        assertEquals(COUNT, agent.learnedRoutesInstalled());

        // half withdrawn (every even one) in one delta
        List<Cidr> withdrawn = new ArrayList<>();
        for (int i = 0; i < COUNT; i += 2) {
            withdrawn.add(Cidr.parse(prefix(i)));
        }
        long beforeBurst = agent.report().resyncs();
        agent.accept(new RouteUpdate("bgp", false, List.of(), withdrawn));
        await(60_000, COUNT / 2, this::birdRoutes);
        // a burst goes in without route notifications, and ends with a full pass in their stead
        await(30_000, true, () -> agent.report().resyncs() > beforeBurst);
        assertEquals(List.of(), shown(prefix(390)));
        assertEquals(List.of("100.0.5.0/24 via 10.0.0.3 dev eth0 proto bird"), shown("100.0.5.0/24"));
        assertEquals(List.of(prefix(1007) + " proto bird", "nexthop via 10.0.0.2 dev eth0 weight 1",
                "nexthop via 10.0.0.3 dev eth0 weight 1"), shown(prefix(1007)));
        assertEquals(List.of("blackhole " + OWN_BLOCK + " proto 80"), shown(OWN_BLOCK));

        // the speaker restarts and hands over its full table: 10 next hops changed, 5 routes gone;
        // the kernel sees exactly those 15 changes, not 50,000 replaces
        AtomicInteger replaced = new AtomicInteger();
        AtomicInteger deleted = new AtomicInteger();
        List<Route> again = new ArrayList<>();
        for (int i = 1; i < COUNT; i += 2) {
            if (i >= 20_001 && i < 20_011) {
                continue; // the 5 odd ones in [20001, 20011) are gone
            }
            boolean moved = i >= 30_001 && i < 30_021;
            again.add(moved ? new Route(Cidr.parse(prefix(i)), List.of(via("10.0.0.9")), Map.of()) : learned(i));
        }
        try (Subscription sub = Subscription.open(Netns.named(ns), EnumSet.of(Subscription.Kind.ROUTE), e -> {
            if (e.subject() instanceof io.weft.netlink.Route r && r.protocol() == 12) {
                (e.deleted() ? deleted : replaced).incrementAndGet();
            }
        })) {
            agent.accept(new RouteUpdate("bgp", true, again, List.of()));
            await(30_000, "10 replaced, 5 deleted", () -> replaced.get() + " replaced, " + deleted.get() + " deleted");
            await(5_000, 0, agent::learnedRoutesPending);
            Thread.sleep(300); // nothing more may follow
            assertEquals("10 replaced, 5 deleted", replaced.get() + " replaced, " + deleted.get() + " deleted");
        }
        assertEquals(COUNT / 2 - 5, birdRoutes());
        assertEquals(List.of(prefix(30_001) + " via 10.0.0.9 dev eth0 proto bird"), shown(prefix(30_001)));
        assertEquals(List.of(), shown(prefix(20_001)));

        // drift: deleted by hand -> back on the kernel's notification, no resync needed
        long resyncs = agent.report().resyncs();
        ip(ns, "route", "del", prefix(3));
        ip(ns, "route", "del", prefix(1007));
        await(5_000, List.of(prefix(3) + " via 10.0.0.5 dev eth0 proto bird"), () -> shown(prefix(3)));
        await(5_000, 3, () -> shown(prefix(1007)).size());
        assertEquals(resyncs, agent.report().resyncs(), "a deleted learned route is put back without a full resync");

        // changed and added by hand, and a foreign route: the next resync repairs ours only
        ip(ns, "route", "replace", prefix(5), "via", "10.0.0.20", "proto", "bird");
        ip(ns, "route", "add", "198.51.100.0/24", "via", "10.0.0.2", "proto", "bird");
        ip(ns, "route", "add", "203.0.113.0/24", "via", "10.0.0.2", "proto", "static");
        assertEquals(List.of(prefix(5) + " via 10.0.0.20 dev eth0 proto bird"), shown(prefix(5)));
        agent.requestSync(true);
        await(30_000, List.of(prefix(5) + " via 10.0.0.3 dev eth0 proto bird"), () -> shown(prefix(5)));
        await(30_000, List.of(), () -> shown("198.51.100.0/24"));
        assertEquals(List.of("203.0.113.0/24 via 10.0.0.2 dev eth0 proto static"), shown("203.0.113.0/24"));
        assertEquals(COUNT / 2 - 5, birdRoutes());
        assertEquals(COUNT / 2 - 5, agent.learnedRoutesInstalled());
    }

    /**
     * A restarted agent (node runtime restart) finds the routes it learned before in the kernel;
     * the BGP speaker hands its table over only once its peers sent theirs. Until a full table
     * arrives the routes stay, so traffic keeps flowing; the table then decides each of them.
     */
    @Test
    void theStartUpWarmUpLeavesTheKernelAlone() throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!agent.learnedRoutesWarm() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(true, agent.learnedRoutesWarm(), "the learned-route warm-up did not end");
        // 50,000 made-up routes in 198.18.0.0/15 were built and dropped, none sent
        assertEquals(0, birdRoutes());
        assertEquals(List.of(), lines(ip(ns, "route", "show", "root", "198.18.0.0/15")));
        assertEquals(0, agent.learnedRoutesInstalled());
    }

    @Test
    void aRestartedAgentKeepsLearnedRoutesUntilATableArrives() throws Exception {
        agent.accept(new RouteUpdate("bgp", true, List.of(learned(1), learned(2), learned(3)), List.of()));
        await(10_000, 3, this::birdRoutes);
        agent.close();
        agent = new DataplaneAgent(new AgentSettings("lr", Netns.named(ns),
                AddressAutodetection.parse("interface=^eth0$"), Duration.ofMinutes(30), 80, "cali"), store);
        agent.bindProvider(new PlainRoutingProvider());
        agent.start(); // its first pass resyncs the kernel with nothing learned yet
        Thread.sleep(3000);
        assertEquals(3, birdRoutes(), "learned routes kept through the restart: " + ip(ns, "route", "show", "proto", "bird"));
        // the speaker's table arrives: what it still has stays, what it dropped goes
        agent.accept(new RouteUpdate("bgp", true, List.of(learned(1), learned(2)), List.of()));
        await(10_000, 2, this::birdRoutes);
        assertEquals(List.of(), shown(prefix(3)));
    }

    @Test
    void aLearnedRouteGivesWayToTheAgentsOwnAndComesBack() throws Exception {
        // a learned route to a block that is not ours yet
        agent.accept(new RouteUpdate("bgp", false, List.of(new Route(Cidr.parse("10.244.9.0/26"),
                List.of(via("10.0.0.2")), Map.of())), List.of()));
        await(10_000, List.of("10.244.9.0/26 via 10.0.0.2 dev eth0 proto bird"), () -> shown("10.244.9.0/26"));
        // the block becomes this node's: the agent's blackhole replaces the learned route
        store.create(new IPAMBlock(ObjectMeta.named("10-244-9-0-26"),
                new IPAMBlockSpec("10.244.9.0/26", "host:lr", false, null, null, null, false, 0, null)));
        await(10_000, List.of("blackhole 10.244.9.0/26 proto 80"), () -> shown("10.244.9.0/26"));
        await(5_000, 0, this::birdRoutes);
        // and released again: the learned route comes back
        store.delete(io.weft.api.model.ResourceKind.IPAM_BLOCK, null, "10-244-9-0-26");
        await(10_000, List.of("10.244.9.0/26 via 10.0.0.2 dev eth0 proto bird"), () -> shown("10.244.9.0/26"));
        // a second origin offering the same prefix does not take it over; the first origin's wins
        agent.accept(new RouteUpdate("other", false, List.of(new Route(Cidr.parse("10.244.9.0/26"),
                List.of(via("10.0.0.3")), Map.of())), List.of()));
        agent.accept(new RouteUpdate("bgp", false, List.of(new Route(Cidr.parse("10.250.0.0/24"),
                List.of(via("10.0.0.2")), Map.of())), List.of()));
        await(10_000, List.of("10.250.0.0/24 via 10.0.0.2 dev eth0 proto bird"), () -> shown("10.250.0.0/24"));
        assertEquals(List.of("10.244.9.0/26 via 10.0.0.2 dev eth0 proto bird"), shown("10.244.9.0/26"));
        // withdrawn by the first origin: the other's route takes its place
        agent.accept(new RouteUpdate("bgp", false, List.of(), List.of(Cidr.parse("10.244.9.0/26"))));
        await(10_000, List.of("10.244.9.0/26 via 10.0.0.3 dev eth0 proto bird"), () -> shown("10.244.9.0/26"));
        assertEquals(2, birdRoutes());
    }

    private static <T> void await(long millis, T expected, Supplier<T> actual) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        T last = actual.get();
        while (!expected.equals(last) && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
            last = actual.get();
        }
        assertEquals(expected, last);
    }
}
