package io.weft.bgp;

import static io.weft.bgp.BgpLab.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.weft.api.net.Cidr;
import io.weft.api.routing.Route;
import io.weft.api.routing.RouteUpdate;

/**
 * Weft against BIRD 2 in network namespaces: sessions come up, routes go both ways and are
 * withdrawn, as each side's own table shows.
 */
class BirdInteropTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    private BgpLab lab;
    private BgpSpeaker weft;

    @BeforeEach
    void setUp() throws Exception {
        BgpLab.assumeInstalled("bird", "bird2");
        lab = new BgpLab();
    }

    @AfterEach
    void tearDown() {
        if (weft != null) {
            weft.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    static String birdConfig(String routerId, String body) {
        return "router id " + routerId + ";\n"
                + "protocol device { scan time 1; }\n"
                + "protocol direct { ipv4; ipv6; interface \"eth0\"; }\n"
                + body;
    }

    static String birdPeer(String name, String local, long localAs, String neighbor, long peerAs, String extra,
            String channels) {
        return "protocol bgp " + name + " {\n  local " + local + " as " + localAs + ";\n  neighbor " + neighbor + " as "
                + peerAs + ";\n  connect delay time 1; connect retry time 1; error wait time 1, 2;\n" + extra + channels
                + "}\n";
    }

    static SpeakerConfig weftConfig(BgpLab.Link link, long as) {
        return SpeakerConfig.of(link.hostV4(), as).withListenAddress(null).withPort(179)
                .withTimers(Duration.ofSeconds(9), Duration.ofSeconds(1));
    }

    private void awaitEstablished(String peer) {
        await(WAIT, () -> weft.peer(peer).map(p -> p.state() == PeerState.ESTABLISHED).orElse(false),
                () -> "peer " + peer + " not Established: " + weft.peer(peer));
    }

    private Optional<Route> weftRoute(String cidr) {
        Cidr c = Cidr.parse(cidr);
        return weft.routes().stream().filter(r -> r.destination().equals(c)).findFirst();
    }

    @Test
    void ebgpIpv4RoutesBothWaysAndWithdrawals() throws Exception {
        BgpLab.Link link = lab.link("ebgp", 213 * 256 + 1);
        String statics = "protocol static { ipv4; route 10.99.1.0/24 blackhole; route 10.99.2.0/24 blackhole; }\n";
        String channel = "  ipv4 { import all; export where source = RTS_STATIC; };\n";
        String peer = birdPeer("weft", "10.213.1.2", 65002, "10.213.1.1", 65001, "", channel);
        BgpLab.Bird bird = lab.bird(link, "ebgp", birdConfig("10.213.1.2", statics + peer));

        weft = BgpSpeaker.start(weftConfig(link, 65001).withListenAddress(link.hostV4()));
        weft.addPeer(PeerConfig.of("Global_10.213.1.2", link.nsV4(), 65002).withFamilies(true, false));
        weft.originate(Cidr.parse("10.244.1.0/26"));
        awaitEstablished("Global_10.213.1.2");

        await(WAIT, () -> weftRoute("10.99.2.0/24").isPresent(), () -> "Weft's RIB: " + weft.routes());
        Route learned = weftRoute("10.99.1.0/24").orElseThrow();
        assertEquals("10.213.1.2", learned.nextHops().get(0).gateway().getHostAddress());
        assertEquals("65002", learned.attributes().get("as_path"));
        assertEquals("IGP", learned.attributes().get("origin"));

        await(WAIT, () -> bird.cmd("show", "route", "10.244.1.0/26").contains("10.244.1.0/26"),
                () -> bird.cmd("show", "route", "all"));
        String all = bird.cmd("show", "route", "all", "10.244.1.0/26");
        assertTrue(all.contains("via 10.213.1.1 on eth0"), all);
        assertTrue(all.contains("BGP.as_path: 65001"), all);
        assertTrue(all.contains("BGP.origin: IGP"), all);
        assertTrue(all.contains("BGP.next_hop: 10.213.1.1"), all);

        PeerStatus status = weft.peer("Global_10.213.1.2").orElseThrow();
        assertEquals(2, status.accepted());
        assertEquals(1, status.advertised());
        assertEquals("10.213.1.2", status.peerRouterId());
        assertEquals(9, status.holdTime());

        // withdrawals both ways
        bird.reconfigure(birdConfig("10.213.1.2",
                "protocol static { ipv4; route 10.99.1.0/24 blackhole; }\n" + peer));
        await(WAIT, () -> weftRoute("10.99.2.0/24").isEmpty(), () -> "still in Weft: " + weft.routes());
        assertTrue(weftRoute("10.99.1.0/24").isPresent());
        weft.withdraw(Cidr.parse("10.244.1.0/26"));
        await(WAIT, () -> !bird.cmd("show", "route").contains("10.244.1.0/26"), () -> bird.cmd("show", "route"));
        assertEquals(0, weft.peer("Global_10.213.1.2").orElseThrow().advertised());
        assertTrue(bird.cmd("show", "protocols", "weft").contains("Established"));
    }

    @Test
    void ibgpIpv4AndIpv6() throws Exception {
        BgpLab.Link link = lab.link("ibgp", 213 * 256 + 2);
        String statics = "protocol static routes4 { ipv4; route 10.98.1.0/24 blackhole; }\n"
                + "protocol static routes6 { ipv6; route fd10:98::/48 blackhole; }\n";
        String v4 = birdPeer("weft4", "10.213.2.2", 64512, "10.213.2.1", 64512, "",
                "  ipv4 { import all; export where proto = \"routes4\"; next hop self; };\n");
        String v6 = birdPeer("weft6", "fd00:d502::2", 64512, "fd00:d502::1", 64512, "",
                "  ipv6 { import all; export where proto = \"routes6\"; next hop self; };\n");
        BgpLab.Bird bird = lab.bird(link, "ibgp", birdConfig("10.213.2.2", statics + v4 + v6));

        weft = BgpSpeaker.start(weftConfig(link, 64512));
        weft.addPeer(PeerConfig.of("Mesh_10.213.2.2", link.nsV4(), 64512).withFamilies(true, false));
        weft.addPeer(PeerConfig.of("Mesh_fd00:d502::2", link.nsV6(), 64512).withFamilies(false, true));
        weft.originate(Cidr.parse("10.244.2.0/26"));
        weft.originate(Cidr.parse("fd20:244::/64"));
        awaitEstablished("Mesh_10.213.2.2");
        awaitEstablished("Mesh_fd00:d502::2");

        await(WAIT, () -> weftRoute("10.98.1.0/24").isPresent() && weftRoute("fd10:98::/48").isPresent(),
                () -> "Weft's RIB: " + weft.routes());
        Route r4 = weftRoute("10.98.1.0/24").orElseThrow();
        assertEquals("10.213.2.2", r4.nextHops().get(0).gateway().getHostAddress());
        assertEquals("", r4.attributes().get("as_path"));
        assertEquals("100", r4.attributes().get("local_pref"));
        Route r6 = weftRoute("fd10:98::/48").orElseThrow();
        assertEquals("fd00:d502:0:0:0:0:0:2", r6.nextHops().get(0).gateway().getHostAddress());

        await(WAIT, () -> bird.cmd("show", "route").contains("fd20:244::/64")
                && bird.cmd("show", "route").contains("10.244.2.0/26"), () -> bird.cmd("show", "route", "all"));
        String all4 = bird.cmd("show", "route", "all", "10.244.2.0/26");
        assertTrue(all4.contains("BGP.local_pref: 100"), all4);
        assertTrue(all4.contains("BGP.next_hop: 10.213.2.1"), all4);
        assertTrue(all4.contains("[i]"), all4);
        String all6 = bird.cmd("show", "route", "all", "fd20:244::/64");
        assertTrue(all6.contains("BGP.next_hop: fd00:d502::1"), all6);
        assertTrue(all6.contains("via fd00:d502::1 on eth0"), all6);

        weft.withdraw(Cidr.parse("fd20:244::/64"));
        await(WAIT, () -> !bird.cmd("show", "route").contains("fd20:244::/64"), () -> bird.cmd("show", "route"));
        bird.reconfigure(birdConfig("10.213.2.2", "protocol static routes4 { ipv4; }\n"
                + "protocol static routes6 { ipv6; }\n" + v4 + v6));
        await(WAIT, () -> weftRoute("fd10:98::/48").isEmpty() && weftRoute("10.98.1.0/24").isEmpty(),
                () -> "still in Weft: " + weft.routes());
    }

    @Test
    void routeReflectorForBirdClients() throws Exception {
        BgpLab.Link a = lab.link("rra", 213 * 256 + 3);
        BgpLab.Link b = lab.link("rrb", 213 * 256 + 4);
        String channel = "  ipv4 { import all; export where proto = \"st_out\"; next hop self; };\n";
        String igp = "protocol static st_igp { ipv4; route 10.213.0.0/16 via %s; }\n";
        BgpLab.Bird birdA = lab.bird(a, "rra", birdConfig("10.213.3.2",
                "protocol static st_out { ipv4; route 10.97.1.0/24 blackhole; }\n" + igp.formatted("10.213.3.1")
                        + birdPeer("reflector", "10.213.3.2", 64512, "10.213.3.1", 64512, "", channel)));
        BgpLab.Bird birdB = lab.bird(b, "rrb", birdConfig("10.213.4.2",
                "protocol static st_out { ipv4; route 10.97.2.0/24 blackhole; }\n" + igp.formatted("10.213.4.1")
                        + birdPeer("reflector", "10.213.4.2", 64512, "10.213.4.1", 64512, "", channel)));

        weft = BgpSpeaker.start(weftConfig(a, 64512).withClusterId(BgpLab.addr("1.1.1.1")));
        weft.addPeer(PeerConfig.of("Node_10.213.3.2", a.nsV4(), 64512).withRouteReflectorClient(true).withFamilies(true, false));
        weft.addPeer(PeerConfig.of("Node_10.213.4.2", b.nsV4(), 64512).withRouteReflectorClient(true).withFamilies(true, false));
        weft.originate(Cidr.parse("10.244.3.0/26"));
        awaitEstablished("Node_10.213.3.2");
        awaitEstablished("Node_10.213.4.2");

        await(WAIT, () -> birdB.cmd("show", "route").contains("10.97.1.0/24")
                && birdA.cmd("show", "route").contains("10.97.2.0/24"), () -> birdB.cmd("show", "route", "all"));
        String reflected = birdB.cmd("show", "route", "all", "10.97.1.0/24");
        assertTrue(reflected.contains("BGP.originator_id: 10.213.3.2"), reflected);
        assertTrue(reflected.contains("BGP.cluster_list: 1.1.1.1"), reflected);
        assertTrue(reflected.contains("BGP.next_hop: 10.213.3.2"), reflected);
        String own = birdA.cmd("show", "route", "all", "10.244.3.0/26");
        assertTrue(own.contains("BGP.next_hop: 10.213.3.1"), own);
        assertFalse(own.contains("originator_id"), own);
        // A's own route is not reflected back to A
        assertFalse(birdA.cmd("show", "route", "protocol", "reflector").contains("10.97.1.0/24"));
        assertEquals(2, weft.peer("Node_10.213.4.2").orElseThrow().advertised());

        // a client withdraws: the other client loses it
        birdA.reconfigure(birdConfig("10.213.3.2", "protocol static st_out { ipv4; }\n" + igp.formatted("10.213.3.1")
                + birdPeer("reflector", "10.213.3.2", 64512, "10.213.3.1", 64512, "", channel)));
        await(WAIT, () -> !birdB.cmd("show", "route").contains("10.97.1.0/24"), () -> birdB.cmd("show", "route"));
    }

    @Test
    void ecmpFromTwoExternalPeers() throws Exception {
        BgpLab.Link a = lab.link("ecmpa", 213 * 256 + 5);
        BgpLab.Link b = lab.link("ecmpb", 213 * 256 + 6);
        String routes = "protocol static st_out { ipv4; route 10.95.1.0/24 blackhole; }\n";
        String channel = "  ipv4 { import all; export where proto = \"st_out\"; };\n";
        lab.bird(a, "ecmpa", birdConfig("10.213.5.2", routes + birdPeer("w", "10.213.5.2", 65005, "10.213.5.1", 65001, "", channel)));
        lab.bird(b, "ecmpb", birdConfig("10.213.6.2", routes + birdPeer("w", "10.213.6.2", 65006, "10.213.6.1", 65001, "", channel)));
        weft = BgpSpeaker.start(weftConfig(a, 65001));
        weft.addPeer(PeerConfig.of("Global_10.213.5.2", a.nsV4(), 65005).withFamilies(true, false));
        weft.addPeer(PeerConfig.of("Global_10.213.6.2", b.nsV4(), 65006).withFamilies(true, false));
        await(WAIT, () -> weftRoute("10.95.1.0/24").map(r -> r.nextHops().size() == 2).orElse(false),
                () -> "Weft's RIB: " + weft.routes());
        List<String> hops = weftRoute("10.95.1.0/24").orElseThrow().nextHops().stream()
                .map(h -> h.gateway().getHostAddress()).sorted().toList();
        assertEquals(List.of("10.213.5.2", "10.213.6.2"), hops);
        weft.removePeer("Global_10.213.5.2");
        await(WAIT, () -> weftRoute("10.95.1.0/24").map(r -> r.nextHops().size() == 1).orElse(false),
                () -> "Weft's RIB: " + weft.routes());
    }

    @Test
    void md5PasswordMatchAndMismatch() throws Exception {
        BgpLab.Link a = lab.link("md5a", 213 * 256 + 7);
        BgpLab.Link b = lab.link("md5b", 213 * 256 + 8);
        String channel = "  ipv4 { import all; export none; };\n";
        lab.bird(a, "md5a", birdConfig("10.213.7.2", birdPeer("w", "10.213.7.2", 65007, "10.213.7.1", 65001,
                "  password \"s3cret-a\";\n", channel)));
        BgpLab.Bird wrong = lab.bird(b, "md5b", birdConfig("10.213.8.2", birdPeer("w", "10.213.8.2", 65008, "10.213.8.1",
                65001, "  password \"what-bird-thinks\";\n", channel)));
        weft = BgpSpeaker.start(weftConfig(a, 65001));
        weft.addPeer(PeerConfig.of("Global_10.213.7.2", a.nsV4(), 65007).withPassword("s3cret-a").withFamilies(true, false));
        weft.addPeer(PeerConfig.of("Global_10.213.8.2", b.nsV4(), 65008).withPassword("not-the-same").withFamilies(true, false));
        awaitEstablished("Global_10.213.7.2");
        Thread.sleep(4000); // several connect retries on both sides
        assertFalse(weft.peer("Global_10.213.8.2").orElseThrow().state() == PeerState.ESTABLISHED);
        assertFalse(wrong.cmd("show", "protocols", "w").contains("Established"));
        // the password is never shown
        assertFalse(weft.peers().toString().contains("not-the-same"));
        assertFalse(PeerConfig.of("x", a.nsV4(), 1).withPassword("s3cret-a").toString().contains("s3cret"));
    }

    @Test
    void gracefulRestartBothWays() throws Exception {
        BgpLab.Link link = lab.link("gr", 213 * 256 + 9);
        String peer = birdPeer("w", "10.213.9.2", 65009, "10.213.9.1", 65001,
                "  graceful restart on; graceful restart time 60;\n",
                "  ipv4 { import all; export where proto = \"st_out\"; };\n");
        BgpLab.Bird bird = lab.bird(link, "gr", birdConfig("10.213.9.2",
                "protocol static st_out { ipv4; route 10.96.1.0/24 blackhole; }\n" + peer));
        weft = BgpSpeaker.start(weftConfig(link, 65001));
        PeerConfig p = PeerConfig.of("Global_10.213.9.2", link.nsV4(), 65009).withFamilies(true, false);
        weft.addPeer(p);
        weft.originate(Cidr.parse("10.244.9.0/26"));
        awaitEstablished("Global_10.213.9.2");
        await(WAIT, () -> weftRoute("10.96.1.0/24").isPresent() && bird.cmd("show", "route").contains("10.244.9.0/26"),
                () -> weft.routes() + "\n" + bird.cmd("show", "route"));

        // BIRD crashes: Weft (helper) keeps its route while it is away and after it is back
        bird.crashAndRestart();
        await(WAIT, () -> weft.peer("Global_10.213.9.2").orElseThrow().state() != PeerState.ESTABLISHED
                || !bird.cmd("show", "protocols", "w").isEmpty(), () -> "session never dropped");
        assertTrue(weftRoute("10.96.1.0/24").isPresent(), "stale route kept during the peer's restart");
        awaitEstablished("Global_10.213.9.2");
        await(WAIT, () -> bird.cmd("show", "route").contains("10.244.9.0/26"), () -> bird.cmd("show", "route"));
        assertTrue(weftRoute("10.96.1.0/24").isPresent(), "route present after End-of-RIB");

        // Weft crashes: BIRD (helper) keeps Weft's route until Weft is back, which says it restarted
        weft.abort();
        Thread.sleep(1500);
        String during = bird.cmd("show", "route", "all", "10.244.9.0/26");
        assertTrue(during.contains("10.244.9.0/26"), "BIRD keeps the route while Weft restarts: " + during);
        assertTrue(during.contains("stale") || bird.cmd("show", "protocols", "all", "w").contains("restart"), during);
        weft = BgpSpeaker.start(weftConfig(link, 65001).withGracefulRestart(Duration.ofSeconds(120), true));
        weft.addPeer(p);
        weft.originate(Cidr.parse("10.244.9.0/26"));
        awaitEstablished("Global_10.213.9.2");
        await(WAIT, () -> !bird.cmd("show", "route", "all", "10.244.9.0/26").contains("stale")
                && bird.cmd("show", "route").contains("10.244.9.0/26"), () -> bird.cmd("show", "route", "all"));
        assertTrue(bird.cmd("show", "protocols", "w").contains("Established"));
    }

    /**
     * RFC 4724 4.2: a restarting Weft advertises nothing and gives its route sink nothing until
     * every peer that is there has sent End-of-RIB; a configured peer that never shows up holds
     * it back until the peer is known down (here: removed) or the deferral timer runs out.
     */
    @Test
    void restartingWeftDefersSelectionUntilItsPeersSentTheirTables() throws Exception {
        BgpLab.Link link = lab.link("defer", 213 * 256 + 14);
        String peer = birdPeer("w", "10.213.14.2", 65014, "10.213.14.1", 65001,
                "  graceful restart on;\n", "  ipv4 { import all; export where proto = \"st_out\"; };\n");
        BgpLab.Bird bird = lab.bird(link, "defer", birdConfig("10.213.14.2",
                "protocol static st_out { ipv4; route 10.96.14.0/24 blackhole; }\n" + peer));
        // restart time 40 s: the deferral timer (half of it) cannot end the wait within this test
        weft = BgpSpeaker.start(weftConfig(link, 65001).withGracefulRestart(Duration.ofSeconds(40), true));
        List<RouteUpdate> sunk = new java.util.concurrent.CopyOnWriteArrayList<>();
        weft.addSink(sunk::add);
        weft.originate(Cidr.parse("10.244.14.0/26"));
        weft.addPeer(PeerConfig.of("Global_10.213.14.2", link.nsV4(), 65014).withFamilies(true, false));
        // a peer that is configured but never connects (passive: Weft waits for it to call)
        weft.addPeer(PeerConfig.of("Global_10.213.14.99", BgpLab.addr("10.213.14.99"), 65099).withPassive(true)
                .withFamilies(true, false));
        awaitEstablished("Global_10.213.14.2");
        await(WAIT, () -> weftRoute("10.96.14.0/24").isPresent(), () -> "Weft's RIB: " + weft.routes());
        Thread.sleep(2000);
        assertFalse(bird.cmd("show", "route").contains("10.244.14.0/26"),
                "nothing advertised while selection is deferred: " + bird.cmd("show", "route"));
        assertTrue(sunk.isEmpty(), "nothing given to the route sink while selection is deferred: " + sunk);

        weft.removePeer("Global_10.213.14.99"); // the peer we waited for is gone: selection completes
        await(WAIT, () -> bird.cmd("show", "route").contains("10.244.14.0/26"), () -> bird.cmd("show", "route"));
        await(WAIT, () -> !sunk.isEmpty(), () -> "route sink got nothing");
        RouteUpdate table = sunk.get(0);
        assertTrue(table.fullTable(), "the sink first gets a full table: " + table);
        assertEquals(List.of(Cidr.parse("10.96.14.0/24")), table.upserts().stream().map(Route::destination).toList());
    }

    @Test
    void clientsOfABirdReflectorAndRouteRefresh() throws Exception {
        BgpLab.Link link = lab.link("birdrr", 213 * 256 + 12);
        BgpLab.run("ip", "addr", "add", "10.213.12.3/24", "dev", link.hostIf());
        String channel = "  ipv4 { import all; export all; };\n";
        String clients = birdPeer("weft_a", "10.213.12.2", 64512, "10.213.12.1", 64512, "  rr client; rr cluster id 2.2.2.2;\n", channel)
                + birdPeer("weft_b", "10.213.12.2", 64512, "10.213.12.3", 64512, "  rr client; rr cluster id 2.2.2.2;\n", channel);
        BgpLab.Bird rr = lab.bird(link, "birdrr", birdConfig("10.213.12.2", clients));

        weft = BgpSpeaker.start(weftConfig(link, 64512).withListenAddress(link.hostV4()));
        weft.addPeer(PeerConfig.of("Node_10.213.12.2", link.nsV4(), 64512).withFamilies(true, false));
        weft.originate(Cidr.parse("10.244.12.0/26"));
        BgpLab.Link b = new BgpLab.Link(link.ns(), link.hostIf(), BgpLab.addr("10.213.12.3"), link.nsV4(), null, null);
        try (BgpSpeaker weftB = BgpSpeaker.start(weftConfig(b, 64512).withListenAddress(b.hostV4()))) {
            weftB.addPeer(PeerConfig.of("Node_10.213.12.2", link.nsV4(), 64512).withFamilies(true, false)
                    .withSourceAddress(b.hostV4()));
            await(WAIT, () -> weftB.routes().stream().anyMatch(r -> r.destination().equals(Cidr.parse("10.244.12.0/26"))),
                    () -> "Weft B's RIB: " + weftB.routes() + "\n" + rr.cmd("show", "route", "all"));
            Route reflected = weftB.routes().stream().filter(r -> r.destination().equals(Cidr.parse("10.244.12.0/26")))
                    .findFirst().orElseThrow();
            assertEquals("10.213.12.1", reflected.attributes().get("originator_id"));
            assertEquals("2.2.2.2", reflected.attributes().get("cluster_list"));
            assertEquals("10.213.12.1", reflected.nextHops().get(0).gateway().getHostAddress());
            assertEquals("100", reflected.attributes().get("local_pref"));

            // route refresh (RFC 2918): BIRD asks Weft A for its routes again and gets them
            int before = importUpdates(rr.cmd("show", "protocols", "all", "weft_a"));
            rr.cmd("reload", "in", "weft_a");
            await(WAIT, () -> importUpdates(rr.cmd("show", "protocols", "all", "weft_a")) > before,
                    () -> rr.cmd("show", "protocols", "all", "weft_a"));
            // and Weft B asks BIRD: the session stays up and the route stays
            weftB.refresh("Node_10.213.12.2");
            Thread.sleep(500);
            assertEquals(PeerState.ESTABLISHED, weftB.peer("Node_10.213.12.2").orElseThrow().state());
            assertTrue(weftB.routes().stream().anyMatch(r -> r.destination().equals(Cidr.parse("10.244.12.0/26"))));
        }
    }

    /** "Import updates: received" from BIRD's protocol details. */
    static int importUpdates(String protocolsAll) {
        return protocolsAll.lines().filter(l -> l.trim().startsWith("Import updates:")).findFirst()
                .map(l -> Integer.parseInt(l.trim().split("\\s+")[2])).orElse(0);
    }

    @Test
    void importAndExportFilters() throws Exception {
        BgpLab.Link link = lab.link("filter", 213 * 256 + 15);
        String statics = "protocol static st_out { ipv4; route 10.91.1.0/24 blackhole; route 10.91.2.0/24 blackhole;"
                + " route 10.91.3.128/25 blackhole; }\n";
        BgpLab.Bird bird = lab.bird(link, "filter", birdConfig("10.213.15.2", statics + birdPeer("w", "10.213.15.2", 65015,
                "10.213.15.1", 65001, "", "  ipv4 { import all; export where proto = \"st_out\"; };\n")));
        // import: refuse exactly 10.91.2.0/24 and anything longer than /24 inside 10.91.0.0/16
        RouteFilter in = new RouteFilter(List.of(
                new RouteFilter.Rule(Cidr.parse("10.91.2.0/24"), RouteFilter.Match.EQUAL, 0, 0, false),
                new RouteFilter.Rule(Cidr.parse("10.91.0.0/16"), RouteFilter.Match.IN, 25, 32, false)), true);
        // export: only /26 blocks inside 10.244.0.0/16
        RouteFilter out = new RouteFilter(List.of(
                new RouteFilter.Rule(Cidr.parse("10.244.0.0/16"), RouteFilter.Match.IN, 26, 26, true)), false);
        weft = BgpSpeaker.start(weftConfig(link, 65001));
        weft.addPeer(PeerConfig.of("Global_10.213.15.2", link.nsV4(), 65015).withFamilies(true, false).withFilters(in, out));
        weft.originate(Cidr.parse("10.244.15.0/26"));
        weft.originate(Cidr.parse("10.244.0.0/16"));
        weft.originate(Cidr.parse("10.245.1.0/26"));
        awaitEstablished("Global_10.213.15.2");

        await(WAIT, () -> weftRoute("10.91.1.0/24").isPresent() && bird.cmd("show", "route").contains("10.244.15.0/26"),
                () -> weft.routes() + "\n" + bird.cmd("show", "route"));
        Thread.sleep(500);
        assertTrue(weftRoute("10.91.2.0/24").isEmpty(), "import filter: Equal reject");
        assertTrue(weftRoute("10.91.3.128/25").isEmpty(), "import filter: In 25-32 reject");
        String birdRoutes = bird.cmd("show", "route");
        assertFalse(birdRoutes.contains("10.244.0.0/16"), birdRoutes);
        assertFalse(birdRoutes.contains("10.245.1.0/26"), birdRoutes);
        PeerStatus s = weft.peer("Global_10.213.15.2").orElseThrow();
        assertEquals(3, s.received());
        assertEquals(1, s.accepted());
        assertEquals(1, s.advertised());
    }
}
