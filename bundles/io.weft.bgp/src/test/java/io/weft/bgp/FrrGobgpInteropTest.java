package io.weft.bgp;

import static io.weft.bgp.BgpLab.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.weft.api.net.Cidr;
import io.weft.api.routing.Route;

/** Weft against FRR's bgpd and GoBGP, each in its own namespace: routes both ways, withdrawals. */
class FrrGobgpInteropTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    private BgpLab lab;
    private BgpSpeaker weft;

    @AfterEach
    void tearDown() {
        if (weft != null) {
            weft.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    private Optional<Route> weftRoute(String cidr) {
        Cidr c = Cidr.parse(cidr);
        return weft.routes().stream().filter(r -> r.destination().equals(c)).findFirst();
    }

    private void awaitEstablished(String peer) {
        await(WAIT, () -> weft.peer(peer).map(p -> p.state() == PeerState.ESTABLISHED).orElse(false),
                () -> "peer " + peer + " not Established: " + weft.peer(peer));
    }

    @Test
    void frrEbgpAndIbgp() throws Exception {
        BgpLab.assumeInstalled("vtysh", "frr");
        lab = new BgpLab();
        BgpLab.Link link = lab.link("frr", 213 * 256 + 10);
        BgpLab.Daemon frr = lab.frr(link, "frr", """
                frr defaults traditional
                hostname frr1
                router bgp 65020
                 bgp router-id 10.213.10.2
                 no bgp ebgp-requires-policy
                 no bgp network import-check
                 neighbor 10.213.10.1 remote-as 65001
                 neighbor 10.213.10.1 timers connect 1
                 address-family ipv4 unicast
                  network 10.94.1.0/24
                  network 10.94.2.0/24
                 exit-address-family
                """);
        weft = BgpSpeaker.start(BirdInteropTest.weftConfig(link, 65001));
        weft.addPeer(PeerConfig.of("Global_10.213.10.2", link.nsV4(), 65020).withFamilies(true, false));
        weft.originate(Cidr.parse("10.244.10.0/26"));
        awaitEstablished("Global_10.213.10.2");

        await(WAIT, () -> weftRoute("10.94.2.0/24").isPresent(), () -> "Weft's RIB: " + weft.routes());
        Route learned = weftRoute("10.94.1.0/24").orElseThrow();
        assertEquals("65020", learned.attributes().get("as_path"));
        assertEquals("10.213.10.2", learned.nextHops().get(0).gateway().getHostAddress());

        await(WAIT, () -> frr.cmd("show bgp ipv4 unicast").contains("10.244.10.0/26"), () -> frr.cmd("show bgp ipv4 unicast"));
        String detail = frr.cmd("show bgp ipv4 unicast 10.244.10.0/26");
        assertTrue(detail.contains("65001"), detail);
        assertTrue(detail.contains("10.213.10.1 from 10.213.10.1"), detail);
        String summary = frr.cmd("show bgp ipv4 unicast summary");
        assertTrue(summary.contains("10.213.10.1"), summary);

        frr.cmd("configure terminal\nrouter bgp 65020\naddress-family ipv4 unicast\nno network 10.94.2.0/24");
        await(WAIT, () -> weftRoute("10.94.2.0/24").isEmpty(), () -> "still in Weft: " + weft.routes());
        weft.withdraw(Cidr.parse("10.244.10.0/26"));
        await(WAIT, () -> !frr.cmd("show bgp ipv4 unicast").contains("10.244.10.0/26"), () -> frr.cmd("show bgp ipv4 unicast"));
    }

    @Test
    void gobgpEbgp() throws Exception {
        BgpLab.assumeInstalled("gobgpd", "gobgpd");
        lab = new BgpLab();
        BgpLab.Link link = lab.link("gobgp", 213 * 256 + 11);
        BgpLab.Daemon gobgp = lab.gobgp(link, "gobgp", """
                [global.config]
                  as = 65030
                  router-id = "10.213.11.2"
                  local-address-list = ["10.213.11.2"]
                [[neighbors]]
                  [neighbors.config]
                    neighbor-address = "10.213.11.1"
                    peer-as = 65001
                  [neighbors.timers.config]
                    connect-retry = 1
                """);
        weft = BgpSpeaker.start(BirdInteropTest.weftConfig(link, 65001));
        weft.addPeer(PeerConfig.of("Global_10.213.11.2", link.nsV4(), 65030).withFamilies(true, false));
        weft.originate(Cidr.parse("10.244.11.0/26"));
        awaitEstablished("Global_10.213.11.2");
        gobgp.cmd("global", "rib", "add", "10.93.1.0/24", "-a", "ipv4");

        await(WAIT, () -> weftRoute("10.93.1.0/24").isPresent(), () -> "Weft's RIB: " + weft.routes());
        assertEquals("65030", weftRoute("10.93.1.0/24").orElseThrow().attributes().get("as_path"));
        await(WAIT, () -> gobgp.cmd("global", "rib", "-a", "ipv4").contains("10.244.11.0/26"),
                () -> gobgp.cmd("global", "rib", "-a", "ipv4"));
        String rib = gobgp.cmd("global", "rib", "-a", "ipv4");
        String line = rib.lines().filter(l -> l.contains("10.244.11.0/26")).findFirst().orElseThrow();
        assertTrue(line.contains("10.213.11.1") && line.contains("65001"), line);
        assertTrue(gobgp.cmd("neighbor").contains("Establ"), gobgp.cmd("neighbor"));

        gobgp.cmd("global", "rib", "del", "10.93.1.0/24", "-a", "ipv4");
        await(WAIT, () -> weftRoute("10.93.1.0/24").isEmpty(), () -> "still in Weft: " + weft.routes());
        weft.withdraw(Cidr.parse("10.244.11.0/26"));
        await(WAIT, () -> !gobgp.cmd("global", "rib", "-a", "ipv4").contains("10.244.11.0/26"),
                () -> gobgp.cmd("global", "rib", "-a", "ipv4"));
    }
}
