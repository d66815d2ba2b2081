package io.weft.agent;

import static io.weft.agent.Lab.agentRoutes;
import static io.weft.agent.Lab.await;
import static io.weft.agent.Lab.ip;
import static io.weft.agent.Lab.lines;
import static io.weft.agent.Lab.pings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.weft.api.model.EncapsulationMode;
import io.weft.api.net.Cidr;
import io.weft.api.status.Health;

/**
 * The seeds' experiments with real kernels: three nodes (n1 and n2 on subnet A, n3 behind the
 * router on subnet B), an agent per node, pods on every node. Asserts the routes each node's
 * kernel shows, line by line as {@code ip route} prints them, and that pods ping each other.
 */
class AgentLabTest {

    private static final Duration NO_PERIODIC_RESYNC = Duration.ofMinutes(10);
    private Cluster cluster;

    @BeforeEach
    void setUp() throws Exception {
        cluster = new Cluster("wag");
        cluster.node("n1", "a", "11");
        cluster.node("n2", "a", "12");
        cluster.node("n3", "b", "13");
    }

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String block(String address) {
        return new Cidr(Cidr.parseAddress(address), 26).toString();
    }

    private static String local(Cluster.Pod p) {
        return p.ip() + " dev " + p.hostIf() + " proto 80 scope link";
    }

    private static List<String> sorted(String... lines) {
        return Stream.of(lines).sorted().toList();
    }

    private void pingAll(List<Cluster.Pod> pods) {
        List<String> failed = new ArrayList<>();
        for (Cluster.Pod from : pods) {
            for (Cluster.Pod to : pods) {
                if (from != to && !pings(from.ns(), to.ip())) {
                    failed.add(from.name() + " -> " + to.name() + " (" + to.ip() + ")");
                }
            }
        }
        assertEquals(List.of(), failed, "pod pairs that could not ping");
    }

    private long vxlanTx(String node) {
        String out = ip(cluster.ns(node), "-s", "link", "show", "vxlan.calico");
        List<String> l = lines(out);
        for (int i = 0; i < l.size(); i++) {
            if (l.get(i).trim().startsWith("TX:")) {
                return Long.parseLong(l.get(i + 1).trim().split("\\s+")[1]);
            }
        }
        throw new AssertionError("no TX counters in " + out);
    }

    @Test
    void vxlanAlwaysRoutesEveryRemoteBlockThroughTheTunnelAndPodsPing() throws Exception {
        cluster.pool("default-ipv4-ippool", "10.244.0.0/16", 26, EncapsulationMode.ALWAYS, null);
        String t1 = cluster.vxlanTunnel("n1");
        String t2 = cluster.vxlanTunnel("n2");
        String t3 = cluster.vxlanTunnel("n3");
        Cluster.Pod a = cluster.pod("n1", "pod-a");
        Cluster.Pod b = cluster.pod("n1", "pod-b");
        Cluster.Pod c = cluster.pod("n2", "pod-c");
        Cluster.Pod d = cluster.pod("n3", "pod-d");
        for (String n : List.of("n1", "n2", "n3")) {
            cluster.agent(n, NO_PERIODIC_RESYNC);
        }

        // worker1 in seed 001's VXLAN section: blackhole for its own block, /32s to its pods,
        // "<block> via <remote tunnel IP> dev vxlan.calico onlink" for every other node
        await(10_000, sorted(
                "blackhole " + block(t1) + " proto 80",
                local(a), local(b),
                block(t2) + " via " + t2 + " dev vxlan.calico proto 80 onlink",
                block(t3) + " via " + t3 + " dev vxlan.calico proto 80 onlink"), () -> agentRoutes(cluster.ns("n1")));
        await(10_000, sorted(
                "blackhole " + block(t3) + " proto 80", local(d),
                block(t1) + " via " + t1 + " dev vxlan.calico proto 80 onlink",
                block(t2) + " via " + t2 + " dev vxlan.calico proto 80 onlink"), () -> agentRoutes(cluster.ns("n3")));
        String dev = ip(cluster.ns("n1"), "-d", "link", "show", "vxlan.calico");
        assertTrue(dev.contains("mtu 1450") && dev.contains("vxlan id 4096 local 10.0.0.11 dev eth0")
                && dev.contains("dstport 4789"), dev);
        assertTrue(lines(ip(cluster.ns("n1"), "addr", "show", "dev", "vxlan.calico")).stream()
                .anyMatch(l -> l.trim().startsWith("inet " + t1 + "/32")));
        assertEquals("1", Lab.run("ip", "netns", "exec", cluster.ns("n1"), "cat",
                "/proc/sys/net/ipv4/conf/" + a.hostIf() + "/proxy_arp").trim());
        // permanent ARP for the local pods
        assertTrue(ip(cluster.ns("n1"), "neigh", "show", "dev", a.hostIf()).contains(a.ip() + " lladdr " + a.mac()
                + " PERMANENT"));

        long before = vxlanTx("n1");
        pingAll(List.of(a, b, c, d));
        // n1 -> n2 is the same subnet, and Always still encapsulates it
        assertTrue(pings(a.ns(), c.ip()));
        assertTrue(vxlanTx("n1") > before, "pings from n1 went through vxlan.calico");

        Health health = cluster.agentOf("n1").status().health();
        assertEquals(Health.UP, health, cluster.agentOf("n1").status().toString());
    }

