package io.weft.bgp;

import static io.weft.bgp.BgpLab.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.weft.api.net.Cidr;
import io.weft.api.routing.Route;
import io.weft.bgp.RouteFilter.Rule;

/**
 * Communities and route policy against BIRD 2: what Weft tags shows in BIRD's table, well-known
 * communities keep routes from the peers they exclude, and import and export rules decide by
 * community and AS path on what BIRD really sends. Weft listens on port 1179 (see
 * {@link GtsmInteropTest}).
 */
class PolicyInteropTest {
    static final Duration WAIT = Duration.ofSeconds(30);
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

    /** BIRD's side of a session with Weft (AS 65001) at {@code weftAddress}:1179. */
    static String birdPeer(String local, long localAs, String weftAddress, String channel) {
        return "protocol bgp w {\n  local " + local + " as " + localAs + ";\n  neighbor " + weftAddress + " port "
                + GtsmInteropTest.WEFT_PORT + " as 65001;\n"
                + "  connect delay time 1; connect retry time 1; error wait time 1, 2;\n" + channel + "}\n";
    }

    private void awaitEstablished(String... peers) {
        await(WAIT, () -> List.of(peers).stream().allMatch(
                p -> weft.peer(p).map(s -> s.state() == PeerState.ESTABLISHED).orElse(false)), () -> "Weft: " + weft.peers());
    }

    private Optional<Route> weftRoute(String cidr) {
        Cidr c = Cidr.parse(cidr);
        return weft.routes().stream().filter(r -> r.destination().equals(c)).findFirst();
    }

    private static boolean has(BgpLab.Bird bird, String prefix) {
        return bird.cmd("show", "route", "protocol", "w").contains(prefix);
    }

    @Test
    void communitiesOnExportAndWellKnownCommunities() throws Exception {
        BgpLab.Link source = lab.link("pola", 221 * 256 + 1);
        BgpLab.Link external = lab.link("polb", 221 * 256 + 2);
        BgpLab.Link internal = lab.link("polc", 221 * 256 + 3);
        // A (eBGP) sends one route tagged NO_EXPORT and one plain
        lab.bird(source, "pola", BirdInteropTest.birdConfig("10.221.1.2",
                "protocol static st_out { ipv4; route 10.83.1.0/24 blackhole; route 10.83.2.0/24 blackhole; }\n"
                        + "filter tag_out {\n  if net = 10.83.1.0/24 then bgp_community.add((65535,65281));\n"
                        + "  if proto = \"st_out\" then accept;\n  reject;\n}\n"
                        + birdPeer("10.221.1.2", 65311, "10.221.1.1", "  ipv4 { import none; export filter tag_out; };\n")));
        BgpLab.Bird ebgp = lab.bird(external, "polb", BirdInteropTest.birdConfig("10.221.2.2",
                birdPeer("10.221.2.2", 65312, "10.221.2.1", "  ipv4 { import all; export none; };\n")));
        BgpLab.Bird ibgp = lab.bird(internal, "polc", BirdInteropTest.birdConfig("10.221.3.2",
                birdPeer("10.221.3.2", 65001, "10.221.3.1", "  ipv4 { import all; export none; };\n")));

        weft = BgpSpeaker.start(SpeakerConfig.of(source.hostV4(), 65001).withPort(GtsmInteropTest.WEFT_PORT)
                .withTimers(Duration.ofSeconds(9), Duration.ofSeconds(1)));
        weft.addPeer(PeerConfig.of("Global_10.221.1.2", source.nsV4(), 65311).withFamilies(true, false));
        weft.addPeer(PeerConfig.of("Global_10.221.2.2", external.nsV4(), 65312).withFamilies(true, false)
                .withExportCommunities(Community.parseList("65000:200 65000:5:6")));
        weft.addPeer(PeerConfig.of("Mesh_10.221.3.2", internal.nsV4(), 65001).withFamilies(true, false)
                .withNextHop(true, false));
        weft.originate(Cidr.parse("10.244.31.0/26"), Community.parseList("65000:100 65000:1:2"));
        weft.originate(Cidr.parse("10.244.32.0/26"), List.of(Community.NO_EXPORT));
        weft.originate(Cidr.parse("10.244.33.0/26"), List.of(Community.NO_ADVERTISE));
        awaitEstablished("Global_10.221.1.2", "Global_10.221.2.2", "Mesh_10.221.3.2");

        // the iBGP peer gets everything but NO_ADVERTISE, with the communities as originated
        await(WAIT, () -> has(ibgp, "10.244.31.0/26") && has(ibgp, "10.244.32.0/26") && has(ibgp, "10.83.1.0/24")
                && has(ibgp, "10.83.2.0/24"), () -> ibgp.cmd("show", "route", "all"));
        String tagged = ibgp.cmd("show", "route", "all", "10.244.31.0/26");
        assertTrue(tagged.contains("BGP.community: (65000,100)\n"), tagged);
        assertTrue(tagged.contains("BGP.large_community: (65000, 1, 2)\n"), tagged);
        assertTrue(ibgp.cmd("show", "route", "all", "10.83.1.0/24").contains("BGP.community: (65535,65281)\n"));
        assertTrue(ibgp.cmd("show", "route", "all", "10.244.32.0/26").contains("BGP.community: (65535,65281)\n"));

        // the eBGP peer: the peer's export communities added; nothing NO_EXPORT or NO_ADVERTISE
        await(WAIT, () -> has(ebgp, "10.244.31.0/26") && has(ebgp, "10.83.2.0/24"), () -> ebgp.cmd("show", "route", "all"));
        String toExternal = ebgp.cmd("show", "route", "all", "10.244.31.0/26");
        assertTrue(toExternal.contains("BGP.community: (65000,100) (65000,200)\n"), toExternal);
        assertTrue(toExternal.contains("BGP.large_community: (65000, 1, 2) (65000, 5, 6)\n"), toExternal);
        assertTrue(toExternal.contains("BGP.as_path: 65001\n"), toExternal);
        String learned = ebgp.cmd("show", "route", "all", "10.83.2.0/24");
        assertTrue(learned.contains("BGP.community: (65000,200)\n"), learned);
        assertTrue(learned.contains("BGP.as_path: 65001 65311\n"), learned);
        assertEquals(2, weft.peer("Global_10.221.2.2").orElseThrow().advertised(), "Weft's Adj-RIB-Out for B");
        assertEquals(4, weft.peer("Mesh_10.221.3.2").orElseThrow().advertised(), "Weft's Adj-RIB-Out for C");
        String externalTable = ebgp.cmd("show", "route", "protocol", "w");
        for (String excluded : List.of("10.83.1.0/24", "10.244.32.0/26", "10.244.33.0/26")) {
            assertFalse(externalTable.contains(excluded), excluded + " reached the eBGP peer:\n" + externalTable);
        }
        assertFalse(has(ibgp, "10.244.33.0/26"), "NO_ADVERTISE reached the iBGP peer");
        // Weft itself keeps and shows what it learned
        assertEquals("65535:65281", weftRoute("10.83.1.0/24").orElseThrow().attributes().get("communities"));
    }

