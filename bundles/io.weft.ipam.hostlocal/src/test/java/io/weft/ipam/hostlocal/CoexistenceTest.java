package io.weft.ipam.hostlocal;

import static io.weft.ipam.hostlocal.Fixture.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.weft.api.ipam.AssignRequest;
import io.weft.api.ipam.Assignment.AssignedAddress;
import io.weft.api.ipam.IntendedUse;
import io.weft.api.ipam.IpamException;
import io.weft.api.model.IPAMHandle;
import io.weft.api.model.ResourceKind;
import io.weft.api.net.Cidr;
import io.weft.api.resource.ResourceStore;
import io.weft.ipam.block.BlockIpam;
import io.weft.ipam.block.IpamCheck;

/**
 * Both providers over one store, as after a swap either way: neither hands out what the other
 * holds (host-local reads the block allocator's blocks), and the block allocator's check and
 * repair find nothing in host-local's resources to report or change.
 */
class CoexistenceTest {

    private static final String POOL = "10.244.0.0/16";

    private ResourceStore store;
    private BlockIpam block;

    @BeforeEach
    void setUp() throws Exception {
        store = Fixture.memoryStore();
        store.create(Fixture.pool("default-ipv4", POOL));
        for (String n : List.of("n1", "n2", "n3")) {
            Fixture.node(store, n, Map.of());
        }
        block = new BlockIpam(store);
    }

    private AssignedAddress pod(io.weft.api.ipam.IpamService on, String handle, String node) throws IpamException {
        return on.assign(AssignRequest.podIpv4(handle, node, Map.of())).addresses().get(0);
    }

    @Test
    void hostLocalStepsOverTheBlockAllocatorsAddressesAndBlocks() throws Exception {
        AssignedAddress fromBlock = pod(block, "blk-1", "n1");
        Cidr range = new Cidr(fromBlock.address(), 24);
        HostLocalIpam hostLocal = new HostLocalIpam(store, "n1=" + range, 24);

        IpamException taken = assertThrows(IpamException.class, () -> hostLocal.assignAddress(fromBlock.address(),
                "hl-x", "n1", IntendedUse.WORKLOAD, Map.of()));
        assertEquals(text(fromBlock.address())
                + " is already assigned by the block IPAM (handle blk-1); pick another address", taken.getMessage());
        for (int i = 0; i < 70; i++) {
            AssignedAddress a = pod(hostLocal, "hl-" + i, "n1");
            assertTrue(range.contains(a.address()));
            assertNotEquals(fromBlock.address(), a.address());
        }

        // a node without a fixed range skips a slot where another node has a block
        Cidr slot = Fixture.derivedRange("n3", POOL, 24);
        block.assignAddress(slot.address(10), "blk-n2", "n2", IntendedUse.WORKLOAD, Map.of());
        AssignedAddress n3 = pod(hostLocal, "hl-n3", "n3");
        assertFalse(slot.contains(n3.address()), n3 + " is outside n2's block in " + slot);

        Map<String, String> before = versions();
        IpamCheck check = block.check();
        assertTrue(check.clean(), () -> "the block allocator's check: " + check);
        assertTrue(block.repair().clean());
        assertEquals(before, versions(), "repair left host-local's resources alone");

        // each provider releases only its own handles
        assertEquals(List.of(), hostLocal.releaseHandle("blk-1"));
        assertEquals(List.of(), block.releaseHandle("hl-0"));
        assertEquals(List.of(fromBlock.address()), block.addressesOf("blk-1"));
        assertEquals(1, hostLocal.addressesOf("hl-0").size());
        List<InetAddress> released = hostLocal.releaseHandle("hl-0");
        assertEquals(1, released.size());
        assertTrue(block.check().clean());
    }

    private Map<String, String> versions() throws Exception {
        Map<String, String> out = new TreeMap<>();
        for (IPAMHandle h : store.list(ResourceKind.IPAM_HANDLE, null)) {
            if (h.metadata().name().startsWith("hostlocal.")) {
                out.put(h.metadata().name(), h.metadata().resourceVersion());
            }
        }
        assertFalse(out.isEmpty());
        return out;
    }
}
