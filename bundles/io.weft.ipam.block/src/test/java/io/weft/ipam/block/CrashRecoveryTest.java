package io.weft.ipam.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.weft.api.ipam.AssignRequest;
import io.weft.api.model.AffinityState;
import io.weft.api.model.AllocationAttribute;
import io.weft.api.model.BlockAffinity;
import io.weft.api.model.IPAMBlock;
import io.weft.api.model.IPAMBlockSpec;
import io.weft.api.model.ResourceKind;
import io.weft.api.net.Cidr;
import io.weft.api.resource.ResourceStore;

/**
 * A node dies between two writes (the store wrapper fails the N-th write and everything
 * after): the data it leaves is reported by {@link IpamCheck}, and the next allocation or a
 * repair pass puts it right without losing or double-assigning an address.
 */
class CrashRecoveryTest {

    private ResourceStore store;

    @BeforeEach
    void setUp() throws Exception {
        store = Fixture.memoryStore();
        store.create(Fixture.pool("default-ipv4", "10.244.0.0/24", null));
        Fixture.nodes(store, "n1", "n2");
    }

    private static AssignRequest pod(String name, String node) {
        return AssignRequest.podIpv4("k8s-pod-network." + name, node, Map.of("pod", name));
    }

    /** Writes of a node's first assignment, in order. */
    private static final List<String> FIRST_ASSIGN_WRITES = List.of(
            "create BlockAffinity", "create IPAMBlock", "update BlockAffinity", "create IPAMHandle",
            "update IPAMBlock");

    @Test
    void theFirstAssignmentWritesInCalicosOrder() throws Exception {
        CrashingStore counting = new CrashingStore(store, 0);
        new BlockIpam(counting).assign(pod("p1", "n1"));
        assertEquals(FIRST_ASSIGN_WRITES.size(), counting.writes());
        for (int n = 1; n <= FIRST_ASSIGN_WRITES.size(); n++) {
            ResourceStore fresh = Fixture.memoryStore();
            fresh.create(Fixture.pool("default-ipv4", "10.244.0.0/24", null));
            CrashingStore crashing = new CrashingStore(fresh, n);
            assertThrows(CrashingStore.SimulatedCrash.class, () -> new BlockIpam(crashing).assign(pod("p1", "n1")));
            assertTrue(crashing.crashedAt().startsWith(FIRST_ASSIGN_WRITES.get(n - 1)), crashing.crashedAt());
        }
    }

    @ParameterizedTest(name = "crash before write {0} of the first assignment; the next one repairs")
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void crashDuringFirstAssignmentThenNextAllocation(int crashAt) throws Exception {
        CrashingStore dying = new CrashingStore(store, crashAt);
        assertThrows(CrashingStore.SimulatedCrash.class, () -> new BlockIpam(dying).assign(pod("crashed", "n1")));
        IpamCheck left = IpamCheck.run(store);
        // before write 1 nothing was written; before write 4 the claim was complete (an empty block)
        boolean visible = crashAt == 2 || crashAt == 3 || crashAt == 5;
        assertEquals(visible, !left.clean(), () -> "what the crash left must be visible: " + left);

        BlockIpam restarted = new BlockIpam(store);
        InetAddress next = restarted.assign(pod("next", "n1")).ipv4().get(0);
        assertEquals(0, firstBlockOf("n1").offsetOf(next), "the node's block, first address");
        IpamCheck afterNext = restarted.check();
        if (crashAt != 5) {
            // an interrupted claim is completed by the node's next allocation
            assertTrue(afterNext.clean(), () -> afterNext.toString());
        } else {
            // the handle was counted but the block never written: the handle claims too much
            assertEquals(List.of(new IpamCheck.HandleMismatch("k8s-pod-network.crashed", firstBlockOf("n1"), 1, 0)),
                    afterNext.handleMismatches());
        }
        assertTrue(restarted.repair().clean());
        assertEquals(List.of(), restarted.addressesOf("k8s-pod-network.crashed"));
        assertEquals(1, store.list(ResourceKind.BLOCK_AFFINITY, null).size(), "one claim, not two");
        assertNothingLeaked(restarted, "k8s-pod-network.next", "k8s-pod-network.crashed");
    }

    @ParameterizedTest(name = "crash before write {0} of the first assignment; repair alone")
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void crashDuringFirstAssignmentThenRepair(int crashAt) throws Exception {
        CrashingStore dying = new CrashingStore(store, crashAt);
        assertThrows(CrashingStore.SimulatedCrash.class, () -> new BlockIpam(dying).assign(pod("crashed", "n1")));

        BlockIpam restarted = new BlockIpam(store);
        IpamCheck after = restarted.repair();
        assertTrue(after.clean(), () -> after.toString());
        // pending claims without a block were rolled back; those with a block were confirmed
        for (BlockAffinity a : store.list(ResourceKind.BLOCK_AFFINITY, null)) {
            assertEquals(AffinityState.CONFIRMED, a.spec().state());
        }
        assertEquals(crashAt >= 3 ? 1 : 0, store.list(ResourceKind.IPAM_BLOCK, null).size());
        assertNothingLeaked(restarted, "k8s-pod-network.crashed");
    }

