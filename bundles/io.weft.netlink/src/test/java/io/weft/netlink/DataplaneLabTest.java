package io.weft.netlink;

import static io.weft.netlink.NetnsLab.ip;
import static io.weft.netlink.NetnsLab.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.weft.api.net.Cidr;
import io.weft.api.net.PrefixedAddress;

/**
 * The dataplane shapes Weft builds, wired through this library in real namespaces and proven
 * with ping: two pods on one node the way Calico wires them, and two nodes joined by VXLAN.
 */
class DataplaneLabTest {

    private NetnsLab lab;

    @BeforeEach
    void setUp() {
        lab = new NetnsLab();
    }

    @AfterEach
    void tearDown() {
        lab.close();
    }

    private static InetAddress addr(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    /** Calico's recipe (REFERENCE.md section 1) for one pod. */
    private static void wirePod(RtNetlink node, Netns nodeNs, String hostVeth, Netns podNs, String podIp) throws Exception {
        node.createVeth(new VethPair(hostVeth, "eth0", podNs, 1500, "ee:ee:ee:ee:ee:ee", null));
        for (String key : new String[] {"proxy_arp", "forwarding", "route_localnet"}) {
            Sysctl.write(nodeNs, "net/ipv4/conf/" + hostVeth + "/" + key, "1");
        }
        Sysctl.write(nodeNs, "net/ipv4/neigh/" + hostVeth + "/proxy_delay", "0");
        node.setUp(hostVeth);
        try (RtNetlink pod = RtNetlink.open(podNs)) {
            pod.setUp("lo");
            pod.addAddress("eth0", PrefixedAddress.parse(podIp + "/32"));
            pod.setUp("eth0");
            pod.addRoute(Route.to(Cidr.parse("169.254.1.1/32")).device("eth0"));
            pod.addRoute(Route.to(Cidr.parse("0.0.0.0/0")).via(addr("169.254.1.1")).device("eth0"));
        }
        node.addRoute(Route.to(Cidr.parse(podIp + "/32")).device(hostVeth).protocol(80));
    }

    @Test
    void twoPodsOnOneNodePingThroughProxyArp() throws Exception {
        String node = lab.netns("node");
        String pod1 = lab.netns("pod1");
        String pod2 = lab.netns("pod2");
        Netns nodeNs = Netns.named(node);
        try (RtNetlink nl = RtNetlink.open(nodeNs)) {
            Sysctl.write(nodeNs, "net/ipv4/ip_forward", "1");
            // proxy ARP answers for 169.254.1.1 only if the node routes it out of another
            // interface: give the node an uplink with a default route, as a real node has
            nl.createVeth(new VethPair("uplink", "uplink-peer", nodeNs, null, null, null));
            nl.setUp("uplink");
            nl.addAddress("uplink", PrefixedAddress.parse("192.0.2.10/24"));
            nl.addRoute(Route.to(Cidr.parse("0.0.0.0/0")).via(addr("192.0.2.1")).device("uplink").withOnlink());

            wirePod(nl, nodeNs, "cali1111111111", Netns.named(pod1), "10.244.0.5");
            wirePod(nl, nodeNs, "cali2222222222", Netns.named(pod2), "10.244.0.6");
        }

        assertEquals(List.of("default via 169.254.1.1 dev eth0", "169.254.1.1 dev eth0 scope link"),
                lines(ip(pod1, "route", "show")));
        assertTrue(lines(ip(node, "route", "show")).contains("10.244.0.5 dev cali1111111111 proto 80 scope link"));
        String ping = NetnsLab.run("ip", "netns", "exec", pod1, "ping", "-c", "2", "-W", "2", "10.244.0.6");
        assertTrue(ping.contains("2 received"), ping);
        // the pod resolved its gateway to the host veth's MAC by proxy ARP
        String neigh = ip(pod1, "neigh", "show", "169.254.1.1");
        assertTrue(neigh.contains("lladdr ee:ee:ee:ee:ee:ee"), neigh);
    }

    @Test
    void twoNodesJoinedByVxlanCarryAPing() throws Exception {
        String n1 = lab.netns("n1");
        String n2 = lab.netns("n2");
        try (RtNetlink a = RtNetlink.open(Netns.named(n1)); RtNetlink b = RtNetlink.open(Netns.named(n2))) {
            a.createVeth(new VethPair("eth1", "eth1", Netns.named(n2), null, null, null));
            a.setUp("eth1");
            b.setUp("eth1");
            a.addAddress("eth1", PrefixedAddress.parse("10.0.0.1/24"));
            b.addAddress("eth1", PrefixedAddress.parse("10.0.0.2/24"));
            vxlanNode(a, "10.0.0.1", "66:00:00:00:00:01", "10.244.0.0", "10.0.0.2", "66:00:00:00:00:02", "10.244.1.0");
            vxlanNode(b, "10.0.0.2", "66:00:00:00:00:02", "10.244.1.0", "10.0.0.1", "66:00:00:00:00:01", "10.244.0.0");
        }
        assertTrue(lines(ip(n1, "route", "show")).contains("10.244.1.0/26 via 10.244.1.0 dev vxlan.calico proto 80 onlink"));
        String ping = NetnsLab.run("ip", "netns", "exec", n1, "ping", "-c", "2", "-W", "2", "-I", "10.244.0.0", "10.244.1.0");
        assertTrue(ping.contains("2 received"), ping);
        // the ping really crossed the tunnel: the VXLAN device counted it
        try (RtNetlink b = RtNetlink.open(Netns.named(n2))) {
            Link.Stats stats = b.link("vxlan.calico").orElseThrow().stats();
            assertTrue(stats.rxPackets() >= 2 && stats.txPackets() >= 2, stats.toString());
        }
    }

    private static void vxlanNode(RtNetlink nl, String nodeIp, String mac, String tunnelIp, String peerNodeIp,
            String peerMac, String peerTunnelIp) throws Exception {
        nl.createVxlan(new VxlanDevice("vxlan.calico", 4096, addr(nodeIp), "eth1", 4789, 1450, mac, false));
        nl.addAddress("vxlan.calico", PrefixedAddress.parse(tunnelIp + "/32"));
        nl.setUp("vxlan.calico");
        nl.batch()
                .replaceNeighbour(Neighbour.permanent("vxlan.calico", addr(peerTunnelIp), peerMac))
                .replaceFdb(new FdbEntry("vxlan.calico", peerMac, addr(peerNodeIp)))
                .replaceRoute(Route.to(Cidr.parse(peerTunnelIp + "/26")).via(addr(peerTunnelIp)).device("vxlan.calico")
                        .protocol(80).withOnlink())
                .execute().throwIfFailed();
    }

    @Test
    void batchProgramsThousandsOfRoutesAndReportsEachFailure() throws Exception {
        String ns = lab.netns("batch");
        try (RtNetlink nl = RtNetlink.open(Netns.named(ns))) {
            nl.createVeth(new VethPair("up0", "up1", Netns.named(ns), null, null, null));
            nl.setUp("up0");
            nl.addAddress("up0", PrefixedAddress.parse("10.0.0.1/24"));
            Batch batch = nl.batch();
            List<Route> routes = new ArrayList<>();
            for (int i = 0; i < 5000; i++) {
                Route r = Route.to(new Cidr(addr("10." + (64 + i / 1024) + "." + ((i / 4) % 256) + "." + (i % 4) * 64), 26))
                        .via(addr("10.0.0.2")).device("up0").protocol(80);
                routes.add(r);
                batch.addRoute(r);
            }
            batch.addRoute(routes.get(17)); // a duplicate: EEXIST for this one only
            Batch.Result added = batch.execute();
            assertEquals(5001, added.requests());
            assertEquals(1, added.failures().size(), added.failures().toString());
            assertTrue(added.failures().get(0).isAlreadyExists());
            assertTrue(added.failures().get(0).getMessage().startsWith("route add " + routes.get(17).describe()));
            assertEquals(5000, lines(ip(ns, "route", "show", "proto", "80")).size());

            Batch delete = nl.batch();
            for (Route r : routes) {
                delete.deleteRoute(r);
            }
            assertTrue(delete.execute().ok());
            assertEquals(List.of(), lines(ip(ns, "route", "show", "proto", "80")));
        }
    }

    @Test
    void subscriptionSeesRoutesAddedAndDeletedByHand() throws Exception {
        String ns = lab.netns("events");
        List<Subscription.Event> events = new CopyOnWriteArrayList<>();
        try (RtNetlink nl = RtNetlink.open(Netns.named(ns));
                Subscription sub = Subscription.open(Netns.named(ns),
                        java.util.EnumSet.of(Subscription.Kind.ROUTE, Subscription.Kind.LINK), events::add)) {
            nl.createVeth(new VethPair("ev0", "ev1", Netns.named(ns), null, null, null));
            nl.setUp("ev0");
            ip(ns, "route", "add", "10.99.0.0/24", "dev", "ev0");
            ip(ns, "route", "del", "10.99.0.0/24", "dev", "ev0");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline && events.stream().noneMatch(e -> e.deleted() && e.subject() instanceof Route r
                    && r.destination().equals(Cidr.parse("10.99.0.0/24")))) {
                Thread.sleep(20);
            }
            assertTrue(events.stream().anyMatch(e -> e.kind() == Subscription.Kind.LINK && e.subject() instanceof Link l
                    && l.name().equals("ev0")), events.toString());
            assertTrue(events.stream().anyMatch(e -> !e.deleted() && e.subject() instanceof Route r
                    && r.destination().equals(Cidr.parse("10.99.0.0/24")) && "ev0".equals(r.device())), events.toString());
            assertTrue(events.stream().anyMatch(e -> e.deleted() && e.subject() instanceof Route r
                    && r.destination().equals(Cidr.parse("10.99.0.0/24"))), events.toString());
        }
    }