    @Test
    void importAndExportRulesOnCommunitiesAndAsPath() throws Exception {
        BgpLab.Link link = lab.link("pold", 221 * 256 + 4);
        BgpLab.Bird bird = lab.bird(link, "pold", BirdInteropTest.birdConfig("10.221.4.2",
                "protocol static st_out { ipv4;\n"
                        + "  route 10.84.1.0/24 blackhole; route 10.84.2.0/24 blackhole; route 10.84.3.0/24 blackhole;\n"
                        + "  route 10.84.4.0/24 blackhole; route 10.84.5.0/24 blackhole; route 10.84.6.0/24 blackhole;\n}\n"
                        + "filter tag_out {\n"
                        + "  if net = 10.84.1.0/24 then bgp_community.add((65301,7));\n"
                        + "  if net = 10.84.2.0/24 then bgp_large_community.add((65301,9,9));\n"
                        + "  if net = 10.84.3.0/24 then bgp_path.prepend(65099);\n"
                        + "  if net = 10.84.4.0/24 then bgp_community.add((65301,8));\n"
                        + "  if net = 10.84.6.0/24 then { bgp_community.add((65301,8)); bgp_path.prepend(65099); }\n"
                        + "  if proto = \"st_out\" then accept;\n  reject;\n}\n"
                        + birdPeer("10.221.4.2", 65301, "10.221.4.1", "  ipv4 { import all; export filter tag_out; };\n")));
        RouteFilter in = new RouteFilter(List.of(
                Rule.asPathPrefix(false, 65301, 65099),
                Rule.communities(false, Community.parse("65301:7")),
                Rule.communities(false, Community.parse("65301:9:9")),
                Rule.communities(true, Community.parse("65301:8"))), false);
        RouteFilter out = new RouteFilter(List.of(Rule.communities(true, Community.parse("65000:100"))), false);
        weft = BgpSpeaker.start(SpeakerConfig.of(link.hostV4(), 65001).withListenAddress(link.hostV4())
                .withPort(GtsmInteropTest.WEFT_PORT).withTimers(Duration.ofSeconds(9), Duration.ofSeconds(1)));
        weft.addPeer(PeerConfig.of("Global_10.221.4.2", link.nsV4(), 65301).withFamilies(true, false).withFilters(in, out));
        weft.originate(Cidr.parse("10.244.41.0/26"), List.of(Community.parse("65000:100")));
        weft.originate(Cidr.parse("10.244.42.0/26"));
        awaitEstablished("Global_10.221.4.2");

        // all six arrive (counted as received); only the 65301:8 route without the prepend is kept
        await(WAIT, () -> weft.peer("Global_10.221.4.2").orElseThrow().received() == 6,
                () -> "Weft: " + weft.peers() + "\n" + bird.cmd("show", "route", "export", "w"));
        PeerStatus status = weft.peer("Global_10.221.4.2").orElseThrow();
        assertEquals(1, status.accepted(), status.toString());
        List<String> learned = weft.routes().stream().filter(r -> !"local".equals(r.attributes().get("from")))
                .map(r -> r.destination().toString()).toList();
        assertEquals(List.of("10.84.4.0/24"), learned);
        Route kept = weftRoute("10.84.4.0/24").orElseThrow();
        assertEquals("65301:8", kept.attributes().get("communities"));
        assertEquals("65301", kept.attributes().get("as_path"));
        // BIRD did send what the rules refused, as its own export table shows
        String sent = bird.cmd("show", "route", "all", "export", "w");
        assertTrue(sent.contains("BGP.as_path: 65099") || sent.contains("BGP.as_path: 65301 65099"), sent);

        // export: only the route tagged 65000:100 goes out
        await(WAIT, () -> has(bird, "10.244.41.0/26"), () -> bird.cmd("show", "route", "all"));
        assertTrue(bird.cmd("show", "route", "all", "10.244.41.0/26").contains("BGP.community: (65000,100)\n"));
        assertEquals(1, weft.peer("Global_10.221.4.2").orElseThrow().advertised());
        assertFalse(has(bird, "10.244.42.0/26"), bird.cmd("show", "route", "protocol", "w"));
    }
}