    @ParameterizedTest(name = "crash before write {0} of a release")
    @ValueSource(ints = {1, 2})
    void crashDuringRelease(int crashAt) throws Exception {
        BlockIpam ipam = new BlockIpam(store);
        InetAddress a = ipam.assign(pod("a", "n1")).ipv4().get(0);
        ipam.assign(pod("b", "n1"));

        CrashingStore dying = new CrashingStore(store, crashAt);
        assertThrows(CrashingStore.SimulatedCrash.class,
                () -> new BlockIpam(dying).releaseHandle("k8s-pod-network.a"));
        // one commit (block, then handle) that a journaling store may cut after its first write
        assertEquals(List.of("update IPAMBlock", "delete IPAMHandle").get(crashAt - 1),
                dying.crashedAt().substring(0, dying.crashedAt().lastIndexOf(' ')));
        IpamCheck left = IpamCheck.run(store);
        assertEquals(crashAt > 1, !left.clean(), () -> left.toString());

        // the CNI DEL is retried: releasing again finishes the job
        BlockIpam restarted = new BlockIpam(store);
        List<InetAddress> second = restarted.releaseHandle("k8s-pod-network.a");
        assertEquals(crashAt == 1 ? List.of(a) : List.of(), second);
        IpamCheck after = restarted.check();
        assertTrue(after.clean(), () -> "after the retried release: " + after);
        assertNothingLeaked(restarted, "k8s-pod-network.b");
    }

    @Test
    void repairWithAMinimumAgeWaitsForTheFindingToStayUnchanged() throws Exception {
        CrashingStore dying = new CrashingStore(store, 5);
        assertThrows(CrashingStore.SimulatedCrash.class, () -> new BlockIpam(dying).assign(pod("crashed", "n1")));
        BlockIpam ipam = new BlockIpam(store);
        Duration age = Duration.ofMillis(150);
        assertFalse(ipam.repair(age).clean(), "first sighting: could be a live writer");
        assertFalse(ipam.repair(age).clean(), "still too young");
        Thread.sleep(200);
        assertTrue(ipam.repair(age).clean());
    }

    @Test
    void anAllocationWithoutItsHandleIsGivenOneSoItCanBeReleased() throws Exception {
        BlockIpam ipam = new BlockIpam(store);
        Cidr block = ipam.assign(pod("a", "n1")).addresses().get(0).block();
        // a foreign or older writer put an allocation in the block and never wrote its handle
        IPAMBlock b = Fixture.block(store, block);
        IPAMBlockSpec s = b.spec();
        List<Integer> allocations = new ArrayList<>(s.allocations());
        allocations.set(9, s.attributes().size());
        List<Integer> unallocated = new ArrayList<>(s.unallocated());
        unallocated.remove(Integer.valueOf(9));
        List<AllocationAttribute> attributes = new ArrayList<>(s.attributes());
        attributes.add(new AllocationAttribute("orphan", Map.of("pod", "ghost")));
        store.update(b.withSpec(new IPAMBlockSpec(s.cidr(), s.affinity(), false, allocations, unallocated,
                attributes, false, s.sequenceNumber() + 1, s.sequenceNumberForAllocation())));

        IpamCheck check = ipam.check();
        assertEquals(List.of(new IpamCheck.Allocation(block.address(9), block, "orphan")),
                check.allocationsWithoutHandle());
        assertEquals(List.of(), ipam.releaseHandle("orphan"), "without a handle, release by handle finds nothing");
        assertTrue(ipam.repair().clean());
        assertEquals(List.of(block.address(9)), ipam.releaseHandle("orphan"));
        assertNothingLeaked(ipam, "k8s-pod-network.a");
    }

    @Test
    void aBlockWithoutItsAffinityGetsItBack() throws Exception {
        BlockIpam ipam = new BlockIpam(store);
        Cidr block = ipam.assign(pod("a", "n1")).addresses().get(0).block();
        store.delete(ResourceKind.BLOCK_AFFINITY, null, BlockNames.affinity("n1", block));
        IpamCheck check = ipam.check();
        assertEquals(1, check.affinityProblems().size(), check.toString());
        assertTrue(ipam.repair().clean());
        assertEquals(block, ipam.assign(pod("b", "n1")).addresses().get(0).block());
        assertNothingLeaked(ipam, "k8s-pod-network.a", "k8s-pod-network.b");
    }

    private Cidr firstBlockOf(String node) throws Exception {
        return store.list(ResourceKind.IPAM_BLOCK, null).stream()
                .filter(b -> ("host:" + node).equals(b.spec().affinity()))
                .map(b -> Cidr.parse(b.spec().cidr())).sorted().findFirst().orElseThrow();
    }

    /** Releases the handles; afterwards no block holds anything and no handle is left. */
    private void assertNothingLeaked(BlockIpam ipam, String... handles) throws Exception {
        for (String h : handles) {
            ipam.releaseHandle(h);
        }
        List<IPAMBlock> blocks = store.list(ResourceKind.IPAM_BLOCK, null);
        assertEquals(0, ipam.usage().pools().get(0).inUse(), () -> "leaked: " + blocks);
        assertEquals(List.of(), store.list(ResourceKind.IPAM_HANDLE, null));
        assertTrue(ipam.check().clean());
    }
}
