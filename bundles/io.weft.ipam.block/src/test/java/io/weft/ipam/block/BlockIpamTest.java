package io.weft.ipam.block;

import static io.weft.ipam.block.Fixture.ip;
import static io.weft.ipam.block.Fixture.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.weft.api.ipam.AssignRequest;
import io.weft.api.ipam.Assignment;
import io.weft.api.ipam.Assignment.AssignedAddress;
import io.weft.api.ipam.IntendedUse;
import io.weft.api.ipam.IpamException;
import io.weft.api.ipam.IpamException.Reason;
import io.weft.api.model.AffinityState;
import io.weft.api.model.AllowedUse;
import io.weft.api.model.BlockAffinity;
import io.weft.api.model.IPAMBlock;
import io.weft.api.model.IPAMHandle;
import io.weft.api.model.ResourceKind;
import io.weft.api.net.Cidr;
import io.weft.api.resource.ResourceStore;

class BlockIpamTest {

    private ResourceStore store;
    private BlockIpam ipam;

    @BeforeEach
    void setUp() throws Exception {
        store = Fixture.memoryStore();
        ipam = new BlockIpam(store);
        Fixture.nodes(store, "n1", "n2", "n3");
    }

    @AfterEach
    void consistent() throws Exception {
        IpamCheck check = ipam.check();
        assertTrue(check.clean(), () -> "ipam check after the test: " + check);
    }

    private AssignedAddress pod(String name, String node) throws IpamException {
        Assignment a = ipam.assign(AssignRequest.podIpv4("k8s-pod-network." + name, node,
                Map.of("namespace", "default", "pod", name)));
        assertEquals(1, a.addresses().size());
        return a.addresses().get(0);
    }

    private long ordinal(AssignedAddress a) {
        return a.block().offsetOf(a.address());
    }

    @Test
    void firstPodGetsTheFirstAddressOfABlockClaimedForItsNode() throws Exception {
        store.create(Fixture.pool("default-ipv4", "10.244.0.0/16", null));

        AssignedAddress a = pod("p1", "n1");

        assertEquals(Cidr.parse("10.244.0.0/16"), a.pool());
        assertEquals(26, a.block().prefixLength());
        assertEquals(0, ordinal(a));
        IPAMBlock block = Fixture.block(store, a.block());
        assertEquals(a.block().toString().replace('.', '-').replace('/', '-'), block.metadata().name());
        assertEquals("host:n1", block.spec().affinity());
        assertEquals(63, block.spec().unallocated().size());
        assertEquals(1, block.spec().unallocated().get(0));
        BlockAffinity affinity = store.get(ResourceKind.BLOCK_AFFINITY, null, "n1-" + block.metadata().name())
                .orElseThrow();
        assertEquals(AffinityState.CONFIRMED, affinity.spec().state());
        assertEquals("n1", affinity.spec().node());
        IPAMHandle handle = store.get(ResourceKind.IPAM_HANDLE, null, "k8s-pod-network.p1").orElseThrow();
        assertEquals(Map.of(a.block().toString(), 1), handle.spec().block());
        assertEquals("p1", block.spec().attributes().get(0).secondary().get("pod"));
        assertEquals("n1", block.spec().attributes().get(0).secondary().get("node"));
    }

    @Test
    void secondPodGetsTheNextOrdinalOfTheSameBlock() throws Exception {
        store.create(Fixture.pool("default-ipv4", "10.244.0.0/16", null));
        AssignedAddress first = pod("p1", "n1");
        AssignedAddress second = pod("p2", "n1");
        assertEquals(first.block(), second.block());
        assertEquals(1, ordinal(second));
    }

    @Test
    void nodesStartTheirWalkInDifferentPlacesAndKeepSeparateBlocks() throws Exception {
        store.create(Fixture.pool("default-ipv4", "10.244.0.0/16", null));
        AssignedAddress a = pod("p1", "n1");
        AssignedAddress b = pod("p2", "n2");
        assertNotEquals(a.block(), b.block());
        assertEquals("host:n2", Fixture.block(store, b.block()).spec().affinity());
    }