    @Test
    void vxlanCrossSubnetKeepsSameSubnetTrafficPlain() throws Exception {
        cluster.node("n4", "b", "14"); // seeds 000/001: two nodes in each subnet
        cluster.pool("default-ipv4-ippool", "10.244.0.0/16", 26, EncapsulationMode.CROSS_SUBNET, null);
        String t1 = cluster.vxlanTunnel("n1");
        String t2 = cluster.vxlanTunnel("n2");
        String t3 = cluster.vxlanTunnel("n3");
        String t4 = cluster.vxlanTunnel("n4");
        Cluster.Pod a = cluster.pod("n1", "pod-a");
        Cluster.Pod c = cluster.pod("n2", "pod-c");
        Cluster.Pod d = cluster.pod("n3", "pod-d");
        Cluster.Pod e = cluster.pod("n4", "pod-e");
        for (String n : List.of("n1", "n2", "n3", "n4")) {
            cluster.agent(n, NO_PERIODIC_RESYNC);
        }
        // the seed's worker1: "10.244.42.0/24 via 10.0.0.22 dev enp0s3 proto 80 onlink" for the
        // node next door, the tunnel for the node behind the router
        await(10_000, sorted(
                "blackhole " + block(t1) + " proto 80", local(a),
                block(t2) + " via 10.0.0.12 dev eth0 proto 80 onlink",
                block(t3) + " via " + t3 + " dev vxlan.calico proto 80 onlink",
                block(t4) + " via " + t4 + " dev vxlan.calico proto 80 onlink"), () -> agentRoutes(cluster.ns("n1")));
        await(10_000, sorted(
                "blackhole " + block(t3) + " proto 80", local(d),
                block(t1) + " via " + t1 + " dev vxlan.calico proto 80 onlink",
                block(t2) + " via " + t2 + " dev vxlan.calico proto 80 onlink",
                block(t4) + " via 10.0.1.14 dev eth0 proto 80 onlink"), () -> agentRoutes(cluster.ns("n3")));
        await(10_000, true, () -> agentRoutes(cluster.ns("n2")).size() == 5 && agentRoutes(cluster.ns("n4")).size() == 5);

        pingAll(List.of(a, c, d, e));
        long before3 = vxlanTx("n3");
        assertTrue(pings(d.ns(), e.ip()));
        assertEquals(before3, vxlanTx("n3"), "n3 -> n4 share subnet B: not encapsulated");
        long before = vxlanTx("n1");
        for (int i = 0; i < 3; i++) {
            assertTrue(pings(a.ns(), c.ip()));
        }
        assertEquals(before, vxlanTx("n1"), "same-subnet pings must not be encapsulated under CrossSubnet");
        assertTrue(pings(a.ns(), d.ip()));
        assertTrue(vxlanTx("n1") > before, "cross-subnet pings must be encapsulated");
    }

