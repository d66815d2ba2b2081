package io.weft.bgp;

import static io.weft.bgp.BgpLab.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.weft.api.net.Cidr;
import io.weft.api.routing.Route;

/**
 * GTSM (RFC 5082) against BIRD's {@code ttl security}: sessions come up whichever side connects,
 * and stay down when the peer's packets arrive with less than the allowed TTL (a peer not
 * sending with 255, or one routed hop further away). Weft listens on port 1179 here, so a test
 * class holding port 179 at the same time does not get in the way.
 */
class GtsmInteropTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    /** How long a session that must not come up is watched: several connect retries of each side. */
    static final Duration WATCH = Duration.ofSeconds(8);
    static final int WEFT_PORT = 1179;
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

    /** BIRD's side of a session with Weft at {@code weftAddress}:{@link #WEFT_PORT}. */
    static String birdPeer(String local, long localAs, String weftAddress, String extra, String channel) {
        return "protocol bgp w {\n  local " + local + " as " + localAs + ";\n  neighbor " + weftAddress + " port "
                + WEFT_PORT + " as 65001;\n  connect delay time 1; connect retry time 1; error wait time 1, 2;\n"
                + extra + channel + "}\n";
    }

    static SpeakerConfig weftConfig(BgpLab.Link link) {
        return SpeakerConfig.of(link.hostV4(), 65001).withListenAddress(link.hostV4()).withPort(WEFT_PORT)
                .withTimers(Duration.ofSeconds(9), Duration.ofSeconds(1));
    }

    private PeerState state(String peer) {
        return weft.peer(peer).orElseThrow().state();
    }

    private Optional<Route> weftRoute(String cidr) {
        Cidr c = Cidr.parse(cidr);
        return weft.routes().stream().filter(r -> r.destination().equals(c)).findFirst();
    }

    private static boolean birdEstablished(BgpLab.Bird bird) {
        return bird.cmd("show", "protocols", "w").lines().anyMatch(l -> l.startsWith("w ") && l.contains("Established"));
    }

    /** Watches for {@link #WATCH}: neither Weft nor BIRD may reach Established at any point. */
    private void assertNeverEstablished(String peer, BgpLab.Bird bird) throws InterruptedException {
        long end = System.nanoTime() + WATCH.toNanos();
        while (System.nanoTime() < end) {
            assertFalse(state(peer) == PeerState.ESTABLISHED, "Weft established with " + peer + ": " + weft.peer(peer));
            assertFalse(birdEstablished(bird), "BIRD established: " + bird.cmd("show", "protocols", "all", "w"));
            Thread.sleep(200);
        }
    }

    @Test
    void sessionsComeUpWhicheverSideConnects() throws Exception {
        BgpLab.Link toPassiveBird = lab.link("gtsma", 222 * 256 + 1);
        BgpLab.Link toActiveBird = lab.link("gtsmp", 222 * 256 + 2);
        String channel = "  ipv4 { import all; export where proto = \"st_out\"; };\n";
        // BIRD passive: only Weft's outgoing connection can become the session, and the reverse
        BgpLab.Bird passiveBird = lab.bird(toPassiveBird, "gtsma", BirdInteropTest.birdConfig("10.222.1.2",
                "protocol static st_out { ipv4; route 10.81.1.0/24 blackhole; }\n"
                        + birdPeer("10.222.1.2", 65201, "10.222.1.1", "  ttl security on;\n  passive on;\n", channel)));
        BgpLab.Bird activeBird = lab.bird(toActiveBird, "gtsmp", BirdInteropTest.birdConfig("10.222.2.2",
                "protocol static st_out { ipv4; route 10.81.2.0/24 blackhole; }\n"
                        + birdPeer("10.222.2.2", 65202, "10.222.2.1", "  ttl security on;\n", channel)));
        weft = BgpSpeaker.start(weftConfig(toPassiveBird).withListenAddress(null));
        weft.addPeer(PeerConfig.of("Global_10.222.1.2", toPassiveBird.nsV4(), 65201).withFamilies(true, false)
                .withTtlSecurity(1));
        weft.addPeer(PeerConfig.of("Global_10.222.2.2", toActiveBird.nsV4(), 65202).withFamilies(true, false)
                .withTtlSecurity(1).withPassive(true));
        weft.originate(Cidr.parse("10.244.22.0/26"));

        await(WAIT, () -> state("Global_10.222.1.2") == PeerState.ESTABLISHED
                && state("Global_10.222.2.2") == PeerState.ESTABLISHED, () -> "Weft: " + weft.peers());
        // UPDATEs after the handshake, both ways: each side's minimum TTL lets the other's packets in
        await(WAIT, () -> weftRoute("10.81.1.0/24").isPresent() && weftRoute("10.81.2.0/24").isPresent(),
                () -> "Weft's RIB: " + weft.routes());
        for (BgpLab.Bird bird : new BgpLab.Bird[] {passiveBird, activeBird}) {
            await(WAIT, () -> bird.cmd("show", "route").contains("10.244.22.0/26"), () -> bird.cmd("show", "route"));
            assertTrue(birdEstablished(bird), bird.cmd("show", "protocols", "all", "w"));
        }
        assertEquals("10.222.1.2", weftRoute("10.81.1.0/24").orElseThrow().nextHops().get(0).gateway().getHostAddress());
    }

    @Test
    void peerNotSendingWithTtl255IsRefused() throws Exception {
        BgpLab.Link link = lab.link("gtsmx", 222 * 256 + 3);
        // no ttl security on BIRD's side: a directly connected eBGP peer sends with TTL 1
        BgpLab.Bird bird = lab.bird(link, "gtsmx", BirdInteropTest.birdConfig("10.222.3.2",
                birdPeer("10.222.3.2", 65203, "10.222.3.1", "", "  ipv4 { import all; export none; };\n")));
        weft = BgpSpeaker.start(weftConfig(link));
        // passive: BIRD connects; its SYN, and the OPEN it sends right away, arrive before Weft
        // could put a minimum TTL on the accepted socket
        weft.addPeer(PeerConfig.of("Global_10.222.3.2", link.nsV4(), 65203).withFamilies(true, false)
                .withTtlSecurity(1).withPassive(true));
        await(WAIT, () -> String.valueOf(weft.peer("Global_10.222.3.2").orElseThrow().lastError()).contains(
                "its SYN arrived with TTL 1 but 1 hop(s) allow no less than 255"), () -> "Weft: " + weft.peers());
        assertNeverEstablished("Global_10.222.3.2", bird);
    }

    /** The same over IPv6 sessions, where the hop limit is what counts. */
    @Test
    void ipv6SessionsCheckTheHopLimit() throws Exception {
        BgpLab.Link secured = lab.link("gtsm6", 222 * 256 + 6);
        BgpLab.Link plain = lab.link("gtsm7", 222 * 256 + 7);
        String channel = "  ipv6 { import all; export none; };\n";
        BgpLab.Bird securedBird = lab.bird(secured, "gtsm6", BirdInteropTest.birdConfig("10.222.6.2",
                birdPeer("fd00:de06::2", 65206, "fd00:de06::1", "  ttl security on;\n", channel)));
        BgpLab.Bird plainBird = lab.bird(plain, "gtsm7", BirdInteropTest.birdConfig("10.222.7.2",
                birdPeer("fd00:de07::2", 65207, "fd00:de07::1", "", channel)));
        weft = BgpSpeaker.start(weftConfig(secured).withListenAddress(null));
        // passive: BIRD's SYNs are what is judged
        weft.addPeer(PeerConfig.of("Global_fd00:de06::2", secured.nsV6(), 65206).withFamilies(false, true)
                .withTtlSecurity(1).withPassive(true));
        weft.addPeer(PeerConfig.of("Global_fd00:de07::2", plain.nsV6(), 65207).withFamilies(false, true)
                .withTtlSecurity(1).withPassive(true));
        await(WAIT, () -> state("Global_fd00:de06::2") == PeerState.ESTABLISHED && birdEstablished(securedBird),
                () -> "Weft: " + weft.peers() + "\nBIRD: " + securedBird.cmd("show", "protocols", "all", "w"));
        await(WAIT, () -> String.valueOf(weft.peer("Global_fd00:de07::2").orElseThrow().lastError()).contains(
                "its SYN arrived with TTL 1 but"), () -> "Weft: " + weft.peers());
        assertNeverEstablished("Global_fd00:de07::2", plainBird);
        assertEquals(PeerState.ESTABLISHED, state("Global_fd00:de06::2"), "the secured session stayed up");
    }

    @Test
    void peerOneRoutedHopAwayIsRefusedUnlessTwoHopsAreAllowed() throws Exception {
        BgpLab.Link router = lab.link("gtsmr", 222 * 256 + 4);
        BgpLab.Link far = lab.behind(router, "gtsmf", 222 * 256 + 5);
        // BIRD allows two hops, so it takes Weft's packets (TTL 254 on arrival); Weft allows one
        BgpLab.Bird bird = lab.bird(far, "gtsmf", BirdInteropTest.birdConfig("10.222.5.2",
                birdPeer("10.222.5.2", 65205, "10.222.4.1", "  ttl security on;\n  multihop 2;\n",
                        "  ipv4 { import all; export none; };\n")));
        weft = BgpSpeaker.start(weftConfig(router));
        PeerConfig peer = PeerConfig.of("Global_10.222.5.2", far.nsV4(), 65205).withFamilies(true, false);
        weft.addPeer(peer.withTtlSecurity(1)); // both sides connect: both directions are refused
        await(WAIT, () -> String.valueOf(weft.peer("Global_10.222.5.2").orElseThrow().lastError()).contains(
                "its SYN arrived with TTL 254"), () -> "Weft: " + weft.peers());
        assertNeverEstablished("Global_10.222.5.2", bird);

        // the same lab with two hops allowed comes up: the path works, only the hop count was wrong
        weft.removePeer("Global_10.222.5.2");
        weft.addPeer(peer.withTtlSecurity(2));
        await(WAIT, () -> state("Global_10.222.5.2") == PeerState.ESTABLISHED && birdEstablished(bird),
                () -> "Weft: " + weft.peers() + "\nBIRD: " + bird.cmd("show", "protocols", "all", "w"));
    }
}