    @Test
    void aFullBlockMakesTheNodeClaimASecondOne() throws Exception {
        store.create(Fixture.pool("small-blocks", "10.244.0.0/24", 30));
        List<AssignedAddress> got = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            got.add(pod("p" + i, "n1"));
        }
        Cidr first = got.get(0).block();
        for (int i = 0; i < 4; i++) {
            assertEquals(first, got.get(i).block());
            assertEquals(i, ordinal(got.get(i)));
        }
        Cidr second = got.get(4).block();
        assertNotEquals(first, second);
        assertEquals(0, ordinal(got.get(4)));
        assertEquals("host:n1", Fixture.block(store, second).spec().affinity());
        assertEquals(2, store.list(ResourceKind.BLOCK_AFFINITY, null).size());
    }

    @Test
    void aPodStartOnANodeWithABlockReadsItsBlockAndWritesHandleAndBlock() throws Exception {
        store.create(Fixture.pool("default-ipv4", "10.244.0.0/16", null));
        List<String> calls = new ArrayList<>();
        ResourceStore counting = (ResourceStore) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ResourceStore.class}, (proxy, method, args) -> {
                    Object first = args[0];
                    calls.add(method.getName() + " " + (first instanceof ResourceKind<?> k ? k.kind()
                            : first instanceof List<?> writes ? writes.stream().map(w -> {
                                io.weft.api.resource.ResourceWrite rw = (io.weft.api.resource.ResourceWrite) w;
                                return rw.type().name().toLowerCase() + " " + rw.resource().kind().kind();
                            }).toList().toString()
                            : ((io.weft.api.model.Resource) first).kind().kind()));
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        BlockIpam node = new BlockIpam(counting);
        node.assign(AssignRequest.podIpv4("k8s-pod-network.p1", "n1", Map.of()));
        Fixture.awaitWatchedSettings(node, settings -> settings.pools.size() == 1);
        calls.clear();

        node.assign(AssignRequest.podIpv4("k8s-pod-network.p2", "n1", Map.of()));

        // the settings come from watches, and the block is the one this allocator wrote last (no
        // read, no list of every node's affinities or blocks): the new pod's handle and the block
        // are one compare-and-swap commit, a single round trip
        assertEquals(List.of("commit [create IPAMHandle, update IPAMBlock]"), calls);

        calls.clear();
        node.releaseHandle("k8s-pod-network.p2");
        assertEquals(List.of("commit [update IPAMBlock, delete IPAMHandle]"), calls);

        // another writer changed the block: the commit at the remembered revision fails, nothing is
        // written, and the allocator reads the block and commits again
        ipam.assign(AssignRequest.podIpv4("k8s-pod-network.other", "n1", Map.of()));
        calls.clear();
        InetAddress p3 = node.assign(AssignRequest.podIpv4("k8s-pod-network.p3", "n1", Map.of())).ipv4().get(0);
        assertEquals(List.of("commit [create IPAMHandle, update IPAMBlock]", "get IPAMBlock",
                "commit [create IPAMHandle, update IPAMBlock]"), calls);
        assertEquals(List.of(p3), ipam.addressesOf("k8s-pod-network.p3"));
        assertNotEquals(ipam.addressesOf("k8s-pod-network.other"), List.of(p3));
        IpamCheck check = ipam.check();
        assertTrue(check.clean(), check::toString);
    }

    @Test
    void aRememberedBlockThatIsNoLongerTheNodesIsNotUsed() throws Exception {
        store.create(Fixture.pool("default-ipv4", "10.244.0.0/16", null));
        Cidr block = pod("p1", "n1").block();
        ipam.releaseHandle("k8s-pod-network.p1");
        // the empty block goes away behind n1's back, and n2 claims it
        store.delete(ResourceKind.IPAM_BLOCK, null, BlockNames.block(block));
        store.delete(ResourceKind.BLOCK_AFFINITY, null, BlockNames.affinity("n1", block));
        ipam.assignAddress(block.address(7), "static-n2", "n2", IntendedUse.WORKLOAD, Map.of());
        assertEquals("host:n2", Fixture.block(store, block).spec().affinity());

        AssignedAddress next = pod("p2", "n1");

        assertNotEquals(block, next.block());
        assertEquals("host:n1", Fixture.block(store, next.block()).spec().affinity());
        assertEquals(0, ordinal(next));
    }

    @Test
    void atTheHostLimitANodeBorrowsFromAnotherNodesBlock() throws Exception {
        store.create(Fixture.pool("p", "10.244.0.0/28", 30));
        Fixture.ipamConfig(store, false, 1);
        Cidr n2Block = pod("n2-pod", "n2").block();
        Cidr n1Block = null;
        for (int i = 0; i < 4; i++) {
            n1Block = pod("p" + i, "n1").block();
        }
        AssignedAddress borrowed = pod("borrower", "n1");

        assertEquals(n2Block, borrowed.block());
        assertEquals(1, ordinal(borrowed));
        assertEquals("host:n2", Fixture.block(store, n2Block).spec().affinity(), "borrowing keeps the owner");
        assertEquals(1, store.list(ResourceKind.BLOCK_AFFINITY, null).stream()
                .filter(a -> a.spec().node().equals("n1")).count());
        assertNotEquals(n1Block, n2Block);
    }

    @Test
    void strictAffinityRefusesToBorrow() throws Exception {
        store.create(Fixture.pool("p", "10.244.0.0/28", 30));
        Fixture.ipamConfig(store, true, 1);
        pod("n2-pod", "n2");
        for (int i = 0; i < 4; i++) {
            pod("p" + i, "n1");
        }
        IpamException e = assertThrows(IpamException.class, () -> pod("one-too-many", "n1"));
        assertEquals(Reason.EXHAUSTED, e.reason());
        assertEquals("pool 10.244.0.0/28 exhausted: 5 of 16 in use; node n1 holds its limit of 1 blocks"
                + " (IPAMConfig maxBlocksPerHost); strictAffinity forbids borrowing from other nodes' blocks;"
                + " add an IP pool with weftctl apply or release unused addresses", e.getMessage());
        assertTrue(ipam.addressesOf("k8s-pod-network.one-too-many").isEmpty());
    }

    @Test
    void reservedAddressesAreNeverHandedOut() throws Exception {
        store.create(Fixture.pool("one-block", "10.244.0.0/26", 26));
        Fixture.reservation(store, "hardware", "10.244.0.0/31", "10.244.0.5");
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            got.add(text(pod("p" + i, "n1").address()));
        }
        assertEquals(List.of("10.244.0.2", "10.244.0.3", "10.244.0.4", "10.244.0.6"), got);

        for (int i = 4; i < 61; i++) {
            String a = text(pod("p" + i, "n1").address());
            assertFalse(Set.of("10.244.0.0", "10.244.0.1", "10.244.0.5").contains(a), a);
        }
        IpamException e = assertThrows(IpamException.class, () -> pod("p61", "n1"));
        assertEquals(Reason.EXHAUSTED, e.reason());
        assertTrue(e.getMessage().startsWith("pool 10.244.0.0/26 exhausted: 61 of 64 in use, 3 reserved;"),
                e.getMessage());

        IpamException reserved = assertThrows(IpamException.class, () -> ipam.assignAddress(ip("10.244.0.5"),
                "static", "n1", IntendedUse.WORKLOAD, Map.of()));
        assertEquals("10.244.0.5 is reserved by IPReservation \"hardware\"; pick another address or remove it from"
                + " the reservation", reserved.getMessage());
    }

    @Test
    void releasedAddressesAreReusedLastFirstInFirstOut() throws Exception {
        store.create(Fixture.pool("tiny", "10.244.0.0/29", 29));
        for (int i = 0; i < 4; i++) {
            assertEquals("10.244.0." + i, text(pod("p" + i, "n1").address()));
        }
        assertEquals(List.of(ip("10.244.0.1")), ipam.releaseHandle("k8s-pod-network.p1"));
        assertEquals(List.of(), ipam.releaseHandle("k8s-pod-network.p1"), "release is idempotent");
        assertTrue(store.get(ResourceKind.IPAM_HANDLE, null, "k8s-pod-network.p1").isEmpty());

        assertEquals("10.244.0.4", text(pod("p4", "n1").address()), "a freed address waits its turn");
        assertEquals("10.244.0.5", text(pod("p5", "n1").address()));
        assertEquals(List.of(ip("10.244.0.3")), ipam.releaseAddresses(List.of(ip("10.244.0.3"))));
        assertEquals(List.of(), ipam.releaseAddresses(List.of(ip("10.244.0.3"))));
        assertTrue(store.get(ResourceKind.IPAM_HANDLE, null, "k8s-pod-network.p3").isEmpty(),
                "a handle counted down to nothing is removed");
        assertEquals("10.244.0.6", text(pod("p6", "n1").address()));
        assertEquals("10.244.0.7", text(pod("p7", "n1").address()));
        assertEquals("10.244.0.1", text(pod("p8", "n1").address()));
        assertEquals("10.244.0.3", text(pod("p9", "n1").address()));
    }

    @Test
    void tunnelAddressesComeFromAPoolThatAllowsTunnels() throws Exception {
        store.create(Fixture.pool("a-workloads", "10.244.0.0/16", null, null, List.of(AllowedUse.WORKLOAD), false));
        store.create(Fixture.pool("b-tunnels", "10.100.0.0/24", null, null, List.of(AllowedUse.TUNNEL), false));

        Assignment tunnel = ipam.assign(new AssignRequest("vxlan-tunnel-addr-n1", "n1", 1, 0, null, null,
                IntendedUse.TUNNEL, Map.of("type", "vxlanTunnelAddress")));
        AssignedAddress t = tunnel.addresses().get(0);
        assertEquals(Cidr.parse("10.100.0.0/24"), t.pool());
        assertEquals(0, ordinal(t), "a fresh node's tunnel gets .0 of its first block");

        assertEquals(Cidr.parse("10.244.0.0/16"), pod("p1", "n1").pool());

        store.delete(ResourceKind.IP_POOL, null, "b-tunnels");
        Fixture.awaitWatchedSettings(ipam, settings -> settings.pools.size() == 1);
        IpamException e = assertThrows(IpamException.class, () -> ipam.assign(new AssignRequest(
                "vxlan-tunnel-addr-n2", "n2", 1, 0, null, null, IntendedUse.TUNNEL, null)));
        assertEquals(Reason.NO_POOL, e.reason());
        assertEquals("no enabled IPv4 pool selects node n2 for Tunnel use; create one with weftctl apply",
                e.getMessage());
        ipam.releaseHandle("vxlan-tunnel-addr-n1"); // its block outlived the pool; release still finds it
    }

    @Test
    void disabledPoolsAreIgnored() throws Exception {
        store.create(Fixture.pool("a-old", "10.1.0.0/16", null, null, null, true));
        store.create(Fixture.pool("b-new", "10.2.0.0/16", null, null, null, false));
        assertEquals(Cidr.parse("10.2.0.0/16"), pod("p1", "n1").pool());

        store.delete(ResourceKind.IP_POOL, null, "b-new");
        Fixture.awaitWatchedSettings(ipam, settings -> settings.pools.size() == 1);
        IpamException e = assertThrows(IpamException.class, () -> pod("p2", "n1"));
        assertEquals(Reason.NO_POOL, e.reason());
        assertEquals("no enabled IPv4 pool selects node n1 for Workload use; create one with weftctl apply",
                e.getMessage());
        ipam.releaseHandle("k8s-pod-network.p1");
    }

    @Test
    void ipv6PoolsAndDualStack() throws Exception {
        store.create(Fixture.pool("default-ipv4", "10.244.0.0/16", null));
        store.create(Fixture.pool("default-ipv6", "fd00:10::/120", null));

        Assignment v6 = ipam.assign(new AssignRequest("h6", "n1", 0, 1, null, null, IntendedUse.WORKLOAD, null));
        AssignedAddress a = v6.addresses().get(0);
        assertTrue(a.address() instanceof Inet6Address);
        assertEquals(122, a.block().prefixLength());
        assertEquals(0, ordinal(a));
        assertTrue(Cidr.parse("fd00:10::/120").contains(a.address()));
        assertTrue(store.get(ResourceKind.BLOCK_AFFINITY, null, "n1-" + BlockNames.block(a.block())).isPresent());
        assertTrue(BlockNames.block(a.block()).matches("fd00-10--(|40|80|c0)-122"), BlockNames.block(a.block()));

        Assignment dual = ipam.assign(new AssignRequest("dual", "n1", 1, 1, null, null, IntendedUse.WORKLOAD, null));
        assertEquals(1, dual.ipv4().size());
        assertEquals(1, dual.ipv6().size());
        assertEquals(a.block(), new Cidr(dual.ipv6().get(0), 122), "same affine IPv6 block");
        assertEquals(2, ipam.releaseHandle("dual").size());
    }

    @Test
    void aFailedSecondFamilyGivesTheFirstOneBack() throws Exception {
        store.create(Fixture.pool("default-ipv4", "10.244.0.0/16", null));
        store.create(Fixture.pool("default-ipv6", "fd00:10::/122", null));
        Fixture.ipamConfig(store, true, null);
        for (int i = 0; i < 64; i++) {
            ipam.assign(new AssignRequest("v6-" + i, "n2", 0, 1, null, null, IntendedUse.WORKLOAD, null));
        }
        IpamException e = assertThrows(IpamException.class, () -> ipam.assign(
                new AssignRequest("dual", "n1", 1, 1, null, null, IntendedUse.WORKLOAD, null)));
        assertEquals(Reason.EXHAUSTED, e.reason());
        assertTrue(e.getMessage().startsWith("pool fd00:10::/122 exhausted: 64 of 64 in use"), e.getMessage());
        assertTrue(store.get(ResourceKind.IPAM_HANDLE, null, "dual").isEmpty());
        assertEquals(0, ipam.usage().pools().stream().filter(p -> p.cidr().isIpv4()).findFirst().orElseThrow()
                .inUse());
    }

    @Test
    void exhaustionNamesThePoolAndTheCount() throws Exception {
        store.create(Fixture.pool("small", "10.244.0.0/24", null));
        Set<InetAddress> seen = new HashSet<>();
        for (int i = 0; i < 256; i++) {
            assertTrue(seen.add(pod("p" + i, "n" + (1 + i % 3)).address()));
        }
        IpamException e = assertThrows(IpamException.class, () -> pod("p256", "n1"));
        assertEquals(Reason.EXHAUSTED, e.reason());
        assertEquals("pool 10.244.0.0/24 exhausted: 256 of 256 in use; add an IP pool with weftctl apply or release"
                + " unused addresses", e.getMessage());
    }

    @Test
    void nodeSelectorsPickPoolsByNodeLabel() throws Exception {
        Fixture.node(store, "rack1-node", Map.of("rack", "r1"));
        store.create(Fixture.pool("a-rack1", "10.1.0.0/16", null, "rack == 'r1'", null, false));
        store.create(Fixture.pool("b-everyone", "10.2.0.0/16", null, "all()", null, false));
        store.create(Fixture.pool("c-rack2", "10.3.0.0/16", null, "rack == \"r2\"", null, false));

        assertEquals(Cidr.parse("10.1.0.0/16"), pod("p1", "rack1-node").pool());
        assertEquals(Cidr.parse("10.2.0.0/16"), pod("p2", "n1").pool());

        store.delete(ResourceKind.IP_POOL, null, "b-everyone");
        // the allocator sees pool changes through a watch, within its latency
        Fixture.awaitWatchedSettings(ipam, settings -> settings.pools.size() == 2);
        IpamException e = assertThrows(IpamException.class, () -> pod("p3", "n1"));
        assertEquals(Reason.NO_POOL, e.reason());
        ipam.releaseHandle("k8s-pod-network.p2");
    }

    @Test
    void requestedPoolsOverrideTheAutomaticChoice() throws Exception {
        store.create(Fixture.pool("a", "10.1.0.0/16", null));
        store.create(Fixture.pool("b", "10.2.0.0/16", null));
        Assignment got = ipam.assign(new AssignRequest("h", "n1", 1, 0, List.of(Cidr.parse("10.2.0.0/16")), null,
                IntendedUse.WORKLOAD, null));
        assertEquals(Cidr.parse("10.2.0.0/16"), got.addresses().get(0).pool());

        IpamException e = assertThrows(IpamException.class, () -> ipam.assign(new AssignRequest("h2", "n1", 1, 0,
                List.of(Cidr.parse("10.9.0.0/16")), null, IntendedUse.WORKLOAD, null)));
        assertEquals(Reason.NO_POOL, e.reason());
        assertEquals("requested pool 10.9.0.0/16 is not an enabled IPv4 IP pool allowing Workload use; create it"
                + " with weftctl apply", e.getMessage());
        ipam.releaseHandle("h");
    }

    @Test
    void aSpecificAddressIsClaimedOnceAndTheNodeKeepsUsingItsBlock() throws Exception {
        store.create(Fixture.pool("default-ipv4", "10.244.0.0/16", null));
        ipam.assignAddress(ip("10.244.1.5"), "static-1", "n1", IntendedUse.WORKLOAD, Map.of("pod", "web"));
        ipam.assignAddress(ip("10.244.1.5"), "static-1", "n1", IntendedUse.WORKLOAD, Map.of("pod", "web"));
        assertEquals(List.of(ip("10.244.1.5")), ipam.addressesOf("static-1"));

        IpamException taken = assertThrows(IpamException.class, () -> ipam.assignAddress(ip("10.244.1.5"),
                "static-2", "n2", IntendedUse.WORKLOAD, Map.of()));
        assertEquals(Reason.INVALID_REQUEST, taken.reason());
        assertEquals("10.244.1.5 is already assigned (handle static-1); pick another address or release it first"
                + " with weftctl ipam release --ip 10.244.1.5", taken.getMessage());

        IpamException outside = assertThrows(IpamException.class, () -> ipam.assignAddress(ip("192.168.9.9"),
                "static-3", "n1", IntendedUse.WORKLOAD, Map.of()));
        assertEquals(Reason.INVALID_REQUEST, outside.reason());
        assertEquals("192.168.9.9 is not in any IP pool (pools: 10.244.0.0/16); pick an address inside a pool or"
                + " create one with weftctl apply", outside.getMessage());

        assertEquals("host:n1", Fixture.block(store, Cidr.parse("10.244.1.0/26")).spec().affinity());
        assertEquals("10.244.1.0", text(pod("p1", "n1").address()), "the claimed block is n1's first block");
        ipam.assignAddress(ip("10.244.1.9"), "static-4", "n2", IntendedUse.WORKLOAD, Map.of());
        assertEquals("host:n1", Fixture.block(store, Cidr.parse("10.244.1.0/26")).spec().affinity(),
                "n2 borrowed 10.244.1.9 without taking the block");
    }

    @Test
    void releaseOfUnknownThingsIsNotAnError() throws Exception {
        store.create(Fixture.pool("default-ipv4", "10.244.0.0/16", null));
        assertEquals(List.of(), ipam.releaseHandle("never-assigned"));
        assertEquals(List.of(), ipam.addressesOf("never-assigned"));
        assertEquals(List.of(), ipam.releaseAddresses(List.of(ip("10.244.3.3"), ip("192.168.0.1"))));
    }

    @Test
    void multipleAddressesForOneHandleAreReleasedTogether() throws Exception {
        store.create(Fixture.pool("p", "10.244.0.0/24", 30));
        Assignment a = ipam.assign(new AssignRequest("multi", "n1", 6, 0, null, null, IntendedUse.WORKLOAD, null));
        assertEquals(6, a.addresses().size());
        assertEquals(2, a.addresses().stream().map(AssignedAddress::block).distinct().count());
        assertEquals(2, store.get(ResourceKind.IPAM_HANDLE, null, "multi").orElseThrow().spec().block().size());
        assertEquals(new HashSet<>(a.ipv4()), new HashSet<>(ipam.addressesOf("multi")));
        assertEquals(new HashSet<>(a.ipv4()), new HashSet<>(ipam.releaseHandle("multi")));
    }

    @Test
    void usageReportsPoolsAndBlocks() throws Exception {
        store.create(Fixture.pool("default-ipv4", "10.244.0.0/24", null));
        store.create(Fixture.pool("default-ipv6", "fd00::/64", null));
        for (int i = 0; i < 3; i++) {
            pod("a" + i, "n1");
        }
        pod("b", "n2");
        IpamUsage usage = ipam.usage();
        IpamUsage.PoolUsage v4 = usage.pools().get(0);
        assertEquals("default-ipv4", v4.name());
        assertEquals(BigInteger.valueOf(256), v4.total());
        assertEquals(4, v4.inUse());
        assertEquals(BigInteger.valueOf(252), v4.free());
        assertEquals(2, v4.blocks().size());
        assertEquals(Set.of("host:n1:3", "host:n2:1"), Set.of(
                v4.blocks().get(0).affinity() + ":" + v4.blocks().get(0).inUse(),
                v4.blocks().get(1).affinity() + ":" + v4.blocks().get(1).inUse()));
        assertEquals(61, v4.blocks().stream().filter(b -> b.inUse() == 3).findFirst().orElseThrow().free());
        IpamUsage.PoolUsage v6 = usage.pools().get(1);
        assertEquals(BigInteger.ONE.shiftLeft(64), v6.total());
        assertEquals(0, v6.inUse());
        assertTrue(usage.blocksOutsidePools().isEmpty());
    }

    @Test
    void checkReportsBlocksOfNodesThatAreGone() throws Exception {
        store.create(Fixture.pool("default-ipv4", "10.244.0.0/24", null));
        AssignedAddress a = pod("p1", "ghost");
        IpamCheck check = ipam.check();
        assertEquals(List.of(new IpamCheck.BlockOwner(a.block(), "ghost")), check.blocksWithoutNode());
        assertFalse(check.clean());
        assertFalse(ipam.repair().clean(), "only an operator may decide about a node that is gone");
        Fixture.node(store, "ghost", Map.of());
    }

    @Test
    void withoutAStoreEveryCallSaysWhatToInstall() {
        BlockIpam unbound = new BlockIpam();
        IpamException e = assertThrows(IpamException.class, () -> unbound.releaseHandle("h"));
        assertEquals(Reason.DATASTORE, e.reason());
        assertTrue(e.getMessage().startsWith("no resource store: install feature weft-core"), e.getMessage());
    }

    @Test
    void blankHandleOrNodeIsAnInvalidRequest() {
        IpamException e = assertThrows(IpamException.class, () -> ipam.assign(AssignRequest.podIpv4(" ", "n1", null)));
        assertEquals(Reason.INVALID_REQUEST, e.reason());
        assertThrows(IllegalArgumentException.class, () -> new AssignRequest("h", "n1", -1, 0, null, null,
                IntendedUse.WORKLOAD, null), "the request record refuses negative counts itself");
    }
}
