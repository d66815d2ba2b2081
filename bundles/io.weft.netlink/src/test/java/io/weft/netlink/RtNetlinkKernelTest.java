package io.weft.netlink;

import static io.weft.netlink.NetnsLab.ip;
import static io.weft.netlink.NetnsLab.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.weft.api.net.Cidr;
import io.weft.api.net.PrefixedAddress;

/**
 * Each object type programmed through the library into a real namespace, then checked with
 * iproute2's own view of the kernel, deleted, and checked gone.
 */
class RtNetlinkKernelTest {

    private NetnsLab lab;
    private String a;
    private String b;
    private RtNetlink nl;

    @BeforeEach
    void setUp() throws Exception {
        lab = new NetnsLab();
        a = lab.netns("a");
        b = lab.netns("b");
        nl = RtNetlink.open(Netns.named(a));
    }

    @AfterEach
    void tearDown() {
        if (nl != null) {
            nl.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    private static InetAddress addr(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    /** veth-a in a, veth-b in b, up, 10.0.0.1/24 and 10.0.0.2/24. */
    private void link() throws Exception {
        nl.createVeth(new VethPair("veth-a", "veth-b", Netns.named(b), 1500, "ee:ee:ee:ee:ee:ee", null));
        nl.setUp("veth-a");
        nl.addAddress("veth-a", PrefixedAddress.parse("10.0.0.1/24"));
        try (RtNetlink nb = RtNetlink.open(Netns.named(b))) {
            nb.setUp("veth-b");
            nb.addAddress("veth-b", PrefixedAddress.parse("10.0.0.2/24"));
        }
    }

    @Test
    void vethPairIsCreatedAcrossNamespacesAndDeletedWithBothEnds() throws Exception {
        link();
        String linkA = ip(a, "-o", "link", "show", "veth-a");
        assertTrue(linkA.contains("veth-a@if"), linkA);
        assertTrue(linkA.contains("mtu 1500"), linkA);
        assertTrue(linkA.contains("link/ether ee:ee:ee:ee:ee:ee"), linkA);
        assertTrue(linkA.contains("link-netns " + b), linkA);
        assertTrue(ip(b, "-o", "link", "show", "veth-b").contains("veth-b@if"));

        Link l = nl.link("veth-a").orElseThrow();
        assertEquals("veth", l.kind());
        assertEquals(1500, l.mtu());
        assertTrue(l.up());
        assertEquals("ee:ee:ee:ee:ee:ee", l.mac());

        nl.setMtu("veth-a", 1400);
        nl.rename("veth-a", "cali0123456789");
        assertTrue(ip(a, "-o", "link", "show", "cali0123456789").contains("mtu 1400"));

        nl.deleteLink("cali0123456789");
        assertFalse(ip(a, "-o", "link").contains("cali0123456789"));
        assertFalse(ip(b, "-o", "link").contains("veth-b"), "deleting one end removes the peer");
        assertTrue(nl.link("veth-a").isEmpty());
    }

    @Test
    void addressesAreAddedListedAndDeleted() throws Exception {
        link();
        nl.addAddress("veth-a", PrefixedAddress.parse("10.244.1.5/32"));
        assertTrue(ip(a, "-o", "-4", "addr", "show", "dev", "veth-a").contains("inet 10.244.1.5/32 scope global veth-a"));
        assertTrue(nl.addresses().stream().anyMatch(x -> x.device().equals("veth-a")
                && x.address().equals(PrefixedAddress.parse("10.244.1.5/32"))));
        NetlinkException dup = assertThrows(NetlinkException.class,
                () -> nl.addAddress("veth-a", PrefixedAddress.parse("10.244.1.5/32")));
        assertTrue(dup.isAlreadyExists(), dup.getMessage());
        nl.deleteAddress("veth-a", PrefixedAddress.parse("10.244.1.5/32"));
        assertFalse(ip(a, "-o", "addr").contains("10.244.1.5"));
    }

    @Test
    void routesOfEveryShapeAppearAsIpShowsThem() throws Exception {
        link();
        nl.addRoute(Route.to(Cidr.parse("10.244.1.0/26")).via(addr("10.0.0.2")).device("veth-a").protocol(80).withOnlink());
        nl.addRoute(Route.to(Cidr.parse("10.244.2.0/26")).protocol(80).blackhole());
        nl.addRoute(Route.to(Cidr.parse("10.244.3.7/32")).device("veth-a").protocol(80));
        nl.addRoute(Route.to(Cidr.parse("10.244.4.0/26")).protocol(Route.PROTO_BIRD).multipath(List.of(
                new Route.NextHop(addr("10.0.0.2"), "veth-a", 1, false),
                new Route.NextHop(addr("10.0.0.3"), "veth-a", 2, false))));
        nl.addRoute(Route.to(Cidr.parse("10.244.5.0/26")).via(addr("10.0.0.2")).device("veth-a").metric(100).mtu(1450));

        List<String> shown = lines(ip(a, "route", "show"));
        assertTrue(shown.contains("10.244.1.0/26 via 10.0.0.2 dev veth-a proto 80 onlink"), shown.toString());
        assertTrue(shown.contains("blackhole 10.244.2.0/26 proto 80"), shown.toString());
        assertTrue(shown.contains("10.244.3.7 dev veth-a proto 80 scope link"), shown.toString());
        assertTrue(shown.contains("10.244.4.0/26 proto bird"), shown.toString());
        assertTrue(shown.contains("10.244.5.0/26 via 10.0.0.2 dev veth-a metric 100 mtu 1450"), shown.toString());
        String multipath = ip(a, "route", "show", "10.244.4.0/26");
        assertTrue(multipath.contains("nexthop via 10.0.0.2 dev veth-a weight 1"), multipath);
        assertTrue(multipath.contains("nexthop via 10.0.0.3 dev veth-a weight 2"), multipath);

        List<Route> read = nl.routes();
        Route ecmp = read.stream().filter(r -> r.destination().equals(Cidr.parse("10.244.4.0/26"))).findFirst().orElseThrow();
        assertEquals(2, ecmp.nextHops().size());
        assertEquals(Route.PROTO_BIRD, ecmp.protocol());
        Route onlink = read.stream().filter(r -> r.destination().equals(Cidr.parse("10.244.1.0/26"))).findFirst().orElseThrow();
        assertTrue(onlink.onlink());
        assertEquals("veth-a", onlink.device());
        assertEquals(80, onlink.protocol());

        // replace moves the route; delete removes it
        nl.replaceRoute(Route.to(Cidr.parse("10.244.1.0/26")).via(addr("10.0.0.9")).device("veth-a").protocol(80).withOnlink());
        assertTrue(lines(ip(a, "route", "show")).contains("10.244.1.0/26 via 10.0.0.9 dev veth-a proto 80 onlink"));
        nl.deleteRoute(Route.to(Cidr.parse("10.244.1.0/26")).protocol(80));
        nl.deleteRoute(Route.to(Cidr.parse("10.244.2.0/26")).protocol(80).blackhole());
        String after = ip(a, "route", "show");
        assertFalse(after.contains("10.244.1.0/26"), after);
        assertFalse(after.contains("10.244.2.0/26"), after);
    }

    @Test
    void ipv6AddressesRoutesAndNeighbours() throws Exception {
        link();
        nl.addAddress("veth-a", PrefixedAddress.parse("fd00::1/64"));
        assertTrue(ip(a, "-o", "-6", "addr", "show", "dev", "veth-a").contains("inet6 fd00::1/64 scope global"));
        nl.addRoute(Route.to(Cidr.parse("fd00:244::/122")).via(addr("fd00::2")).device("veth-a").protocol(80).withOnlink());
        assertTrue(lines(ip(a, "-6", "route", "show", "proto", "80")).contains(
                "fd00:244::/122 via fd00::2 dev veth-a metric 1024 onlink pref medium"), ip(a, "-6", "route", "show"));
        nl.replaceNeighbour(Neighbour.permanent("veth-a", addr("fd00::2"), "ee:ee:ee:ee:ee:01"));
        assertTrue(lines(ip(a, "-6", "neigh", "show", "dev", "veth-a")).contains("fd00::2 lladdr ee:ee:ee:ee:ee:01 PERMANENT"));
        assertTrue(nl.routes().stream().anyMatch(r -> r.destination().equals(Cidr.parse("fd00:244::/122"))
                && r.gateway() != null && r.gateway().getHostAddress().startsWith("fd00:0:0:0:0:0:0:2")));
        nl.deleteRoute(Route.to(Cidr.parse("fd00:244::/122")).protocol(80));
        assertFalse(ip(a, "-6", "route", "show").contains("fd00:244::"));
    }

    @Test
    void routeErrorsSayWhatWasAttemptedAndWhy() throws Exception {
        link();
        NetlinkException unreachable = assertThrows(NetlinkException.class,
                () -> nl.addRoute(Route.to(Cidr.parse("10.244.1.0/26")).via(addr("192.0.2.1")).device("veth-a")));
        assertEquals("ENETUNREACH", unreachable.errnoName());
        assertTrue(unreachable.getMessage().startsWith("route add 10.244.1.0/26 via 192.0.2.1 dev veth-a (netns /var/run/netns/"
                + a + "): ENETUNREACH (Network is unreachable)"), unreachable.getMessage());

        NetlinkException noDevice = assertThrows(NetlinkException.class,
                () -> nl.addRoute(Route.to(Cidr.parse("10.244.1.0/26")).device("nosuchdev")));
        assertTrue(noDevice.isNotFound());
        assertTrue(noDevice.getMessage().contains("nosuchdev"), noDevice.getMessage());

        nl.addRoute(Route.to(Cidr.parse("10.244.1.0/26")).device("veth-a"));
        NetlinkException exists = assertThrows(NetlinkException.class,
                () -> nl.addRoute(Route.to(Cidr.parse("10.244.1.0/26")).device("veth-a")));
        assertTrue(exists.isAlreadyExists(), exists.getMessage());
        NetlinkException missing = assertThrows(NetlinkException.class,
                () -> nl.deleteRoute(Route.to(Cidr.parse("10.244.9.0/26"))));
        assertTrue(missing.isNotFound(), missing.getMessage());
    }

    @Test
    void badInputIsRefusedBeforeAnythingIsCreated() throws Exception {
        String before = ip(a, "-o", "link");
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> nl.createVeth(new VethPair("cali0123456789abc", "eth0", Netns.named(b), null, null, null)));
        assertTrue(tooLong.getMessage().contains("at most 15"), tooLong.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> nl.createVeth(new VethPair("ok0", "bad/name", Netns.named(b), null, null, null)));
        assertThrows(IllegalArgumentException.class, () -> nl.setMac("lo", "ee:ee:ee"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.0/33"));
        assertEquals(before, ip(a, "-o", "link"), "nothing was created");

        NetlinkException noNetns = assertThrows(NetlinkException.class, () -> RtNetlink.open(Netns.named("weft-no-such-netns")));
        assertTrue(noNetns.isNotFound(), noNetns.getMessage());
        assertTrue(noNetns.getMessage().contains("/var/run/netns/weft-no-such-netns does not exist"), noNetns.getMessage());

        // a veth whose peer name is taken in the peer namespace fails whole: no orphan end
        ip(b, "link", "add", "taken", "type", "veth", "peer", "name", "taken-peer");
        assertThrows(NetlinkException.class,
                () -> nl.createVeth(new VethPair("half", "taken", Netns.named(b), null, null, null)));
        assertFalse(ip(a, "-o", "link").contains("half"), "no half-created veth");
    }

    @Test
    void permanentNeighboursAndVxlanFdbEntries() throws Exception {
        link();
        nl.createVxlan(new VxlanDevice("vxlan.calico", 4096, addr("10.0.0.1"), "veth-a", 4789, 1450,
                "66:11:22:33:44:55", false));
        nl.setUp("vxlan.calico");
        String details = ip(a, "-d", "-o", "link", "show", "vxlan.calico");
        assertTrue(details.contains("vxlan id 4096 local 10.0.0.1 dev veth-a"), details);
        assertTrue(details.contains("dstport 4789 nolearning"), details);
        assertTrue(details.contains("mtu 1450"), details);
        Link vx = nl.link("vxlan.calico").orElseThrow();
        assertEquals(4096, vx.vxlan().vni());
        assertEquals(4789, vx.vxlan().port());
        assertFalse(vx.vxlan().learning());

        nl.replaceNeighbour(Neighbour.permanent("vxlan.calico", addr("10.244.2.0"), "66:aa:bb:cc:dd:ee"));
        nl.replaceFdb(new FdbEntry("vxlan.calico", "66:aa:bb:cc:dd:ee", addr("10.0.0.2")));
        assertTrue(lines(ip(a, "neigh", "show", "dev", "vxlan.calico")).contains("10.244.2.0 lladdr 66:aa:bb:cc:dd:ee PERMANENT"));
        String fdb = NetlinkLabCommands.bridgeFdb(a, "vxlan.calico");
        assertTrue(fdb.contains("66:aa:bb:cc:dd:ee dst 10.0.0.2 self permanent"), fdb);
        assertTrue(nl.neighbours().stream().anyMatch(n -> n.isPermanent() && n.mac().equals("66:aa:bb:cc:dd:ee")));
        assertTrue(nl.fdb("vxlan.calico").stream().anyMatch(f -> f.mac().equals("66:aa:bb:cc:dd:ee")
                && "10.0.0.2".equals(f.destination().getHostAddress())));

        nl.deleteNeighbour(Neighbour.permanent("vxlan.calico", addr("10.244.2.0"), null));
        nl.deleteFdb(new FdbEntry("vxlan.calico", "66:aa:bb:cc:dd:ee", addr("10.0.0.2")));
        assertFalse(ip(a, "neigh", "show", "dev", "vxlan.calico").contains("10.244.2.0"));
        assertFalse(NetlinkLabCommands.bridgeFdb(a, "vxlan.calico").contains("66:aa:bb:cc:dd:ee dst"));
    }

    @Test
    void ipipEitherWorksOrSaysTheKernelLacksIt() throws Exception {
        link();
        // the kernel may also load the module on demand; only a loaded module proves support
        boolean kernelHasIpip = java.nio.file.Files.exists(java.nio.file.Path.of("/sys/module/ipip"));
        try {
            nl.createIpip(new IpipDevice("tunl1", addr("10.0.0.1"), "veth-a", 1480));
            assertTrue(ip(a, "-d", "-o", "link", "show", "tunl1").contains("ipip"), "ipip device created");
            System.err.println("this kernel has ipip: tunl1 created");
        } catch (NetlinkException e) {
            assertFalse(kernelHasIpip, "the ipip module is loaded, yet creation failed: " + e.getMessage());
            assertTrue(e.getMessage().contains("kernel has no ipip support"), e.getMessage());
            assertFalse(ip(a, "-o", "link").contains("tunl1"));
        }
    }

    @Test
    void linkMovesToAnotherNamespace() throws Exception {
        nl.createVeth(new VethPair("mv0", "mv1", Netns.named(a), null, null, null));
        nl.moveToNetns("mv1", Netns.named(b));
        assertTrue(ip(b, "-o", "link").contains("mv1@"));
        assertFalse(ip(a, "-o", "link").contains("mv1@"));
    }

    @Test
    void sysctlsAreSetInsideTheNamespace() throws Exception {
        link();
        Sysctl.write(Netns.named(a), "net/ipv4/conf/veth-a/proxy_arp", "1");
        assertEquals("1", NetnsLab.run("ip", "netns", "exec", a, "cat", "/proc/sys/net/ipv4/conf/veth-a/proxy_arp").trim());
        assertEquals("1", Sysctl.read(Netns.named(a), "net/ipv4/conf/veth-a/proxy_arp"));
        assertEquals("0", NetnsLab.run("ip", "netns", "exec", b, "cat", "/proc/sys/net/ipv4/conf/all/proxy_arp").trim());
        NetlinkException missing = assertThrows(NetlinkException.class,
                () -> Sysctl.write(Netns.named(a), "net/ipv4/conf/nosuchdev/proxy_arp", "1"));
        assertTrue(missing.isNotFound());
    }
}
