package io.weft.cni;

import static io.weft.netlink.NetnsLab.exec;
import static io.weft.netlink.NetnsLab.ip;
import static io.weft.netlink.NetnsLab.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.weft.api.cni.CniResponse;
import io.weft.api.ipam.AssignRequest;
import io.weft.api.model.ResourceKind;
import io.weft.api.model.WorkloadEndpoint;
import io.weft.netlink.NetnsLab;

/**
 * ADD, CHECK, DEL and GC against the real kernel in network namespaces, through the CNI socket,
 * asserting what a user sees with {@code ip}, {@code ping} and the datastore — seed 000's
 * single-node picture: two pods on one node with /32s, 169.254.1.1 as gateway, reaching each other.
 */
class PodWiringKernelTest {

    @TempDir
    Path dir;
    NetnsLab lab;
    CniNode node;

    @BeforeEach
    void setUp() throws Exception {
        lab = new NetnsLab();
        node = new CniNode(lab, dir, "10.244.0.0/16", 26);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (node != null) {
            node.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void twoPodsOnOneNodeAreWiredAsCalicoWiresThemAndPingEachOther() throws Exception {
        String ns1 = node.sandbox("pod1");
        String ns2 = node.sandbox("pod2");
        CniResponse r1 = node.call("ADD", "c1aaaaaaaaaaaaaa", ns1, "web-1", CniNode.config("1.0.0"));
        CniResponse r2 = node.call("ADD", "c2bbbbbbbbbbbbbb", ns2, "web-2", CniNode.config("1.0.0"));
        assertEquals(0, r1.exitCode(), new String(r1.stdout()) + new String(r1.stderr()));
        assertEquals(0, r2.exitCode(), new String(r2.stdout()));

        JsonNode result = node.json(r1);
        String veth1 = "cali" + PodNames.sha1Hex("default.web-1").substring(0, 11);
        assertEquals("1.0.0", result.path("cniVersion").asText());
        assertEquals(veth1, result.path("interfaces").get(0).path("name").asText());
        assertEquals("eth0", result.path("interfaces").get(1).path("name").asText());
        assertEquals("/var/run/netns/" + ns1, result.path("interfaces").get(1).path("sandbox").asText());
        String cidr1 = result.path("ips").get(0).path("address").asText();
        assertTrue(cidr1.matches("10\\.244\\.\\d+\\.\\d+/32"), cidr1);
        assertEquals(1, result.path("ips").get(0).path("interface").asInt());
        assertTrue(result.path("ips").get(0).path("version").isMissingNode(), "1.0.0 results carry no ips[].version");
        String ip1 = cidr1.substring(0, cidr1.indexOf('/'));
        String ip2 = node.json(r2).path("ips").get(0).path("address").asText().replace("/32", "");

        // inside the pod: the /32, and the two routes Calico installs
        assertTrue(ip(ns1, "-4", "addr", "show", "eth0").contains("inet " + ip1 + "/32 scope global eth0"));
        assertEquals(List.of("default via 169.254.1.1 dev eth0", "169.254.1.1 dev eth0 scope link"),
                lines(ip(ns1, "-4", "route", "show")));
        assertTrue(ip(ns1, "link", "show", "eth0").contains("mtu 1440"));
        // on the node: the host end with Calico's MAC and sysctls, and the /32 route to the pod
        String link = ip(node.hostNs, "link", "show", veth1);
        assertTrue(link.contains("link/ether ee:ee:ee:ee:ee:ee"), link);
        assertTrue(link.contains("state UP"), link);
        assertTrue(lines(ip(node.hostNs, "route", "show")).contains(ip1 + " dev " + veth1 + " scope link"),
                ip(node.hostNs, "route", "show"));
        assertEquals("1", sysctl(node.hostNs, "net.ipv4.conf." + veth1 + ".proxy_arp"));
        assertEquals("0", sysctl(node.hostNs, "net.ipv4.neigh." + veth1 + ".proxy_delay"));
        assertEquals("1", sysctl(node.hostNs, "net.ipv4.conf." + veth1 + ".route_localnet"));
        assertTrue(ip(node.hostNs, "-4", "addr", "show", veth1).lines().noneMatch(l -> l.contains("inet ")),
                "the host end has no address: proxy ARP answers for 169.254.1.1");

        // the datastore has the endpoint, named as Calico names it
        WorkloadEndpoint wep = node.store.get(ResourceKind.WORKLOAD_ENDPOINT, "default", "node--1-k8s-web--1-eth0")
                .orElseThrow();
        assertEquals(List.of(cidr1), wep.spec().ipNetworks());
        assertEquals(veth1, wep.spec().interfaceName());
        assertEquals("c1aaaaaaaaaaaaaa", wep.spec().containerID());
        assertEquals(List.of(ip1), node.ipam.addressesOf("k8s-pod-network.c1aaaaaaaaaaaaaa").stream()
                .map(io.weft.api.net.Cidr::format).toList());

        // pods reach each other through the node
        NetnsLab.Result ping = exec("ip", "netns", "exec", ns1, "ping", "-c", "2", "-W", "2", "-i", "0.2", ip2);
        assertEquals(0, ping.exit(), ping.out());

        // CHECK passes, then spots a route deleted by hand
        assertEquals(0, node.call("CHECK", "c1aaaaaaaaaaaaaa", ns1, "web-1", CniNode.config("1.0.0")).exitCode());
        ip(node.hostNs, "route", "del", ip1 + "/32", "dev", veth1);
        CniResponse broken = node.call("CHECK", "c1aaaaaaaaaaaaaa", ns1, "web-1", CniNode.config("1.0.0"));
        assertEquals(CniFailure.CHECK_FAILED, broken.exitCode());
        assertTrue(node.json(broken).path("details").asText().contains("host route " + ip1 + "/32 dev " + veth1 + " is missing"),
                new String(broken.stdout()));

        // ADD again repairs (same address, no second allocation)
        CniResponse again = node.call("ADD", "c1aaaaaaaaaaaaaa", ns1, "web-1", CniNode.config("1.0.0"));
        assertEquals(0, again.exitCode(), new String(again.stdout()));
        assertEquals(cidr1, node.json(again).path("ips").get(0).path("address").asText());
        assertEquals(1, node.ipam.addressesOf("k8s-pod-network.c1aaaaaaaaaaaaaa").size());
        assertEquals(0, node.call("CHECK", "c1aaaaaaaaaaaaaa", ns1, "web-1", CniNode.config("1.0.0")).exitCode());

        // DEL removes veth, route, endpoint and address; a second DEL is fine
        assertEquals(0, node.call("DEL", "c1aaaaaaaaaaaaaa", ns1, "web-1", CniNode.config("1.0.0")).exitCode());
        assertFalse(ip(node.hostNs, "link", "show").contains(veth1));
        assertFalse(ip(node.hostNs, "route", "show").contains(ip1 + " "));
        assertTrue(node.store.get(ResourceKind.WORKLOAD_ENDPOINT, "default", "node--1-k8s-web--1-eth0").isEmpty());
        assertTrue(node.ipam.addressesOf("k8s-pod-network.c1aaaaaaaaaaaaaa").isEmpty());
        assertEquals(0, node.call("DEL", "c1aaaaaaaaaaaaaa", ns1, "web-1", CniNode.config("1.0.0")).exitCode());
    }

    @Test
    void dualStackPodsGetA128AndTheHostLinkLocalAsGateway() throws Exception {
        node.store.create(new io.weft.api.model.IPPool(io.weft.api.model.ObjectMeta.named("default-ipv6-ippool"),
                new io.weft.api.model.IPPoolSpec("fd00:10::/120", 122, null, null, false, false, false, null, null, null)));
        String ns = node.sandbox("six");
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"k8s-pod-network\",\"type\":\"weft\","
                + "\"ipam\":{\"type\":\"weft\",\"assign_ipv4\":\"true\",\"assign_ipv6\":\"true\"}}";
        CniResponse r = node.call("ADD", "c9six", ns, "six-1", conf);
        assertEquals(0, r.exitCode(), new String(r.stdout()));
        JsonNode ips = node.json(r).path("ips");
        assertEquals(2, ips.size(), ips.toString());
        String v6 = ips.get(1).path("address").asText();
        assertTrue(v6.matches("fd00:10::[0-9a-f]+/128"), v6);
        String v6ip = v6.substring(0, v6.indexOf('/'));
        assertTrue(ip(ns, "-6", "addr", "show", "eth0").contains("inet6 " + v6), ip(ns, "-6", "addr", "show", "eth0"));
        assertTrue(lines(ip(ns, "-6", "route", "show")).contains("default via fe80::ecee:eeff:feee:eeee dev eth0 metric 1024 pref medium"),
                ip(ns, "-6", "route", "show"));
        String veth = "cali" + PodNames.sha1Hex("default.six-1").substring(0, 11);
        assertTrue(ip(node.hostNs, "-6", "route", "show").contains(v6ip + " dev " + veth), ip(node.hostNs, "-6", "route", "show"));
        assertEquals("1", sysctl(node.hostNs, "net.ipv6.conf." + veth + ".proxy_ndp"));
        assertEquals(0, node.call("DEL", "c9six", ns, "six-1", conf).exitCode());
        assertTrue(node.ipam.addressesOf("k8s-pod-network.c9six").isEmpty());
    }

    @Test
    void olderResultVersionsCarryTheAddressFamily() throws Exception {
        String ns = node.sandbox("old");
        CniResponse r = node.call("ADD", "c3cccccccccccccc", ns, "old-1", CniNode.config("0.3.1"));
        assertEquals(0, r.exitCode(), new String(r.stdout()));
        JsonNode ipNode = node.json(r).path("ips").get(0);
        assertEquals("4", ipNode.path("version").asText());
        assertEquals("0.3.1", node.json(r).path("cniVersion").asText());
        // CHECK did not exist before 0.4.0
        CniResponse check = node.call("CHECK", "c3cccccccccccccc", ns, "old-1", CniNode.config("0.3.1"));
        assertEquals(CniFailure.INCOMPATIBLE_VERSION, check.exitCode());
    }

    @Test
    void delAfterTheSandboxVanishedAndAfterACrashedAddLeavesNothing() throws Exception {
        String ns = node.sandbox("gone");
        assertEquals(0, node.call("ADD", "c4dddddddddddddd", ns, "gone-1", CniNode.config("1.0.0")).exitCode());
        ip(ns, "link", "show", "eth0");
        NetnsLab.run("ip", "netns", "del", ns); // the runtime tore the sandbox down first: the veth pair goes with it
        CniResponse del = node.call("DEL", "c4dddddddddddddd", ns, "gone-1", CniNode.config("1.0.0"));
        assertEquals(0, del.exitCode(), new String(del.stdout()));
        assertTrue(node.ipam.addressesOf("k8s-pod-network.c4dddddddddddddd").isEmpty());
        assertTrue(node.store.list(ResourceKind.WORKLOAD_ENDPOINT, null).isEmpty());

        // a node runtime killed mid-ADD: address allocated, veth made, no endpoint written
        String ns2 = node.sandbox("crash");
        node.ipam.assign(AssignRequest.podIpv4("k8s-pod-network.c5eeeeeeeeeeeeee", CniNode.NODE,
                Map.of("node", CniNode.NODE, "namespace", "default", "pod", "crash-1")));
        String veth = "cali" + PodNames.sha1Hex("default.crash-1").substring(0, 11);
        NetnsLab.run("ip", "-n", node.hostNs, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns2);
        assertEquals(0, node.call("DEL", "c5eeeeeeeeeeeeee", ns2, "crash-1", CniNode.config("1.0.0")).exitCode());
        assertFalse(ip(node.hostNs, "link", "show").contains(veth));
        assertTrue(node.ipam.addressesOf("k8s-pod-network.c5eeeeeeeeeeeeee").isEmpty());
    }

    @Test
    void gcRemovesEverythingTheRuntimeNoLongerLists() throws Exception {
        String keep = node.sandbox("keep");
        String drop = node.sandbox("drop");
        assertEquals(0, node.call("ADD", "c6ffffffffffffff", keep, "keep-1", CniNode.config("1.1.0")).exitCode());
        assertEquals(0, node.call("ADD", "c7gggggggggggggg", drop, "drop-1", CniNode.config("1.1.0")).exitCode());
        // and a leftover of a crashed ADD: an address with no endpoint
        node.ipam.assign(AssignRequest.podIpv4("k8s-pod-network.c8hhhhhhhhhhhhhh", CniNode.NODE,
                Map.of("node", CniNode.NODE)));
        String gc = "{\"cniVersion\":\"1.1.0\",\"name\":\"k8s-pod-network\",\"type\":\"weft\",\"ipam\":{\"type\":\"weft\"},"
                + "\"cni.dev/valid-attachments\":[{\"containerID\":\"c6ffffffffffffff\",\"ifname\":\"eth0\"}]}";
        CniResponse r = node.call("GC", null, null, null, gc);
        assertEquals(0, r.exitCode(), new String(r.stdout()));
        String vethKeep = "cali" + PodNames.sha1Hex("default.keep-1").substring(0, 11);
        String vethDrop = "cali" + PodNames.sha1Hex("default.drop-1").substring(0, 11);
        String links = ip(node.hostNs, "link", "show");
        assertTrue(links.contains(vethKeep), links);
        assertFalse(links.contains(vethDrop), links);
        assertEquals(1, node.store.list(ResourceKind.WORKLOAD_ENDPOINT, null).size());
        assertTrue(node.ipam.addressesOf("k8s-pod-network.c7gggggggggggggg").isEmpty());
        assertTrue(node.ipam.addressesOf("k8s-pod-network.c8hhhhhhhhhhhhhh").isEmpty());
        assertEquals(1, node.ipam.addressesOf("k8s-pod-network.c6ffffffffffffff").size());
        assertEquals(0, node.call("STATUS", null, null, null, CniNode.config("1.1.0")).exitCode());
    }

    private static String sysctl(String ns, String key) {
        return NetnsLab.run("ip", "netns", "exec", ns, "sysctl", "-n", key).trim();
    }
}