    @Test
    void noEncapsulationRoutesSameSubnetNodesDirectlyAndLeavesOtherSubnetsToBgp() throws Exception {
        cluster.pool("default-ipv4-ippool", "10.244.0.0/16", 26, null, null);
        Cluster.Pod a = cluster.pod("n1", "pod-a");
        Cluster.Pod c = cluster.pod("n2", "pod-c");
        Cluster.Pod d = cluster.pod("n3", "pod-d");
        for (String n : List.of("n1", "n2", "n3")) {
            cluster.agent(n, NO_PERIODIC_RESYNC);
        }
        await(10_000, sorted(
                "blackhole " + block(a.ip()) + " proto 80", local(a),
                block(c.ip()) + " via 10.0.0.12 dev eth0 proto 80"), () -> agentRoutes(cluster.ns("n1")));
        await(10_000, sorted("blackhole " + block(d.ip()) + " proto 80", local(d)), () -> agentRoutes(cluster.ns("n3")));
        assertTrue(pings(a.ns(), c.ip()));
        assertTrue(pings(c.ns(), a.ip()));
        assertFalse(pings(a.ns(), d.ip()), "n3 is behind a router: without BGP or encapsulation it is unreachable");
        assertEquals("", ip(cluster.ns("n1"), "link", "show", "type", "vxlan").trim(), "no tunnel device without a tunnel pool");
    }

    @Test
    void driftIsRepairedOnNotificationAndStrangersAreLeftAlone() throws Exception {
        cluster.pool("default-ipv4-ippool", "10.244.0.0/16", 26, EncapsulationMode.ALWAYS, null);
        String t1 = cluster.vxlanTunnel("n1");
        String t2 = cluster.vxlanTunnel("n2");
        Cluster.Pod a = cluster.pod("n1", "pod-a");
        Cluster.Pod c = cluster.pod("n2", "pod-c");
        DataplaneAgent n1 = cluster.agent("n1", NO_PERIODIC_RESYNC);
        cluster.agent("n2", NO_PERIODIC_RESYNC);
        String ns = cluster.ns("n1");
        List<String> converged = sorted("blackhole " + block(t1) + " proto 80", local(a),
                block(t2) + " via " + t2 + " dev vxlan.calico proto 80 onlink");
        await(10_000, converged, () -> agentRoutes(ns));
        // someone else's routes, including one inside the pool, are never touched
        ip(ns, "route", "add", "10.244.250.0/24", "via", "10.0.0.1", "proto", "static");
        ip(ns, "route", "add", "192.0.2.0/24", "via", "10.0.0.1");

        ip(ns, "route", "del", block(t2), "dev", "vxlan.calico");
        long routeRepair = await(2_000, converged, () -> agentRoutes(ns));

        String mac2 = io.weft.encap.vxlan.VxlanMac.forNode("n2");
        Lab.run("bridge", "-n", ns, "fdb", "del", mac2, "dev", "vxlan.calico");
        await(2_000, true, () -> Lab.run("bridge", "-n", ns, "fdb", "show", "dev", "vxlan.calico")
                .contains(mac2 + " dst 10.0.0.12 self permanent"));

        ip(ns, "neigh", "del", a.ip(), "dev", a.hostIf());
        await(2_000, true, () -> ip(ns, "neigh", "show", "dev", a.hostIf()).contains(a.ip() + " lladdr " + a.mac()
                + " PERMANENT"));

        ip(ns, "link", "del", "vxlan.calico");
        long deviceRepair = await(3_000, converged, () -> agentRoutes(ns));
        assertTrue(pings(a.ns(), c.ip()), "traffic flows again after the device came back");

        // a stale route with our protocol (a leftover) goes at the next resync; the timer is
        // 10 minutes here, so ask for the resync the timer would run
        ip(ns, "route", "add", "10.244.251.0/26", "via", "10.0.0.1", "proto", "80");
        Lab.run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv4.ip_forward=0");
        n1.requestSync(true);
        await(2_000, converged, () -> agentRoutes(ns));
        await(2_000, "1", () -> Lab.run("ip", "netns", "exec", ns, "cat", "/proc/sys/net/ipv4/ip_forward").trim());
        List<String> all = lines(ip(ns, "route", "show"));
        assertTrue(all.contains("10.244.250.0/24 via 10.0.0.1 dev eth0 proto static"), all.toString());
        assertTrue(all.contains("192.0.2.0/24 via 10.0.0.1 dev eth0"), all.toString());
        System.out.printf("drift repaired: route in %d ms, vxlan device in %d ms%n", routeRepair, deviceRepair);
    }

