package io.weft.ipam.hostlocal;

import static io.weft.ipam.hostlocal.Fixture.ip;
import static io.weft.ipam.hostlocal.Fixture.text;
import static io.weft.ipam.hostlocal.Fixture.texts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.weft.api.ipam.AssignRequest;
import io.weft.api.ipam.Assignment;
import io.weft.api.ipam.Assignment.AssignedAddress;
import io.weft.api.ipam.IntendedUse;
import io.weft.api.ipam.IpamException;
import io.weft.api.ipam.IpamException.Reason;
import io.weft.api.model.IPAMHandle;
import io.weft.api.net.Cidr;
import io.weft.api.resource.ResourceStore;

class HostLocalIpamTest {

    private static final String POOL = "10.244.0.0/16";

    private ResourceStore store;
    private HostLocalIpam ipam;

    @BeforeEach
    void setUp() throws Exception {
        store = Fixture.memoryStore();
        store.create(Fixture.pool("default-ipv4", POOL));
        ipam = new HostLocalIpam(store, "", 24);
    }

    private AssignedAddress pod(HostLocalIpam on, String name, String node) throws IpamException {
        Assignment a = on.assign(AssignRequest.podIpv4("k8s-pod-network." + name, node,
                Map.of("namespace", "default", "pod", name)));
        assertEquals(1, a.addresses().size());
        return a.addresses().get(0);
    }

    private AssignedAddress pod(String name, String node) throws IpamException {
        return pod(ipam, name, node);
    }

    @Test
    void aNodeWithoutAConfiguredRangeGetsTheNthSlash24OfThePoolByTheHashOfItsName() throws Exception {
        AssignedAddress a = pod("p1", "n1");
        AssignedAddress b = pod("p2", "n1");

        // golden: the hash is SHA-256 of the name, the same on every JVM and node
        Cidr range = Cidr.parse("10.244.125.0/24");
        assertEquals(Fixture.derivedRange("n1", POOL, 24), range);
        assertEquals(range, a.block());
        assertEquals(Cidr.parse(POOL), a.pool());
        assertEquals("10.244.125.1", text(a.address()));
        assertEquals("10.244.125.2", text(b.address()));

        IPAMHandle record = Fixture.handle(store, "hostlocal.node.n1");
        assertEquals("10.244.125.0/24", record.metadata().annotations().get("hostlocal.weft.io/range"));
        assertEquals("n1", record.metadata().annotations().get("hostlocal.weft.io/node"));
        assertEquals("handle=k8s-pod-network.p1&namespace=default&pod=p1",
                record.metadata().annotations().get("ip.hostlocal.weft.io/10.244.125.1"));
        assertTrue(record.spec().block().isEmpty(), "no block counts: the block allocator's check sees nothing");
        IPAMHandle claim = Fixture.handle(store, "hostlocal.range.10-244-125-0-24");
        assertEquals("n1", claim.metadata().annotations().get("hostlocal.weft.io/node"));
    }

    @Test
    void aConfiguredRangeIsUsedAsIs() throws Exception {
        ipam = new HostLocalIpam(store, "n1=10.244.1.0/24, n2=10.244.2.0/25", 24);
        assertEquals("10.244.1.1", text(pod("p1", "n1").address()));
        AssignedAddress b = pod("p2", "n2");
        assertEquals("10.244.2.1", text(b.address()));
        assertEquals(Cidr.parse("10.244.2.0/25"), b.block());
    }

