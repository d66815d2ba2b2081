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
}