    @Test
    void endpointsAndPoolModeChangesReconvergeWithoutRestart() throws Exception {
        cluster.pool("default-ipv4-ippool", "10.244.0.0/16", 26, EncapsulationMode.ALWAYS, null);
        String t1 = cluster.vxlanTunnel("n1");
        String t2 = cluster.vxlanTunnel("n2");
        Cluster.Pod a = cluster.pod("n1", "pod-a");
        Cluster.Pod c = cluster.pod("n2", "pod-c");
        cluster.agent("n1", NO_PERIODIC_RESYNC);
        cluster.agent("n2", NO_PERIODIC_RESYNC);
        String ns = cluster.ns("n1");
        await(10_000, sorted("blackhole " + block(t1) + " proto 80", local(a),
                block(t2) + " via " + t2 + " dev vxlan.calico proto 80 onlink"), () -> agentRoutes(ns));

        // a second pod appears, then goes
        Cluster.Pod b = cluster.pod("n1", "pod-b");
        await(5_000, true, () -> agentRoutes(ns).contains(local(b)));
        assertTrue(pings(b.ns(), c.ip()));
        cluster.store.delete(io.weft.api.model.ResourceKind.WORKLOAD_ENDPOINT, "default", b.endpoint());
        await(5_000, false, () -> agentRoutes(ns).contains(local(b)));

        // the pool goes from VXLAN to no encapsulation: plain routes, the tunnel device removed
        cluster.pool("default-ipv4-ippool", "10.244.0.0/16", 26, null, null);
        await(5_000, sorted("blackhole " + block(t1) + " proto 80", local(a),
                block(t2) + " via 10.0.0.12 dev eth0 proto 80"), () -> agentRoutes(ns));
        await(DataplaneAgent.TEARDOWN_GRACE_MS + 5_000, "", () -> ip(ns, "link", "show", "type", "vxlan").trim());
        assertTrue(pings(a.ns(), c.ip()));
    }

