package io.weft.ipam.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.weft.api.ipam.AssignRequest;
import io.weft.api.ipam.Assignment.AssignedAddress;
import io.weft.api.model.ResourceKind;
import io.weft.api.net.Cidr;
import io.weft.api.resource.ResourceStore;

/**
 * Blocks go back to the pool: after a grace when a node leaves them empty, at once (when empty)
 * when the node is deleted; never while they hold an address. On the embedded store on disk.
 */
class BlockReleaseTest {

    @TempDir
    Path dir;
    private io.weft.api.datastore.Datastore datastore;
    private ResourceStore store;
    private BlockIpam ipam;

    /** The store under test: the embedded one on disk here, etcd in the subclass. */
    io.weft.api.datastore.Datastore open() throws Exception {
        return Fixture.embedded(dir);
    }

    @BeforeEach
    void setUp() throws Exception {
        datastore = open();
        store = Fixture.over(datastore);
        store.create(Fixture.pool("default-ipv4", "10.244.0.0/24", 28));
        Fixture.nodes(store, "n1", "n2");
        ipam = new BlockIpam(store);
    }

    @AfterEach
    void tearDown() throws Exception {
        ipam.close();
        ((AutoCloseable) datastore).close();
    }

    private AssignedAddress pod(String name, String node) throws Exception {
        return ipam.assign(AssignRequest.podIpv4("k8s-pod-network." + name, node, Map.of("pod", name)))
                .addresses().get(0);
    }

    private boolean exists(Cidr block) throws Exception {
        return store.get(ResourceKind.IPAM_BLOCK, null, BlockNames.block(block)).isPresent();
    }

    private boolean affinityExists(String node, Cidr block) throws Exception {
        return store.get(ResourceKind.BLOCK_AFFINITY, null, BlockNames.affinity(node, block)).isPresent();
    }

    @Test
    void anEmptyBlockIsReleasedOnlyAfterStayingEmptyForTheGrace() throws Exception {
        Cidr block = pod("a", "n1").block();
        Duration grace = Duration.ofMillis(300);
        assertEquals(List.of(), ipam.releaseEmptyBlocks(grace), "in use: kept");

        ipam.releaseHandle("k8s-pod-network.a");
        assertEquals(List.of(), ipam.releaseEmptyBlocks(grace), "first seen empty: the grace starts");
        assertEquals(List.of(), ipam.releaseEmptyBlocks(grace), "not empty for long enough");
        assertTrue(exists(block));
        Thread.sleep(350);
        assertEquals(List.of(block), ipam.releaseEmptyBlocks(grace));

        assertTrue(!exists(block) && !affinityExists("n1", block), "block and affinity are gone");
        IpamCheck afterRelease = ipam.check();
        assertTrue(afterRelease.clean(), afterRelease::toString);
        // the addresses are the pool's again: the next pod of n1 claims a block anew
        AssignedAddress next = pod("b", "n1");
        assertEquals("host:n1", Fixture.block(store, next.block()).spec().affinity());
    }

    @Test
    void aBlockUsedDuringTheGraceStartsItsGraceAgainAndKeepsItsAddresses() throws Exception {
        Cidr block = pod("a", "n1").block();
        ipam.releaseHandle("k8s-pod-network.a");
        Duration grace = Duration.ofMillis(200);
        ipam.releaseEmptyBlocks(grace);
        // a pod comes and goes during the grace: the block changed, so it is not "empty for 200 ms"
        InetAddress held = pod("c", "n1").address();
        Thread.sleep(250);
        assertEquals(List.of(), ipam.releaseEmptyBlocks(grace), "holds an address");
        assertEquals(List.of(held), ipam.addressesOf("k8s-pod-network.c"));
        ipam.releaseHandle("k8s-pod-network.c");
        assertEquals(List.of(), ipam.releaseEmptyBlocks(grace), "empty again: a new grace");
        Thread.sleep(250);
        assertEquals(List.of(block), ipam.releaseEmptyBlocks(grace));
    }

    @Test
    void deletingANodeReleasesItsEmptyBlocksAtOnceAndKeepsTheOnesInUseForIpamCheck() throws Exception {
        // n1 fills one /28 (16 addresses) and spills into a second block
        for (int i = 0; i < 17; i++) {
            pod("p" + i, "n1");
        }
        List<Cidr> blocks = store.list(ResourceKind.IPAM_BLOCK, null).stream()
                .map(b -> Cidr.parse(b.spec().cidr())).toList();
        assertEquals(2, blocks.size(), blocks::toString);
        Cidr spill = pod("p16-again", "n2").block(); // n2's own block, untouched by n1's deletion
        // empty the block of the 17th pod
        Cidr second = blocks.stream().filter(b -> {
            try {
                return Fixture.block(store, b).spec().allocations().stream().filter(x -> x != null).count() == 1;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).findFirst().orElseThrow();
        Cidr full = blocks.stream().filter(b -> !b.equals(second)).findFirst().orElseThrow();
        ipam.releaseHandle("k8s-pod-network.p16");

        IpamHousekeeping housekeeping = new IpamHousekeeping(store, Duration.ofMinutes(15));
        try {
            store.delete(ResourceKind.NODE, null, "n1");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (exists(second) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(!exists(second) && !affinityExists("n1", second), "the empty block went with the node");
            assertTrue(exists(full) && affinityExists("n1", full), "the block with 16 pods stays");
            assertTrue(exists(spill));
            IpamCheck check = ipam.check();
            assertEquals(List.of(new IpamCheck.BlockOwner(full, "n1")), check.blocksWithoutNode());

            // the pods go; then the deleted node's last block is released like any other
            for (int i = 0; i < 16; i++) {
                ipam.releaseHandle("k8s-pod-network.p" + i);
            }
            assertEquals(List.of(full), housekeeping.nodeDeleted("n1").released());
            IpamCheck end = ipam.check();
            assertTrue(end.clean(), end::toString);
        } finally {
            housekeeping.deactivate();
        }
    }
}