    @Test
    void aDerivedRangeSkipsRangesOtherNodesHold() throws Exception {
        Cidr wanted = Fixture.derivedRange("n1", POOL, 24);
        // another node configured onto n1's slot, and already holding it
        HostLocalIpam other = new HostLocalIpam(store, "n9=" + wanted, 24);
        pod(other, "p9", "n9");

        AssignedAddress a = pod("p1", "n1");
        long slot = Cidr.parse(POOL).offsetOf(wanted.network()) >> 8;
        Cidr next = Cidr.parse(POOL).subnet(24, (slot + 1) % 256);
        assertEquals(next, a.block());
        // and a node configured onto another's range is told so
        HostLocalIpam clash = new HostLocalIpam(store, "n2=" + wanted, 24);
        IpamException e = assertThrows(IpamException.class, () -> pod(clash, "p2", "n2"));
        assertEquals(Reason.INVALID_REQUEST, e.reason());
        assertEquals("range " + wanted + " configured for node n2 overlaps range "
                + wanted + " of node n9 (IPAMHandle " + RangeClaim.name(wanted) + "); give n2 another range in"
                + " io.weft.ipam.hostlocal ranges", e.getMessage());
    }

    @Test
    void aSmallerPoolIsOneRangeAndARangeLengthIsConfigurable() throws Exception {
        store.delete(io.weft.api.model.ResourceKind.IP_POOL, null, "default-ipv4");
        store.create(Fixture.pool("small", "10.9.0.0/26"));
        AssignedAddress a = pod("p1", "n1");
        assertEquals(Cidr.parse("10.9.0.0/26"), a.block());
        IpamException e = assertThrows(IpamException.class, () -> pod("p2", "n2"));
        assertEquals(Reason.EXHAUSTED, e.reason());
        assertTrue(e.getMessage().contains("no free /24 range left for node n2 in pool 10.9.0.0/26"), e.getMessage());

        // the first pool is full: the next one in name order
        store.create(Fixture.pool("wide", "10.10.0.0/16"));
        HostLocalIpam by28 = new HostLocalIpam(store, "", 28);
        AssignedAddress c = pod(by28, "p3", "n3");
        assertEquals(28, c.block().prefixLength());
        assertEquals(Cidr.parse("10.10.0.0/16"), c.pool());
    }

    @Test
    void exhaustionSaysWhichRangeOfWhichNodeAndHowFull() throws Exception {
        ipam = new HostLocalIpam(store, "n1=10.244.1.0/24", 24);
        for (int i = 0; i < 254; i++) {
            pod("p" + i, "n1");
        }
        IpamException e = assertThrows(IpamException.class, () -> pod("full", "n1"));
        assertEquals(Reason.EXHAUSTED, e.reason());
        assertEquals("range 10.244.1.0/24 of node n1 exhausted: 254 of 254"
                + " in use; release unused addresses or give the node a larger range (io.weft.ipam.hostlocal ranges or"
                + " rangePrefixLength)", e.getMessage());
        // network and broadcast were never handed out
        assertTrue(ipam.addressesOf("k8s-pod-network.p0").contains(ip("10.244.1.1")));
        assertTrue(ipam.releaseAddresses(List.of(ip("10.244.1.0"), ip("10.244.1.255"))).isEmpty());
    }

    @Test
    void releasedAddressesAreReusedLastRoundRobin() throws Exception {
        ipam = new HostLocalIpam(store, "n1=10.244.1.0/29", 24);
        assertEquals("10.244.1.1", text(pod("a", "n1").address()));
        assertEquals("10.244.1.2", text(pod("b", "n1").address()));
        assertEquals(List.of("10.244.1.1"), texts(ipam.releaseHandle("k8s-pod-network.a")));
        assertEquals("10.244.1.3", text(pod("c", "n1").address()));
        assertEquals("10.244.1.4", text(pod("d", "n1").address()));
        assertEquals("10.244.1.5", text(pod("e", "n1").address()));
        assertEquals("10.244.1.6", text(pod("f", "n1").address()));
        assertEquals("10.244.1.1", text(pod("g", "n1").address()), "wraps around to the freed one");
        IpamException e = assertThrows(IpamException.class, () -> pod("h", "n1"));
        assertTrue(e.getMessage().endsWith("range 10.244.1.0/29 of node n1 exhausted: 6 of 6 in use; release unused"
                + " addresses or give the node a larger range (io.weft.ipam.hostlocal ranges or rangePrefixLength)"),
                e.getMessage());
    }