    @Test
    void missingProviderIsReportedAndTheRestKeepsWorking() throws Exception {
        cluster.pool("default-ipv4-ippool", "10.244.0.0/16", 26, EncapsulationMode.ALWAYS, null);
        String t1 = cluster.vxlanTunnel("n1");
        String t2 = cluster.vxlanTunnel("n2");
        Cluster.Pod a = cluster.pod("n1", "pod-a");
        cluster.pod("n2", "pod-c");
        // only the no-encapsulation provider is installed on n1
        DataplaneAgent n1 = cluster.agent("n1", NO_PERIODIC_RESYNC, new io.weft.encap.none.PlainRoutingProvider());
        cluster.agent("n2", NO_PERIODIC_RESYNC);
        String ns = cluster.ns("n1");
        await(10_000, sorted("blackhole " + block(t1) + " proto 80", local(a)), () -> agentRoutes(ns));
        await(5_000, Health.DEGRADED, () -> n1.status().health());
        assertEquals("missing encapsulation provider(s) vxlan: install feature(s) weft-encap-vxlan",
                n1.status().message());
        await(5_000, "1 remote blocks need it; install feature weft-encap-vxlan",
                () -> n1.status().details().get("missingProvider.vxlan"));

        // installing it at runtime converges the node without a restart
        io.weft.encap.vxlan.VxlanProvider vxlan = new io.weft.encap.vxlan.VxlanProvider(io.weft.netlink.Netns.named(ns));
        try {
            n1.bindProvider(vxlan);
            await(5_000, sorted("blackhole " + block(t1) + " proto 80", local(a),
                    block(t2) + " via " + t2 + " dev vxlan.calico proto 80 onlink"), () -> agentRoutes(ns));
            await(5_000, Health.UP, () -> n1.status().health());
        } finally {
            n1.close();
            vxlan.close();
        }
    }

    @Test
    void restartAdoptsTheKernelStateWithoutFlappingAnything() throws Exception {
        cluster.pool("default-ipv4-ippool", "10.244.0.0/16", 26, EncapsulationMode.ALWAYS, null);
        String t1 = cluster.vxlanTunnel("n1");
        String t2 = cluster.vxlanTunnel("n2");
        Cluster.Pod a = cluster.pod("n1", "pod-a");
        Cluster.Pod c = cluster.pod("n2", "pod-c");
        DataplaneAgent first = cluster.agent("n1", NO_PERIODIC_RESYNC);
        cluster.agent("n2", NO_PERIODIC_RESYNC);
        String ns = cluster.ns("n1");
        List<String> converged = sorted("blackhole " + block(t1) + " proto 80", local(a),
                block(t2) + " via " + t2 + " dev vxlan.calico proto 80 onlink");
        await(10_000, converged, () -> agentRoutes(ns));

        List<io.weft.netlink.Subscription.Event> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (io.weft.netlink.Subscription watch = io.weft.netlink.Subscription.open(io.weft.netlink.Netns.named(ns),
                java.util.EnumSet.of(io.weft.netlink.Subscription.Kind.ROUTE, io.weft.netlink.Subscription.Kind.NEIGHBOUR,
                        io.weft.netlink.Subscription.Kind.LINK), changes::add)) {
            first.close();
            assertTrue(pings(a.ns(), c.ip()), "pods keep forwarding while the agent is down");
            Thread.sleep(200);
            changes.clear(); // the pings' own ARP traffic; from here on only the new agent acts
            DataplaneAgent second = cluster.agent("n1", NO_PERIODIC_RESYNC);
            await(10_000, true, () -> second.report().passes() >= 1);
            assertEquals(Health.UP, second.status().health(), second.status().toString());
            assertEquals(converged, agentRoutes(ns));
            Thread.sleep(200); // let any late notification arrive
            List<String> flaps = changes.stream().filter(e -> switch (e.kind()) {
                case ROUTE -> ((io.weft.netlink.Route) e.subject()).protocol() == 80;
                // ARP on the underlay refreshes by itself while pings run; ours are on these devices
                case NEIGHBOUR -> e.subject() instanceof io.weft.netlink.Neighbour n && n.device() != null
                        && (n.device().equals("vxlan.calico") || n.device().startsWith("cali"))
                        || e.subject() instanceof io.weft.netlink.FdbEntry;
                case LINK -> !((io.weft.netlink.Link) e.subject()).name().startsWith("cali");
                default -> true;
            }).map(Object::toString).toList();
            assertEquals(List.of(), flaps, "the restarted agent changed nothing that was already right");
        }
        assertTrue(pings(a.ns(), c.ip()));
    }

