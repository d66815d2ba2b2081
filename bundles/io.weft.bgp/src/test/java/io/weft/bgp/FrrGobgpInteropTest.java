package io.weft.bgp;

import static io.weft.bgp.BgpLab.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

import io.weft.api.net.Cidr;
import io.weft.api.routing.Route;
import io.weft.api.routing.RouteUpdate;

/**
 * Weft against FRR's bgpd and GoBGP, each in its own namespace, in one lab built once for the
 * class: Weft (AS 64512, route reflector with cluster id 1.1.1.1) has
 * <ul>
 * <li>FRR A: iBGP route-reflector client over IPv4, exchanging IPv4 and IPv6 (MP-BGP);</li>
 * <li>FRR B: iBGP route-reflector client over IPv6, exchanging IPv6 and IPv4;</li>
 * <li>FRR E: eBGP (AS 65020) with a matching TCP MD5 password, graceful restart on;</li>
 * <li>FRR X: eBGP (AS 65021) whose MD5 password does not match: it must never come up;</li>
 * <li>GoBGP I: iBGP, not a client, IPv4 and IPv6, graceful restart on;</li>
 * <li>GoBGP E: eBGP (AS 65030).</li>
 * </ul>
 * Tests run in order; each leaves the lab as it found it, except the last two, which restart
 * Weft and the peers. Assertions read the peers' own views ({@code vtysh show bgp ... json},
 * {@code gobgp ... -j}) and Weft's RIB, sink and logs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FrrGobgpInteropTest {
    static final Duration WAIT = Duration.ofSeconds(45);
    /** Not 179: other interop classes may run at the same time with a speaker on 179 of the same (root) namespace. */
    static final int WEFT_PORT = 11179;
    static final long AS = 64512;
    static final String CLUSTER_ID = "1.1.1.1";
    static final String MD5 = "frr-md5-s3cret";
    static final String WRONG_MD5 = "weft-thinks-otherwise";
    static final String FRR_X_MD5 = "what-frr-x-thinks";

    static final String PEER_A = "Node_10.217.1.2";
    static final String PEER_B = "Node_fd00:d902::2";
    static final String PEER_E = "Global_10.217.3.2";
    static final String PEER_X = "Global_10.217.4.2";
    static final String PEER_GI = "Mesh_10.217.5.2";
    static final String PEER_GE = "Global_10.217.6.2";

    private BgpLab lab;
    private BgpLab.Link linkA;
    private BgpLab.Link linkB;
    private BgpLab.Link linkE;
    private BgpLab.Link linkX;
    private BgpLab.Link linkGi;
    private BgpLab.Link linkGe;
    private BgpLab.Frr frrA;
    private BgpLab.Frr frrB;
    private BgpLab.Frr frrE;
    private BgpLab.Frr frrX;
    private BgpLab.GoBgp gobgpI;
    private BgpLab.GoBgp gobgpE;
    private BgpSpeaker weft;
    /** What Weft's route sink was last told, prefix by prefix. */
    private final Map<Cidr, Route> sinkView = new ConcurrentHashMap<>();
    private final List<Cidr> sinkWithdrawals = Collections.synchronizedList(new ArrayList<>());
    private final ByteArrayOutputStream weftLog = new ByteArrayOutputStream();
    private PrintStream stderr;

    @BeforeAll
    void buildLab() throws Exception {
        BgpLab.assumeInstalled("vtysh", "frr");
        BgpLab.assumeInstalled("gobgpd", "gobgpd");
        BgpLab.assumeInstalled("nft", "nftables");
        captureStderr(); // slf4j-simple logs there: the password check reads it
        lab = new BgpLab();
        linkA = link("frra", 1);
        linkB = link("frrb", 2);
        linkE = link("frre", 3);
        linkX = link("frrx", 4);
        linkGi = link("gobgpi", 5);
        linkGe = link("gobgpe", 6);
        // FRR A sets LOCAL_PREF 250 on its IPv4 routes: Weft must keep it and reflect it unchanged
        frrA = lab.frr(linkA, "frra", frrConfig("frra", AS, "10.217.1.2", "10.217.1.1", AS,
                " neighbor 10.217.1.1 route-map local-pref-250 out\n", List.of("10.92.1.0/24"), List.of("fd10:92:1::/48"))
                + "route-map local-pref-250 permit 10\n set local-preference 250\n");
        frrB = lab.frr(linkB, "frrb", frrConfig("frrb", AS, "10.217.2.2", "fd00:d902::1", AS, "",
                List.of("10.92.2.0/24"), List.of("fd10:92:2::/48")));
        frrE = lab.frr(linkE, "frre", frrEConfig(List.of("10.94.1.0/24", "10.94.2.0/24", "10.90.1.0/24")));
        frrX = lab.frr(linkX, "frrx", frrConfig("frrx", 65021, "10.217.4.2", "10.217.4.1", AS,
                " neighbor 10.217.4.1 password " + FRR_X_MD5 + "\n", List.of("10.94.4.0/24"), null));
        gobgpI = lab.gobgp(linkGi, "gobgpi", gobgpConfig(AS, "10.217.5.2", "10.217.5.1", AS, true));
        gobgpE = lab.gobgp(linkGe, "gobgpe", gobgpConfig(65030, "10.217.6.2", "10.217.6.1", AS, false));
        startWeft(false);
        for (String peer : List.of(PEER_A, PEER_B, PEER_E, PEER_GI, PEER_GE)) {
            awaitEstablished(peer);
        }
    }

    @AfterAll
    void tearDown() {
        try {
            if (weft != null) {
                weft.close();
            }
            if (lab != null) {
                lab.close();
            }
        } finally {
            if (stderr != null) {
                System.setErr(stderr);
            }
        }
    }

    // ------------------------------------------------------------------ the tests

    @Test
    @Order(1)
    void ebgpWithFrrAndGobgpRoutesBothWaysAndWithdrawals() {
        await(WAIT, () -> weftRoute("10.94.2.0/24").isPresent(), () -> "Weft's RIB: " + weft.routes());
        Route fromFrr = weftRoute("10.94.1.0/24").orElseThrow();
        assertEquals("65020", fromFrr.attributes().get("as_path"));
        assertEquals(List.of("10.217.3.2"), hops(fromFrr));
        assertEquals(PEER_E, fromFrr.attributes().get("from"));

        gobgpE.cmd("global", "rib", "add", "10.93.6.0/24", "origin", "igp", "-a", "ipv4");
        await(WAIT, () -> weftRoute("10.93.6.0/24").isPresent(), () -> "Weft's RIB: " + weft.routes());
        Route fromGobgp = weftRoute("10.93.6.0/24").orElseThrow();
        assertEquals("65030", fromGobgp.attributes().get("as_path"));
        assertEquals("IGP", fromGobgp.attributes().get("origin"));
        assertEquals(List.of("10.217.6.2"), hops(fromGobgp));

        weft.originate(Cidr.parse("10.244.18.0/26"));
        JsonNode atFrr = awaitFrrPath(frrE, "ipv4", "10.244.18.0/26");
        assertEquals("64512", atFrr.path("path").asText(), atFrr.toString());
        assertEquals("10.217.3.1", nextHop(atFrr), atFrr.toString());
        assertEquals("external", atFrr.path("pathFrom").asText(), atFrr.toString());
        JsonNode atGobgp = awaitGobgpPath(gobgpE, "ipv4", "10.244.18.0/26");
        assertEquals("10.217.6.1", gobgpAttr(atGobgp, 3).path("nexthop").asText(), atGobgp.toString());
        assertEquals(List.of(64512L), gobgpAsPath(atGobgp), atGobgp.toString());

        // withdrawals both ways
        frrE.cmd("configure terminal\nrouter bgp 65020\naddress-family ipv4 unicast\nno network 10.94.2.0/24");
        gobgpE.cmd("global", "rib", "del", "10.93.6.0/24", "-a", "ipv4");
        await(WAIT, () -> weftRoute("10.94.2.0/24").isEmpty() && weftRoute("10.93.6.0/24").isEmpty(),
                () -> "still in Weft: " + weft.routes());
        weft.withdraw(Cidr.parse("10.244.18.0/26"));
        await(WAIT, () -> frrPaths(frrE, "ipv4", "10.244.18.0/26").isMissingNode()
                && gobgpPaths(gobgpE, "ipv4", "10.244.18.0/26").isMissingNode(),
                () -> frrE.cmd("show bgp ipv4 unicast") + gobgpE.cmd("global", "rib", "-a", "ipv4"));
        frrE.cmd("configure terminal\nrouter bgp 65020\naddress-family ipv4 unicast\nnetwork 10.94.2.0/24");
        await(WAIT, () -> weftRoute("10.94.2.0/24").isPresent(), () -> "Weft's RIB: " + weft.routes());
        assertTrue(gobgpE.cmd("neighbor").contains("Establ"), gobgpE.cmd("neighbor"));
        await(WAIT, () -> weft.peer(PEER_E).orElseThrow().advertised() == frrAccepted(frrE, "10.217.3.1"),
                () -> weft.peer(PEER_E) + " vs FRR E: " + frrNeighbor(frrE, "10.217.3.1").path("addressFamilyInfo"));
        PeerStatus e = weft.peer(PEER_E).orElseThrow();
        assertEquals(3, e.accepted(), e.toString()); // 10.94.1.0/24, 10.94.2.0/24, 10.90.1.0/24
        assertEquals(9, e.holdTime());
        assertEquals("10.217.3.2", e.peerRouterId());
    }

    @Test
    @Order(2)
    void ibgpWithFrrLocalPrefAndNextHops() {
        await(WAIT, () -> weftRoute("10.92.1.0/24").isPresent(), () -> "Weft's RIB: " + weft.routes());
        Route fromA = weftRoute("10.92.1.0/24").orElseThrow();
        assertEquals(List.of("10.217.1.2"), hops(fromA));
        assertEquals("", fromA.attributes().get("as_path"));
        assertEquals("250", fromA.attributes().get("local_pref"));
        assertEquals(PEER_A, fromA.attributes().get("from"));

        // Weft's own route at FRR A: internal, LOCAL_PREF 100, Weft's address as next hop
        JsonNode own = awaitFrrPath(frrA, "ipv4", "10.244.17.0/26");
        assertEquals("10.217.1.1", nextHop(own), own.toString());
        assertEquals(100, own.path("locPrf").asInt(), own.toString());
        assertEquals("internal", own.path("pathFrom").asText(), own.toString());
        assertEquals("", own.path("path").asText(), own.toString());
        // a route Weft learned over eBGP reaches its iBGP peer with the external next hop kept
        JsonNode external = awaitFrrPath(frrA, "ipv4", "10.94.1.0/24");
        assertEquals("10.217.3.2", nextHop(external), external.toString());
        assertEquals(100, external.path("locPrf").asInt(), external.toString());
        assertEquals("65020", external.path("path").asText(), external.toString());
        assertTrue(external.path("valid").asBoolean(), "FRR resolves the kept next hop: " + external);

        // Weft's counters agree with FRR A's: A sent one IPv4 and one IPv6 prefix; Weft's Adj-RIB-Out is what A accepted
        await(WAIT, () -> weft.peer(PEER_A).orElseThrow().advertised() == frrAccepted(frrA, "10.217.1.1"),
                () -> weft.peer(PEER_A) + " vs FRR A: " + frrNeighbor(frrA, "10.217.1.1").path("addressFamilyInfo"));
        PeerStatus status = weft.peer(PEER_A).orElseThrow();
        assertEquals(2, status.accepted(), status.toString());
        assertEquals("10.217.1.2", status.peerRouterId());
        JsonNode neighbor = frrNeighbor(frrA, "10.217.1.1");
        assertEquals("Established", neighbor.path("bgpState").asText());
        assertTrue(neighbor.path("nbrInternalLink").asBoolean(), neighbor.toString());
        assertEquals("10.217.1.1", neighbor.path("remoteRouterId").asText());
        assertEquals(9000, neighbor.path("bgpTimerHoldTimeMsecs").asInt(), "hold time Weft offered");
    }

    @Test
    @Order(3)
    void ipv6AndIpv4OverEitherTransportWithFrr() {
        // FRR A: IPv4 session carrying IPv6 too; FRR B: IPv6 session carrying IPv4 too
        await(WAIT, () -> weftRoute("fd10:92:1::/48").isPresent() && weftRoute("fd10:92:2::/48").isPresent()
                && weftRoute("10.92.2.0/24").isPresent(), () -> "Weft's RIB: " + weft.routes());
        assertEquals(List.of("fd00:d901:0:0:0:0:0:2"), hops(weftRoute("fd10:92:1::/48").orElseThrow()));
        assertEquals(List.of("fd00:d902:0:0:0:0:0:2"), hops(weftRoute("fd10:92:2::/48").orElseThrow()));
        assertEquals(List.of("10.217.2.2"), hops(weftRoute("10.92.2.0/24").orElseThrow()));
        assertEquals(PEER_B, weftRoute("10.92.2.0/24").orElseThrow().attributes().get("from"));

        JsonNode v6AtA = awaitFrrPath(frrA, "ipv6", "fd20:217::/64");
        assertEquals("fd00:d901::1", nextHop(v6AtA), v6AtA.toString());
        JsonNode v6AtB = awaitFrrPath(frrB, "ipv6", "fd20:217::/64");
        assertEquals("fd00:d902::1", nextHop(v6AtB), v6AtB.toString());
        JsonNode v4AtB = awaitFrrPath(frrB, "ipv4", "10.244.17.0/26");
        assertEquals("10.217.2.1", nextHop(v4AtB), v4AtB.toString());
        assertEquals(100, v4AtB.path("locPrf").asInt(), v4AtB.toString());

        JsonNode families = frrNeighbor(frrB, "fd00:d902::1").path("addressFamilyInfo");
        assertTrue(families.has("ipv4Unicast") && families.has("ipv6Unicast"), families.toString());
        assertEquals("Established", frrNeighbor(frrB, "fd00:d902::1").path("bgpState").asText());
    }

    @Test
    @Order(4)
    void weftReflectsRoutesBetweenFrrClients() {
        JsonNode reflected = awaitFrrDetail(frrB, "ipv4", "10.92.1.0/24");
        assertEquals("10.217.1.2", reflected.path("originatorId").asText(), reflected.toString());
        assertEquals(List.of(CLUSTER_ID), texts(reflected.path("clusterList").path("list")), reflected.toString());
        assertEquals("10.217.1.2", reflected.path("nexthops").get(0).path("ip").asText(), reflected.toString());
        assertEquals(250, reflected.path("locPrf").asInt(), reflected.toString());
        JsonNode reflected6 = awaitFrrDetail(frrB, "ipv6", "fd10:92:1::/48");
        assertEquals("fd00:d901::2", reflected6.path("nexthops").get(0).path("ip").asText(), reflected6.toString());
        assertEquals("10.217.1.2", reflected6.path("originatorId").asText(), reflected6.toString());
        // client routes go to non-clients too
        JsonNode atGobgp = awaitGobgpPath(gobgpI, "ipv4", "10.92.1.0/24");
        assertEquals("10.217.1.2", gobgpAttr(atGobgp, 9).path("value").asText(), atGobgp.toString());
        assertEquals(List.of(CLUSTER_ID), texts(gobgpAttr(atGobgp, 10).path("value")), atGobgp.toString());
        assertEquals(250, gobgpAttr(atGobgp, 5).path("value").asInt(), atGobgp.toString());
        // A's route is not sent back to A: FRR A has only its own path
        JsonNode atA = frrPaths(frrA, "ipv4", "10.92.1.0/24");
        assertEquals(1, atA.size(), atA.toString());
        assertEquals("(unspec)", atA.get(0).path("peerId").asText(), atA.toString());

        // A withdraws: the other client and the non-client lose it
        frrA.cmd("configure terminal\nrouter bgp 64512\naddress-family ipv4 unicast\nno network 10.92.1.0/24");
        await(WAIT, () -> frrPaths(frrB, "ipv4", "10.92.1.0/24").isMissingNode()
                && gobgpPaths(gobgpI, "ipv4", "10.92.1.0/24").isMissingNode() && weftRoute("10.92.1.0/24").isEmpty(),
                () -> frrB.cmd("show bgp ipv4 unicast") + gobgpI.cmd("global", "rib", "-a", "ipv4"));
        frrA.cmd("configure terminal\nrouter bgp 64512\naddress-family ipv4 unicast\nnetwork 10.92.1.0/24");
        awaitFrrDetail(frrB, "ipv4", "10.92.1.0/24");
    }

    @Test
    @Order(5)
    void gobgpAsIbgpPeerWithIpv6() {
        gobgpI.cmd("global", "rib", "add", "10.93.1.0/24", "origin", "igp", "-a", "ipv4");
        gobgpI.cmd("global", "rib", "add", "fd10:93::/48", "nexthop", "fd00:d905::2", "origin", "igp", "-a", "ipv6");
        await(WAIT, () -> weftRoute("10.93.1.0/24").isPresent() && weftRoute("fd10:93::/48").isPresent(),
                () -> "Weft's RIB: " + weft.routes());
        Route v4 = weftRoute("10.93.1.0/24").orElseThrow();
        assertEquals(List.of("10.217.5.2"), hops(v4));
        assertEquals("", v4.attributes().get("as_path"));
        assertEquals("100", v4.attributes().get("local_pref"));
        assertEquals(PEER_GI, v4.attributes().get("from"));
        assertEquals(List.of("fd00:d905:0:0:0:0:0:2"), hops(weftRoute("fd10:93::/48").orElseThrow()));

        JsonNode own = awaitGobgpPath(gobgpI, "ipv4", "10.244.17.0/26");
        assertEquals("10.217.5.1", gobgpAttr(own, 3).path("nexthop").asText(), own.toString());
        assertEquals(100, gobgpAttr(own, 5).path("value").asInt(), own.toString());
        assertEquals(List.of(), gobgpAsPath(own), own.toString());
        JsonNode own6 = awaitGobgpPath(gobgpI, "ipv6", "fd20:217::/64");
        assertEquals("fd00:d905::1", gobgpAttr(own6, 14).path("nexthop").asText(), own6.toString());
        // a non-client's route is reflected to the clients
        JsonNode atA = awaitFrrDetail(frrA, "ipv4", "10.93.1.0/24");
        assertEquals("10.217.5.2", atA.path("originatorId").asText(), atA.toString());
        assertEquals("10.217.5.2", atA.path("nexthops").get(0).path("ip").asText(), atA.toString());

        gobgpI.cmd("global", "rib", "del", "10.93.1.0/24", "-a", "ipv4");
        gobgpI.cmd("global", "rib", "del", "fd10:93::/48", "-a", "ipv6");
        await(WAIT, () -> weftRoute("10.93.1.0/24").isEmpty() && weftRoute("fd10:93::/48").isEmpty()
                && frrPaths(frrA, "ipv4", "10.93.1.0/24").isMissingNode(),
                () -> "Weft's RIB: " + weft.routes() + "\n" + frrA.cmd("show bgp ipv4 unicast"));
        JsonNode neighbor = gobgpI.json("neighbor", "10.217.5.1");
        assertEquals(6, neighbor.path("state").path("session_state").asInt(), "ESTABLISHED: " + neighbor);
    }

    @Test
    @Order(6)
    void ecmpFromFrrAndGobgp() {
        // FRR E already announces 10.90.1.0/24; GoBGP E announces it with equal attributes
        gobgpE.cmd("global", "rib", "add", "10.90.1.0/24", "origin", "igp", "-a", "ipv4");
        await(WAIT, () -> sinkHops("10.90.1.0/24").size() == 2, () -> "Weft's sink: " + sinkView.get(Cidr.parse("10.90.1.0/24")));
        assertEquals(List.of("10.217.3.2", "10.217.6.2"), sinkHops("10.90.1.0/24"));
        assertEquals(List.of("10.217.3.2", "10.217.6.2"), hops(weftRoute("10.90.1.0/24").orElseThrow()));

        gobgpE.cmd("global", "rib", "del", "10.90.1.0/24", "-a", "ipv4");
        await(WAIT, () -> sinkHops("10.90.1.0/24").size() == 1, () -> "Weft's sink: " + sinkView.get(Cidr.parse("10.90.1.0/24")));
        assertEquals(List.of("10.217.3.2"), sinkHops("10.90.1.0/24"));
    }

    @Test
    @Order(7)
    void md5WithFrrMatchedAndMismatched() {
        JsonNode e = frrNeighbor(frrE, "10.217.3.1");
        assertEquals("Established", e.path("bgpState").asText(), e.toString());
        assertEquals(1, e.path("authenticationEnabled").asInt(), e.toString());

        // mismatched: neither side ever gets to Established (the kernels drop the segments)
        long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        while (System.nanoTime() < end) {
            PeerStatus x = weft.peer(PEER_X).orElseThrow();
            assertNotEquals(PeerState.ESTABLISHED, x.state(), x.toString());
            assertNotEquals("Established", frrNeighbor(frrX, "10.217.4.1").path("bgpState").asText());
            sleep(500);
        }
        assertEquals(0, frrNeighbor(frrX, "10.217.4.1").path("connectionsEstablished").asInt());
        // and it is the signatures that differ: X's kernel rejected Weft's signed segments, E's never did
        assertTrue(md5Failures(linkX) > 0, "TcpExt TCPMD5Failure in FRR X's namespace");
        assertEquals(0, md5Failures(linkE), "TcpExt TCPMD5Failure in FRR E's namespace");

        // the passwords appear nowhere Weft shows or logs
        String log = weftLog();
        assertTrue(log.contains("peer " + PEER_E + ": established"), "the log capture works: " + log);
        for (String secret : List.of(MD5, WRONG_MD5)) {
            assertFalse(log.contains(secret), "password in Weft's log");
            assertFalse(weft.peers().toString().contains(secret), "password in PeerStatus");
            for (PeerConfig p : weftPeers()) {
                assertFalse(p.toString().contains(secret), "password in " + p.name() + "'s toString");
            }
        }
    }

    @Test
    @Order(8)
    void routeRefreshWithFrr() {
        JsonNode before = frrNeighbor(frrA, "10.217.1.1").path("messageStats");
        // FRR asks Weft to send everything again
        frrA.cmd("clear bgp ipv4 unicast 10.217.1.1 soft in");
        await(WAIT, () -> {
            JsonNode now = frrNeighbor(frrA, "10.217.1.1").path("messageStats");
            return now.path("routeRefreshSent").asInt() > before.path("routeRefreshSent").asInt()
                    && now.path("updatesRecv").asInt() > before.path("updatesRecv").asInt();
        }, () -> "Weft did not resend: " + frrNeighbor(frrA, "10.217.1.1").path("messageStats"));
        awaitFrrPath(frrA, "ipv4", "10.244.17.0/26");

        // Weft asks FRR: FRR resends, the session stays up and the route stays
        JsonNode before2 = frrNeighbor(frrA, "10.217.1.1").path("messageStats");
        weft.refresh(PEER_A);
        await(WAIT, () -> {
            JsonNode now = frrNeighbor(frrA, "10.217.1.1").path("messageStats");
            return now.path("routeRefreshRecv").asInt() >= before2.path("routeRefreshRecv").asInt() + 2 // IPv4 and IPv6
                    && now.path("updatesSent").asInt() > before2.path("updatesSent").asInt();
        }, () -> "FRR did not answer the refresh: " + frrNeighbor(frrA, "10.217.1.1").path("messageStats"));
        assertEquals(PeerState.ESTABLISHED, weft.peer(PEER_A).orElseThrow().state());
        assertTrue(weftRoute("10.92.1.0/24").isPresent() && weftRoute("fd10:92:1::/48").isPresent(), weft.routes()::toString);
    }

    @Test
    @Order(9)
    void frrRestartsAndWeftKeepsItsRoutesUntilEndOfRib() throws Exception {
        await(WAIT, () -> weftRoute("10.94.1.0/24").isPresent() && weftRoute("10.94.2.0/24").isPresent(),
                () -> "Weft's RIB: " + weft.routes());
        frrE.kill();
        await(WAIT, () -> weft.peer(PEER_E).orElseThrow().state() != PeerState.ESTABLISHED, () -> "session never dropped");
        // FRR E is away: its routes stay, marked stale, and Weft keeps advertising them
        for (String prefix : List.of("10.94.1.0/24", "10.94.2.0/24")) {
            Route r = weftRoute(prefix).orElseThrow(() -> new AssertionError(prefix + " dropped: " + weft.routes()));
            assertEquals("true", r.attributes().get("stale"), r.toString());
        }
        assertFalse(frrPaths(frrA, "ipv4", "10.94.1.0/24").isMissingNode(), frrA.cmd("show bgp ipv4 unicast"));

        // back with one route fewer: End-of-RIB ends the stale period, the route it did not resend goes
        frrE.restart(frrEConfig(List.of("10.94.1.0/24", "10.90.1.0/24")));
        awaitEstablished(PEER_E);
        await(WAIT, () -> weftRoute("10.94.2.0/24").isEmpty(), () -> "stale route kept: " + weft.routes());
        await(WAIT, () -> weftRoute("10.94.1.0/24").map(r -> r.attributes().get("stale") == null).orElse(false),
                () -> "10.94.1.0/24 not announced again: " + weft.routes());
        assertTrue(weftLog().contains("peer " + PEER_E + ": End-of-RIB for IPv4"), "Weft logs End-of-RIB");
        assertFalse(sinkWithdrawals.contains(Cidr.parse("10.94.1.0/24")), "10.94.1.0/24 withdrawn during the restart");
        JsonNode eor = frrNeighbor(frrE, "10.217.3.1").path("gracefulRestartInfo").path("ipv4Unicast").path("endOfRibStatus");
        assertTrue(eor.path("endOfRibSend").asBoolean() && eor.path("endOfRibRecv").asBoolean(), "FRR E: " + eor);
        await(WAIT, () -> frrPaths(frrA, "ipv4", "10.94.2.0/24").isMissingNode(), () -> frrA.cmd("show bgp ipv4 unicast"));
    }

    @Test
    @Order(10)
    void gobgpRestartsAndWeftKeepsItsRoutesUntilEndOfRib() throws Exception {
        gobgpI.cmd("global", "rib", "add", "10.93.9.0/24", "origin", "igp", "-a", "ipv4");
        gobgpI.cmd("global", "rib", "add", "10.93.10.0/24", "origin", "igp", "-a", "ipv4");
        await(WAIT, () -> weftRoute("10.93.9.0/24").isPresent() && weftRoute("10.93.10.0/24").isPresent(),
                () -> "Weft's RIB: " + weft.routes());
        gobgpI.kill();
        await(WAIT, () -> weft.peer(PEER_GI).orElseThrow().state() != PeerState.ESTABLISHED, () -> "session never dropped");
        assertEquals("true", weftRoute("10.93.9.0/24").orElseThrow().attributes().get("stale"));

        // A restarting router has its routes back before it talks to its peers; gobgpd takes them over its
        // API after it started, so its namespace holds back what it sends to Weft until the route is in.
        String ns = linkGi.ns();
        BgpLab.run("ip", "netns", "exec", ns, "nft", "add", "table", "inet", "weft_hold");
        BgpLab.run("ip", "netns", "exec", ns, "nft", "add", "chain", "inet", "weft_hold", "out",
                "{ type filter hook output priority 0 ; }");
        BgpLab.run("ip", "netns", "exec", ns, "nft", "add", "rule", "inet", "weft_hold", "out", "ip", "daddr",
                linkGi.hostV4().getHostAddress(), "drop");
        gobgpI.restartGracefully();
        gobgpI.cmd("global", "rib", "add", "10.93.9.0/24", "origin", "igp", "-a", "ipv4");
        awaitGobgpPath(gobgpI, "ipv4", "10.93.9.0/24");
        BgpLab.run("ip", "netns", "exec", ns, "nft", "delete", "table", "inet", "weft_hold");
        awaitEstablished(PEER_GI);
        await(WAIT, () -> weftRoute("10.93.10.0/24").isEmpty()
                && weftRoute("10.93.9.0/24").map(r -> r.attributes().get("stale") == null).orElse(false),
                () -> "Weft's RIB: " + weft.routes());
        assertFalse(sinkWithdrawals.contains(Cidr.parse("10.93.9.0/24")), "10.93.9.0/24 withdrawn during the restart");
        assertTrue(weftLog().contains("peer " + PEER_GI + ": End-of-RIB for IPv4"), "Weft logs End-of-RIB");
        gobgpI.cmd("global", "rib", "del", "10.93.9.0/24", "-a", "ipv4");
    }

    @Test
    @Order(11)
    void weftRestartsAndFrrAndGobgpKeepItsRoutes() throws Exception {
        awaitFrrPath(frrA, "ipv4", "10.244.17.0/26");
        awaitFrrPath(frrE, "ipv4", "10.244.17.0/26");
        awaitGobgpPath(gobgpI, "ipv4", "10.244.17.0/26");
        weft.originate(Cidr.parse("10.244.19.0/26")); // not originated again after the restart
        awaitFrrPath(frrA, "ipv4", "10.244.19.0/26");
        awaitGobgpPath(gobgpI, "ipv4", "10.244.19.0/26");
        // GoBGP I's changes while Weft is away and back; --current first dumps the table, which shows it listens
        Path changes = lab.dir.resolve("gobgpi-monitor.out");
        Process monitor = lab.start(linkGi, changes, "gobgp", "monitor", "global", "rib", "--current", "-a", "ipv4", "-j");
        await(WAIT, () -> BgpLab.read(changes).contains("10.244.19.0/26"), () -> "gobgp monitor: " + BgpLab.read(changes));
        weft.abort();
        // the peers notice (the connection closes) and keep Weft's routes, marked stale
        await(WAIT, () -> frrPath(frrA, "ipv4", "10.244.17.0/26").path("stale").asBoolean()
                && frrPath(frrE, "ipv4", "10.244.17.0/26").path("stale").asBoolean()
                && frrPath(frrB, "ipv6", "fd20:217::/64").path("stale").asBoolean()
                && gobgpPath(gobgpI, "ipv4", "10.244.17.0/26").path("stale").asBoolean(),
                () -> frrA.cmd("show bgp ipv4 unicast json") + gobgpI.cmd("global", "rib", "-a", "ipv4", "-j"));

        startWeft(true);
        for (String peer : List.of(PEER_A, PEER_B, PEER_E, PEER_GI)) {
            awaitEstablished(peer);
        }
        await(WAIT, () -> isFresh(frrPath(frrA, "ipv4", "10.244.17.0/26")) && isFresh(frrPath(frrE, "ipv4", "10.244.17.0/26"))
                && isFresh(frrPath(frrB, "ipv6", "fd20:217::/64"))
                && isFresh(gobgpPath(gobgpI, "ipv4", "10.244.17.0/26")),
                () -> frrA.cmd("show bgp ipv4 unicast json") + gobgpI.cmd("global", "rib", "-a", "ipv4", "-j"));
        // the peers honour Weft's End-of-RIB: the route it did not send again goes now, not after the 120 s restart time
        await(Duration.ofSeconds(30), () -> frrPaths(frrA, "ipv4", "10.244.19.0/26").isMissingNode()
                && gobgpPaths(gobgpI, "ipv4", "10.244.19.0/26").isMissingNode(),
                () -> frrA.cmd("show bgp ipv4 unicast") + gobgpI.cmd("global", "rib", "-a", "ipv4"));
        await(Duration.ofSeconds(30), () -> isFresh(gobgpPath(gobgpI, "ipv4", "10.92.1.0/24")), () -> gobgpI.cmd("global", "rib"));
        sleep(1000);
        monitor.destroy();
        // GoBGP I never lost a route Weft reflects (FRR A's) or originates again: the only withdrawal is 10.244.19.0/26
        List<String> withdrawn = new ArrayList<>();
        for (String line : BgpLab.read(changes).lines().filter(l -> l.startsWith("[")).toList()) {
            for (JsonNode change : BgpLab.parseJson(line, "gobgp monitor")) {
                if (change.path("withdrawal").asBoolean()) {
                    withdrawn.add(change.path("nlri").path("prefix").asText());
                }
            }
        }
        assertEquals(List.of("10.244.19.0/26"), withdrawn, "withdrawn at GoBGP I during Weft's restart");
        JsonNode gr = frrNeighbor(frrA, "10.217.1.1").path("gracefulRestartInfo");
        assertTrue(gr.path("rBit").asBoolean(), "FRR saw Weft's Restart State bit: " + gr);
        assertTrue(gr.path("ipv4Unicast").path("endOfRibStatus").path("endOfRibRecv").asBoolean(), "FRR A: " + gr);
        assertEquals("Established", frrNeighbor(frrA, "10.217.1.1").path("bgpState").asText());
    }

    // ------------------------------------------------------------------ lab

    private BgpLab.Link link(String name, int n) {
        BgpLab.Link l = lab.link(name, 217 * 256 + n);
        // routes back to the other namespaces through Weft's host, so FRR resolves the next hops Weft passes on
        BgpLab.run("ip", "-n", l.ns(), "route", "add", "10.217.0.0/16", "via", l.hostV4().getHostAddress());
        BgpLab.run("ip", "-n", l.ns(), "-6", "route", "add", "fd00:d900::/24", "via", l.hostV6().getHostAddress());
        return l;
    }

    private List<PeerConfig> weftPeers() {
        return List.of(
                PeerConfig.of(PEER_A, linkA.nsV4(), AS).withRouteReflectorClient(true).withNextHopAddresses(null, linkA.hostV6()),
                PeerConfig.of(PEER_B, linkB.nsV6(), AS).withRouteReflectorClient(true).withNextHopAddresses(linkB.hostV4(), null),
                PeerConfig.of(PEER_E, linkE.nsV4(), 65020).withPassword(MD5).withFamilies(true, false),
                PeerConfig.of(PEER_X, linkX.nsV4(), 65021).withPassword(WRONG_MD5).withFamilies(true, false),
                PeerConfig.of(PEER_GI, linkGi.nsV4(), AS).withNextHopAddresses(null, linkGi.hostV6()),
                PeerConfig.of(PEER_GE, linkGe.nsV4(), 65030).withFamilies(true, false));
    }

    private void startWeft(boolean restarting) throws InterruptedException {
        weft = BgpSpeaker.start(SpeakerConfig.of(linkA.hostV4(), AS).withPort(WEFT_PORT)
                .withClusterId(BgpLab.addr(CLUSTER_ID)).withTimers(Duration.ofSeconds(9), Duration.ofSeconds(1))
                .withGracefulRestart(Duration.ofSeconds(120), restarting));
        weft.addSink(this::sinkAccept);
        weft.originate(Cidr.parse("10.244.17.0/26")); // before any session: a restarted Weft has them at once
        weft.originate(Cidr.parse("fd20:217::/64"));
        for (PeerConfig p : weftPeers()) {
            weft.addPeer(p);
        }
    }

    private void sinkAccept(RouteUpdate u) {
        if (u.fullTable()) {
            sinkView.clear();
        }
        for (Route r : u.upserts()) {
            sinkView.put(r.destination(), r);
        }
        for (Cidr c : u.withdrawals()) {
            sinkView.remove(c);
            sinkWithdrawals.add(c);
        }
    }

    static String frrConfig(String hostname, long as, String routerId, String neighbor, long peerAs, String neighborExtra,
            List<String> v4Networks, List<String> v6Networks) {
        StringBuilder sb = new StringBuilder();
        sb.append("frr defaults traditional\nhostname ").append(hostname).append('\n');
        sb.append("router bgp ").append(as).append('\n');
        sb.append(" bgp router-id ").append(routerId).append('\n');
        sb.append(" no bgp ebgp-requires-policy\n no bgp network import-check\n");
        sb.append(" bgp graceful-restart\n");
        sb.append(" neighbor ").append(neighbor).append(" remote-as ").append(peerAs).append('\n');
        sb.append(" neighbor ").append(neighbor).append(" port ").append(WEFT_PORT).append('\n');
        sb.append(" neighbor ").append(neighbor).append(" timers connect 1\n");
        sb.append(" neighbor ").append(neighbor).append(" advertisement-interval 0\n");
        sb.append(neighborExtra);
        sb.append(" address-family ipv4 unicast\n");
        v4Networks.forEach(n -> sb.append("  network ").append(n).append('\n'));
        sb.append("  neighbor ").append(neighbor).append(" activate\n");
        sb.append(" exit-address-family\n");
        if (v6Networks != null) {
            sb.append(" address-family ipv6 unicast\n");
            v6Networks.forEach(n -> sb.append("  network ").append(n).append('\n'));
            sb.append("  neighbor ").append(neighbor).append(" activate\n");
            sb.append(" exit-address-family\n");
        }
        return sb.toString();
    }

    static String frrEConfig(List<String> networks) {
        return frrConfig("frre", 65020, "10.217.3.2", "10.217.3.1", AS, " neighbor 10.217.3.1 password " + MD5 + "\n",
                networks, null);
    }

    static String gobgpConfig(long as, String routerId, String neighbor, long peerAs, boolean ipv6AndGracefulRestart) {
        String config = """
                [global.config]
                  as = %d
                  router-id = "%s"
                  local-address-list = ["%s"]
                [[neighbors]]
                  [neighbors.config]
                    neighbor-address = "%s"
                    peer-as = %d
                  [neighbors.timers.config]
                    connect-retry = 1
                  [neighbors.transport.config]
                    remote-port = %d
                """.formatted(as, routerId, routerId, neighbor, peerAs, WEFT_PORT);
        if (ipv6AndGracefulRestart) {
            config += """
                      [neighbors.graceful-restart.config]
                        enabled = true
                        restart-time = 60
                      [[neighbors.afi-safis]]
                        [neighbors.afi-safis.config]
                          afi-safi-name = "ipv4-unicast"
                        [neighbors.afi-safis.mp-graceful-restart.config]
                          enabled = true
                      [[neighbors.afi-safis]]
                        [neighbors.afi-safis.config]
                          afi-safi-name = "ipv6-unicast"
                        [neighbors.afi-safis.mp-graceful-restart.config]
                          enabled = true
                    """;
        }
        return config;
    }

    // ------------------------------------------------------------------ views

    private void awaitEstablished(String peer) {
        await(WAIT, () -> weft.peer(peer).map(p -> p.state() == PeerState.ESTABLISHED).orElse(false),
                () -> "peer " + peer + " not Established: " + weft.peer(peer));
    }

    private Optional<Route> weftRoute(String cidr) {
        Cidr c = Cidr.parse(cidr);
        return weft.routes().stream().filter(r -> r.destination().equals(c)).findFirst();
    }

    private static List<String> hops(Route r) {
        return r.nextHops().stream().map(h -> h.gateway().getHostAddress()).sorted().toList();
    }

    private List<String> sinkHops(String cidr) {
        Route r = sinkView.get(Cidr.parse(cidr));
        return r == null ? List.of() : hops(r);
    }

    /** FRR's paths for {@code prefix} from {@code show bgp FAMILY unicast json}, or a missing node. */
    static JsonNode frrPaths(BgpLab.Frr frr, String family, String prefix) {
        return frr.json("show bgp " + family + " unicast json").path("routes").path(prefix);
    }

    /** FRR's best path for {@code prefix}, or a missing node. */
    static JsonNode frrPath(BgpLab.Frr frr, String family, String prefix) {
        for (JsonNode p : frrPaths(frr, family, prefix)) {
            if (p.path("bestpath").asBoolean()) {
                return p;
            }
        }
        JsonNode paths = frrPaths(frr, family, prefix);
        return paths.size() > 0 ? paths.get(0) : paths;
    }

    static JsonNode awaitFrrPath(BgpLab.Frr frr, String family, String prefix) {
        await(WAIT, () -> !frrPath(frr, family, prefix).isMissingNode(),
                () -> prefix + " not at FRR: " + frr.cmd("show bgp " + family + " unicast"));
        return frrPath(frr, family, prefix);
    }

    /** The first path of {@code show bgp FAMILY unicast PREFIX json} (ORIGINATOR_ID, CLUSTER_LIST). */
    static JsonNode awaitFrrDetail(BgpLab.Frr frr, String family, String prefix) {
        awaitFrrPath(frr, family, prefix);
        return frr.json("show bgp " + family + " unicast " + prefix + " json").path("paths").get(0);
    }

    static JsonNode frrNeighbor(BgpLab.Frr frr, String address) {
        return frr.json("show bgp neighbors " + address + " json").path(address);
    }

    /** Prefixes FRR accepted from {@code neighbor}, IPv4 and IPv6 together. */
    static int frrAccepted(BgpLab.Frr frr, String neighbor) {
        JsonNode families = frrNeighbor(frr, neighbor).path("addressFamilyInfo");
        return families.path("ipv4Unicast").path("acceptedPrefixCounter").asInt()
                + families.path("ipv6Unicast").path("acceptedPrefixCounter").asInt();
    }

    static String nextHop(JsonNode frrPath) {
        return frrPath.path("nexthops").get(0).path("ip").asText();
    }

    static boolean isFresh(JsonNode path) {
        return !path.isMissingNode() && !path.path("stale").asBoolean();
    }

    /** GoBGP's paths for {@code prefix} from {@code gobgp global rib -a FAMILY -j}, or a missing node. */
    static JsonNode gobgpPaths(BgpLab.GoBgp gobgp, String family, String prefix) {
        return gobgp.json("global", "rib", "-a", family).path(prefix);
    }

    static JsonNode gobgpPath(BgpLab.GoBgp gobgp, String family, String prefix) {
        for (JsonNode p : gobgpPaths(gobgp, family, prefix)) {
            if (p.path("best").asBoolean()) {
                return p;
            }
        }
        JsonNode paths = gobgpPaths(gobgp, family, prefix);
        return paths.size() > 0 ? paths.get(0) : paths;
    }

    static JsonNode awaitGobgpPath(BgpLab.GoBgp gobgp, String family, String prefix) {
        await(WAIT, () -> !gobgpPath(gobgp, family, prefix).isMissingNode(),
                () -> prefix + " not at GoBGP: " + gobgp.cmd("global", "rib", "-a", family));
        return gobgpPath(gobgp, family, prefix);
    }

    /** A path attribute by type code (3 NEXT_HOP, 5 LOCAL_PREF, 9 ORIGINATOR_ID, 10 CLUSTER_LIST, 14 MP_REACH). */
    static JsonNode gobgpAttr(JsonNode path, int type) {
        for (JsonNode a : path.path("attrs")) {
            if (a.path("type").asInt() == type) {
                return a;
            }
        }
        fail("no attribute of type " + type + " in " + path);
        return null;
    }

    static List<Long> gobgpAsPath(JsonNode path) {
        List<Long> out = new ArrayList<>();
        for (JsonNode a : path.path("attrs")) {
            if (a.path("type").asInt() == 2) {
                for (JsonNode segment : a.path("as_paths")) {
                    segment.path("asns").forEach(n -> out.add(n.asLong()));
                }
            }
        }
        return out;
    }

    static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private void captureStderr() {
        stderr = System.err;
        PrintStream original = stderr;
        OutputStream tee = new OutputStream() {
            @Override
            public void write(int b) {
                original.write(b);
                synchronized (weftLog) {
                    weftLog.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                original.write(b, off, len);
                synchronized (weftLog) {
                    weftLog.write(b, off, len);
                }
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
    }

    private String weftLog() {
        synchronized (weftLog) {
            return weftLog.toString(StandardCharsets.UTF_8);
        }
    }

    /** The kernel's count of TCP segments whose MD5 signature did not match, in the link's namespace. */
    static long md5Failures(BgpLab.Link link) {
        List<String> lines = BgpLab.run("ip", "netns", "exec", link.ns(), "cat", "/proc/net/netstat").lines()
                .filter(l -> l.startsWith("TcpExt:")).toList();
        List<String> names = List.of(lines.get(0).split("\\s+"));
        List<String> values = List.of(lines.get(1).split("\\s+"));
        int i = names.indexOf("TCPMD5Failure");
        assertTrue(i > 0, "no TCPMD5Failure counter: " + names);
        return Long.parseLong(values.get(i));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