    @Test
    void releasesAreIdempotentAndReturnWhatWasHeld() throws Exception {
        Assignment two = ipam.assign(new AssignRequest("h2", "n1", 2, 0, List.of(), List.of(), IntendedUse.WORKLOAD,
                Map.of()));
        List<InetAddress> held = two.ipv4();
        assertEquals(2, held.size());
        assertEquals(held, ipam.addressesOf("h2"));
        assertEquals(held, ipam.releaseHandle("h2"));
        assertEquals(List.of(), ipam.releaseHandle("h2"), "a retried release finds nothing");
        assertEquals(List.of(), ipam.releaseHandle("never-assigned"));
        assertEquals(List.of(), ipam.addressesOf("h2"));

        AssignedAddress a = pod("p1", "n1");
        assertEquals(List.of(a.address()), ipam.releaseAddresses(List.of(a.address(), ip("10.9.9.9"))));
        assertEquals(List.of(), ipam.releaseAddresses(List.of(a.address())));
        assertEquals(List.of(), ipam.releaseAddresses(List.of()));
    }

    @Test
    void assignAddressClaimsOneAddressOfTheNodesRange() throws Exception {
        ipam = new HostLocalIpam(store, "n1=10.244.1.0/24", 24);
        ipam.assignAddress(ip("10.244.1.7"), "tunnel-n1", "n1", IntendedUse.TUNNEL, Map.of());
        ipam.assignAddress(ip("10.244.1.7"), "tunnel-n1", "n1", IntendedUse.TUNNEL, Map.of()); // retried: fine
        assertEquals(List.of("10.244.1.7"), texts(ipam.addressesOf("tunnel-n1")));

        IpamException taken = assertThrows(IpamException.class,
                () -> ipam.assignAddress(ip("10.244.1.7"), "other", "n1", IntendedUse.WORKLOAD, Map.of()));
        assertEquals("10.244.1.7 is already assigned (handle tunnel-n1)",
                taken.getMessage());
        IpamException outside = assertThrows(IpamException.class,
                () -> ipam.assignAddress(ip("10.244.2.7"), "other", "n1", IntendedUse.WORKLOAD, Map.of()));
        assertEquals("10.244.2.7 is outside range 10.244.1.0/24 of node n1; pick"
                + " an address in it, or give the node another range with io.weft.ipam.hostlocal ranges",
                outside.getMessage());
        IpamException network = assertThrows(IpamException.class,
                () -> ipam.assignAddress(ip("10.244.1.0"), "other", "n1", IntendedUse.WORKLOAD, Map.of()));
        assertEquals(Reason.INVALID_REQUEST, network.reason());
        assertTrue(network.getMessage().contains("is the network address of range 10.244.1.0/24"), network.getMessage());

        // automatic assignment steps over it
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            got.add(text(pod("p" + i, "n1").address()));
        }
        assertEquals(List.of("10.244.1.1", "10.244.1.2", "10.244.1.3", "10.244.1.4", "10.244.1.5", "10.244.1.6",
                "10.244.1.8"), got);
    }

    @Test
    void reservedAddressesAreNeverHandedOut() throws Exception {
        ipam = new HostLocalIpam(store, "n1=10.244.1.0/29", 24);
        Fixture.reservation(store, "gateways", "10.244.1.1/32", "10.244.1.4/31");
        assertEquals(List.of("10.244.1.2", "10.244.1.3", "10.244.1.6"), List.of(text(pod("a", "n1").address()),
                text(pod("b", "n1").address()), text(pod("c", "n1").address())));
        IpamException e = assertThrows(IpamException.class, () -> pod("d", "n1"));
        assertTrue(e.getMessage().contains("exhausted: 3 of 6 in use, 3 reserved by IPReservations;"), e.getMessage());
        IpamException r = assertThrows(IpamException.class,
                () -> ipam.assignAddress(ip("10.244.1.5"), "x", "n1", IntendedUse.WORKLOAD, Map.of()));
        assertEquals("10.244.1.5 is reserved by IPReservation \"gateways\"; pick"
                + " another address or remove it from the reservation", r.getMessage());
    }

    @Test
    void stateSurvivesANewInstanceOverTheSameStore() throws Exception {
        AssignedAddress a = pod("p1", "n1");
        HostLocalIpam restarted = new HostLocalIpam(store, "", 24);
        assertEquals(List.of(a.address()), restarted.addressesOf("k8s-pod-network.p1"));
        AssignedAddress b = pod(restarted, "p2", "n1");
        assertEquals(a.block(), b.block(), "the node keeps its range");
        assertNotEquals(a.address(), b.address());
    }

    @Test
    void aNewlyConfiguredRangeTakesOverAndOldAddressesStayReleasable() throws Exception {
        AssignedAddress a = pod("p1", "n1");
        HostLocalIpam moved = new HostLocalIpam(store, "n1=10.244.200.0/24", 24);
        AssignedAddress b = pod(moved, "p2", "n1");
        assertEquals("10.244.200.1", text(b.address()));
        // the old range stays claimed by n1 while it holds an address there
        assertEquals("n1", Fixture.handle(store, RangeClaim.name(a.block())).metadata().annotations()
                .get("hostlocal.weft.io/node"));
        assertEquals(List.of(a.address()), moved.releaseHandle("k8s-pod-network.p1"));
        assertEquals(null, Fixture.handle(store, RangeClaim.name(a.block())).metadata().annotations()
                .get("hostlocal.weft.io/node"), "free again once its last address is released");
        assertEquals("n1", Fixture.handle(store, "hostlocal.range.10-244-200-0-24").metadata().annotations()
                .get("hostlocal.weft.io/node"));
    }

    @Test
    void poolsAreChosenByNodeSelectorEnabledAndRequest() throws Exception {
        store.delete(io.weft.api.model.ResourceKind.IP_POOL, null, "default-ipv4");
        store.create(Fixture.pool("a-rack1", "10.1.0.0/16", "rack == 'r1'", false));
        store.create(Fixture.pool("b-off", "10.2.0.0/16", null, true));
        store.create(Fixture.pool("c-all", "10.3.0.0/16", null, false));
        Fixture.node(store, "n1", Map.of("rack", "r1"));
        Fixture.node(store, "n2", Map.of("rack", "r2"));
        assertTrue(Cidr.parse("10.1.0.0/16").contains(pod("p1", "n1").address()));
        assertTrue(Cidr.parse("10.3.0.0/16").contains(pod("p2", "n2").address()));

        IpamException requested = assertThrows(IpamException.class, () -> ipam.assign(new AssignRequest("h", "n1", 1,
                0, List.of(Cidr.parse("10.2.0.0/16")), List.of(), IntendedUse.WORKLOAD, Map.of())));
        assertEquals(Reason.NO_POOL, requested.reason());
        assertEquals("requested pool 10.2.0.0/16 is not an enabled IPv4 IP pool allowing Workload use; check IPPool"
                + " \"b-off\" spec.disabled and spec.allowedUses", requested.getMessage());
        // n1's range is in a-rack1: a request for c-all cannot be served from it
        IpamException elsewhere = assertThrows(IpamException.class, () -> ipam.assign(new AssignRequest("h", "n1", 1,
                0, List.of(Cidr.parse("10.3.0.0/16")), List.of(), IntendedUse.WORKLOAD, Map.of())));
        assertEquals(Reason.NO_POOL, elsewhere.reason());
        assertTrue(elsewhere.getMessage().contains("is not inside an eligible IPv4 pool"), elsewhere.getMessage());

        store.delete(io.weft.api.model.ResourceKind.IP_POOL, null, "c-all");
        IpamException none = assertThrows(IpamException.class, () -> pod("p3", "n3"));
        assertEquals(Reason.NO_POOL, none.reason());
        assertEquals("no enabled IPv4 pool selects node n3 for Workload use;"
                + " create one with weftctl apply", none.getMessage());
    }

    @Test
    void ipv6AndBadRequestsAreRefusedWithTheFix() throws Exception {
        IpamException v6 = assertThrows(IpamException.class, () -> ipam.assign(new AssignRequest("h", "n1", 1, 1,
                List.of(), List.of(), IntendedUse.WORKLOAD, Map.of())));
        assertEquals(Reason.NO_POOL, v6.reason());
        assertEquals("host-local IPAM hands out IPv4 addresses only; handle h asks for 1 IPv6: use feature"
                + " weft-ipam-block for IPv6", v6.getMessage());
        assertEquals(Reason.INVALID_REQUEST, assertThrows(IpamException.class,
                () -> ipam.addressesOf(" ")).reason());
        assertEquals(List.of(), ipam.assign(new AssignRequest("h", "n1", 0, 0, List.of(), List.of(),
                IntendedUse.WORKLOAD, Map.of())).addresses());

        HostLocalIpam noStore = new HostLocalIpam(null, "", 24);
        IpamException ds = assertThrows(IpamException.class, () -> pod(noStore, "p", "n1"));
        assertEquals(Reason.DATASTORE, ds.reason());
    }

    @Test
    void configurationErrorsNameTheEntryAndTheFix() {
        assertEquals("configuration io.weft.ipam.hostlocal: ranges entry 'n1' is not node=cidr; write e.g."
                + " node1=10.244.1.0/24", assertThrows(IllegalArgumentException.class,
                        () -> RangeSettings.parse("n1", 24)).getMessage());
        assertEquals("configuration io.weft.ipam.hostlocal: ranges entry 'n1=10.244.1.5/24' has host bits set; use"
                + " n1=10.244.1.0/24", assertThrows(IllegalArgumentException.class,
                        () -> RangeSettings.parse("n1=10.244.1.5/24", 24)).getMessage());
        assertEquals("configuration io.weft.ipam.hostlocal: ranges of n1 (10.244.1.0/24) and n2 (10.244.1.128/25)"
                + " overlap; give each node its own", assertThrows(IllegalArgumentException.class,
                        () -> RangeSettings.parse("n1=10.244.1.0/24,n2=10.244.1.128/25", 24)).getMessage());
        assertEquals("configuration io.weft.ipam.hostlocal: rangePrefixLength 16 is out of range 22–30; use e.g. 24",
                assertThrows(IllegalArgumentException.class, () -> RangeSettings.parse("", 16)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RangeSettings.parse("n1=fd00::/120", 24))
                .getMessage().contains("must be an IPv4 network"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RangeSettings.parse("n1=10.0.0.0/16", 24))
                .getMessage().contains("a range holds at most a /22"));
        assertEquals(Map.of("n1", Cidr.parse("10.244.1.0/24")), RangeSettings.parse(" n1=10.244.1.0/24 ", 24).fixed());
    }

    @Test
    void oddNodeNamesGetADigestNameAndKeepTheirOwn() throws Exception {
        AssignedAddress a = pod("p1", "Worker_1");
        String name = NodeRecord.name("Worker_1");
        assertTrue(name.startsWith("hostlocal.node.x-"), name);
        assertEquals("Worker_1", Fixture.handle(store, name).metadata().annotations().get("hostlocal.weft.io/node"));
        assertEquals(List.of(a.address()), ipam.addressesOf("k8s-pod-network.p1"));
        assertFalse(ipam.addressesOf("k8s-pod-network.p1").isEmpty());
    }
}