    @Test
    void natOutgoingLetsPodsReachTheOutsideAndOnlyWhenAsked() throws Exception {
        String ext = cluster.external();
        cluster.pool("default-ipv4-ippool", "10.244.0.0/16", 26, EncapsulationMode.CROSS_SUBNET, null, true);
        cluster.vxlanTunnel("n1");
        Cluster.Pod a = cluster.pod("n1", "pod-a");
        cluster.agent("n1", NO_PERIODIC_RESYNC);
        String ns = cluster.ns("n1");
        await(10_000, true, () -> agentRoutes(ns).contains(local(a)));
        await(5_000, true, () -> Lab.exec("ip", "netns", "exec", ns, "nft", "list", "table", "ip", "weft").out()
                .contains("ip saddr @nat-outgoing-pools ip daddr != @all-pools masquerade"));
        assertTrue(pings(a.ns(), "203.0.113.10"), "with natOutgoing the pod reaches the outside host");

        // the same pool without natOutgoing: the outside host cannot answer a pod address
        cluster.pool("default-ipv4-ippool", "10.244.0.0/16", 26, EncapsulationMode.CROSS_SUBNET, null, false);
        await(5_000, 1, () -> Lab.exec("ip", "netns", "exec", ns, "nft", "list", "table", "ip", "weft").exit());
        assertFalse(pings(a.ns(), "203.0.113.10"), "without natOutgoing the pod address is not routable outside");
        assertTrue(pings(ns, "203.0.113.10"), "the node itself still reaches the outside host");
    }

    @Test
    void switchingAPoolFromVxlanToPlainRoutingLosesNoPingsAtAHundredPerSecond() throws Exception {
        cluster.pool("default-ipv4-ippool", "10.244.0.0/16", 26, EncapsulationMode.ALWAYS, null);
        String t1 = cluster.vxlanTunnel("n1");
        String t2 = cluster.vxlanTunnel("n2");
        Cluster.Pod a = cluster.pod("n1", "pod-a");
        Cluster.Pod c = cluster.pod("n2", "pod-c");
        cluster.agent("n1", NO_PERIODIC_RESYNC);
        cluster.agent("n2", NO_PERIODIC_RESYNC);
        await(10_000, sorted("blackhole " + block(t1) + " proto 80", local(a),
                block(t2) + " via " + t2 + " dev vxlan.calico proto 80 onlink"), () -> agentRoutes(cluster.ns("n1")));
        assertTrue(pings(a.ns(), c.ip()));

        // 300 pings at 100/s; the pool changes mode a second in
        Process ping = new ProcessBuilder("ip", "netns", "exec", a.ns(), "ping", "-q", "-i", "0.01", "-c", "300",
                "-W", "1", c.ip()).redirectErrorStream(true).start();
        Thread.sleep(1000);
        cluster.pool("default-ipv4-ippool", "10.244.0.0/16", 26, null, null);
        await(5_000, sorted("blackhole " + block(t1) + " proto 80", local(a),
                block(t2) + " via 10.0.0.12 dev eth0 proto 80"), () -> agentRoutes(cluster.ns("n1")));
        String out = new String(ping.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        ping.waitFor();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) packets transmitted, (\\d+) received")
                .matcher(out);
        assertTrue(m.find(), out);
        int sent = Integer.parseInt(m.group(1));
        int lost = sent - Integer.parseInt(m.group(2));
        System.out.printf("VXLAN -> no encapsulation under traffic: %d of %d pings lost%n", lost, sent);
        assertEquals(300, sent, out);
        assertEquals(0, lost, out);
        await(DataplaneAgent.TEARDOWN_GRACE_MS + 5_000, "",
                () -> ip(cluster.ns("n1"), "link", "show", "type", "vxlan").trim());
    }