    @Test
    void aPausedSubscriptionHearsNothingUntilResumedAndClosesPromptly() throws Exception {
        String ns = lab.netns("pause");
        List<Subscription.Event> events = new CopyOnWriteArrayList<>();
        java.util.function.Predicate<String> heard = dst -> events.stream()
                .anyMatch(e -> e.subject() instanceof Route r && r.destination().equals(Cidr.parse(dst)));
        try (RtNetlink nl = RtNetlink.open(Netns.named(ns))) {
            nl.createVeth(new VethPair("pv0", "pv1", Netns.named(ns), null, null, null));
            nl.setUp("pv0");
            Subscription sub = Subscription.open(Netns.named(ns), java.util.EnumSet.of(Subscription.Kind.ROUTE), events::add);
            sub.pause();
            ip(ns, "route", "add", "10.98.1.0/24", "dev", "pv0");
            sub.resume();
            ip(ns, "route", "add", "10.98.2.0/24", "dev", "pv0");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline && !heard.test("10.98.2.0/24")) {
                Thread.sleep(10);
            }
            assertTrue(heard.test("10.98.2.0/24"), "no notification after resume: " + events);
            assertTrue(!heard.test("10.98.1.0/24"), "a notification while paused: " + events);

            long t0 = System.nanoTime();
            sub.close();
            long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            int before = events.size();
            ip(ns, "route", "add", "10.98.3.0/24", "dev", "pv0");
            Thread.sleep(300);
            assertEquals(before, events.size(), "an event after close: " + events);
            // the reader wakes from its bounded read (250 ms) and closes its own socket
            assertTrue(closeMs < 1000, "close took " + closeMs + " ms");
            org.junit.jupiter.api.Assertions.assertThrows(NetlinkException.class, sub::resume,
                    "a closed subscription cannot be resumed");
        }
    }

    @Test
    void aBatchReportsFailuresAnywhereInItsChunksAndEveryoneOfThemWhenAllFail() throws Exception {
        // only a chunk's last request asks for an ACK: failures elsewhere must still be told apart
        String ns = lab.netns("batchfail");
        try (RtNetlink nl = RtNetlink.open(Netns.named(ns))) {
            nl.createVeth(new VethPair("bf0", "bf1", Netns.named(ns), null, null, null));
            nl.setUp("bf0");
            nl.addAddress("bf0", PrefixedAddress.parse("10.0.0.1/24"));
            Route first = Route.to(Cidr.parse("10.70.0.0/24")).via(addr("10.0.0.2")).protocol(80);
            Batch batch = nl.batch();
            List<Integer> duplicates = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                batch.addRoute(Route.to(new Cidr(addr("10." + (70 + i / 256) + "." + (i % 256) + ".0"), 24))
                        .via(addr("10.0.0.2")).protocol(80));
                if (i % 311 == 7) {
                    batch.addRoute(first); // EEXIST, in the middle of some chunk
                    duplicates.add(batch.size() - 1);
                }
            }
            Batch.Result added = batch.execute();
            assertEquals(3000 + duplicates.size(), added.requests());
            assertEquals(duplicates.size(), added.failures().size(), added.failures().toString());
            for (NetlinkException e : added.failures()) {
                assertTrue(e.isAlreadyExists() && e.getMessage().startsWith("route add " + first.describe()), e.getMessage());
            }
            assertEquals(3000, lines(ip(ns, "route", "show", "proto", "80")).size());

            Batch missing = nl.batch();
            for (int i = 0; i < 1500; i++) {
                missing.deleteRoute(Route.to(new Cidr(addr("10.90." + (i / 256) + "." + (i % 256)), 32)).protocol(80));
            }
            Batch.Result deleted = missing.execute();
            assertEquals(1500, deleted.failures().size());
            assertTrue(deleted.failures().stream().allMatch(NetlinkException::isNotFound));
            assertEquals(3000, lines(ip(ns, "route", "show", "proto", "80")).size());
        }
    }
}