    @Test
    void bgpLearnedRoutesAreProgrammedAsBirdsAndOwnBlocksAreOffered() throws Exception {
        cluster.pool("default-ipv4-ippool", "10.244.0.0/16", 26, null, null);
        Cluster.Pod a = cluster.pod("n1", "pod-a");
        Cluster.Pod d = cluster.pod("n3", "pod-d");
        DataplaneAgent n1 = cluster.agent("n1", NO_PERIODIC_RESYNC);
        DataplaneAgent n3 = cluster.agent("n3", NO_PERIODIC_RESYNC);
        await(10_000, sorted("blackhole " + block(a.ip()) + " proto 80", local(a)), () -> agentRoutes(cluster.ns("n1")));
        assertFalse(pings(a.ns(), d.ip()), "different subnets, no encapsulation, no BGP yet");

        // what each node offers to BGP: its own block
        List<io.weft.api.routing.RouteUpdate> offered = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (AutoCloseable sub = n1.subscribe(offered::add)) {
            await(5_000, true, () -> !offered.isEmpty());
            assertEquals(List.of(Cidr.parse(block(a.ip()))),
                    offered.get(0).upserts().stream().map(io.weft.api.routing.Route::destination).toList());
            assertTrue(offered.get(0).fullTable());
        }
        // a router that learned both blocks (as a ToR peer would) and the nodes' learned routes
        Lab.ip(cluster.router(), "route", "add", block(a.ip()), "via", "10.0.0.11");
        Lab.ip(cluster.router(), "route", "add", block(d.ip()), "via", "10.0.1.13");
        n1.accept(new io.weft.api.routing.RouteUpdate("bgp", true, List.of(new io.weft.api.routing.Route(
                Cidr.parse(block(d.ip())), List.of(new io.weft.api.routing.NextHop(Cidr.parseAddress("10.0.0.1"), null)),
                Map.of())), List.of()));
        n3.accept(new io.weft.api.routing.RouteUpdate("bgp", true, List.of(new io.weft.api.routing.Route(
                Cidr.parse(block(a.ip())), List.of(new io.weft.api.routing.NextHop(Cidr.parseAddress("10.0.1.1"), null)),
                Map.of())), List.of()));
        // seed 002's shape: "10.8.152.192/26 via 172.16.67.139 dev ens192 proto bird"
        await(5_000, true, () -> lines(ip(cluster.ns("n1"), "route", "show")).contains(
                block(d.ip()) + " via 10.0.0.1 dev eth0 proto bird"));
        assertTrue(pings(a.ns(), d.ip()), "pods in different subnets reach each other over the learned routes");

        // deleted by hand: back on notification; withdrawn: gone
        ip(cluster.ns("n1"), "route", "del", block(d.ip()));
        await(2_000, true, () -> lines(ip(cluster.ns("n1"), "route", "show")).contains(
                block(d.ip()) + " via 10.0.0.1 dev eth0 proto bird"));
        n1.accept(new io.weft.api.routing.RouteUpdate("bgp", false, List.of(), List.of(Cidr.parse(block(d.ip())))));
        await(5_000, List.of(), () -> lines(ip(cluster.ns("n1"), "route", "show", "proto", "bird")));

        // ECMP: two best paths become one multipath route
        n1.accept(new io.weft.api.routing.RouteUpdate("bgp", false, List.of(new io.weft.api.routing.Route(
                Cidr.parse("10.99.0.0/24"), List.of(new io.weft.api.routing.NextHop(Cidr.parseAddress("10.0.0.1"), null),
                        new io.weft.api.routing.NextHop(Cidr.parseAddress("10.0.0.12"), null)), Map.of())), List.of()));
        await(5_000, List.of("10.99.0.0/24 proto bird", "nexthop via 10.0.0.1 dev eth0 weight 1",
                "nexthop via 10.0.0.12 dev eth0 weight 1"), () -> lines(ip(cluster.ns("n1"), "route", "show",
                        "10.99.0.0/24")).stream().map(String::trim).toList());
    }

    @Test
    void anIpipPoolOnAKernelWithoutIpipIsReportedWhileVxlanKeepsWorking() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(java.nio.file.Files.exists(java.nio.file.Path.of("/sys/module/ipip")),
                "this kernel has ipip: the IPIP path is exercised end to end elsewhere (QEMU lab)");
        cluster.pool("vxlan-pool", "10.244.0.0/16", 26, EncapsulationMode.ALWAYS, null);
        String t1 = cluster.vxlanTunnel("n1");
        String t2 = cluster.vxlanTunnel("n2");
        Cluster.Pod a = cluster.pod("n1", "pod-a");
        Cluster.Pod c = cluster.pod("n2", "pod-c");
        cluster.pool("ipip-pool", "10.245.0.0/16", 26, null, EncapsulationMode.ALWAYS);
        // n2 also gets an address from the IPIP pool, so n1 has an IPIP block to reach
        String ipipAddress = Cidr.format(cluster.ipam.assign(new io.weft.api.ipam.AssignRequest("k8s-pod-network.x", "n2",
                1, 0, List.of(Cidr.parse("10.245.0.0/16")), List.of(), io.weft.api.ipam.IntendedUse.WORKLOAD, Map.of()))
                .ipv4().get(0));
        DataplaneAgent n1 = cluster.agent("n1", NO_PERIODIC_RESYNC);
        cluster.agent("n2", NO_PERIODIC_RESYNC);
        await(10_000, sorted("blackhole " + block(t1) + " proto 80", local(a),
                block(t2) + " via " + t2 + " dev vxlan.calico proto 80 onlink"), () -> agentRoutes(cluster.ns("n1")));
        await(5_000, Health.DEGRADED, () -> n1.status().health());
        assertTrue(n1.status().message().contains("kernel has no ipip support (load the ipip module, or use VXLAN"
                + " encapsulation)"), n1.status().message());
        assertFalse(agentRoutes(cluster.ns("n1")).stream().anyMatch(l -> l.startsWith(block(ipipAddress))));
        assertTrue(pings(a.ns(), c.ip()), "the VXLAN pool keeps working");
    }

    @Test
    void healthAndMetricsEndpointsAnswerAsFelixsDo() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        cluster.pool("default-ipv4-ippool", "10.244.0.0/16", 26, null, null);
        Cluster.Pod a = cluster.pod("n1", "pod-a");
        DataplaneAgent n1 = cluster.agent("n1", NO_PERIODIC_RESYNC, port);
        await(10_000, sorted("blackhole " + block(a.ip()) + " proto 80", local(a)), () -> agentRoutes(cluster.ns("n1")));
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.util.function.Function<String, java.net.http.HttpResponse<String>> get = path -> {
            try {
                return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        assertEquals(200, get.apply("/readiness").statusCode());
        assertEquals("ready\n", get.apply("/readiness").body());
        assertEquals(200, get.apply("/liveness").statusCode());
        assertEquals(404, get.apply("/nothing").statusCode());
        String metrics = get.apply("/metrics").body();
        assertTrue(metrics.contains("weft_agent_ready{node=\"n1\"} 1\n"), metrics);
        assertTrue(metrics.contains("weft_agent_routes_programmed{node=\"n1\"} 2\n"), metrics);
        assertTrue(metrics.contains("# TYPE weft_agent_passes_total counter\n"), metrics);
        assertTrue(metrics.contains("weft_agent_missing_providers{node=\"n1\"} 0\n"), metrics);
        n1.close();
        assertThrowsConnect(get);
    }

    private static void assertThrowsConnect(java.util.function.Function<String, ?> get) {
        try {
            get.apply("/liveness");
        } catch (AssertionError e) {
            return; // refused: the endpoint closed with the agent
        }
        throw new AssertionError("the health endpoint still answers after the agent closed");
    }
}
