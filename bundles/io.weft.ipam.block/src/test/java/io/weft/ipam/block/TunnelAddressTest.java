package io.weft.ipam.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.weft.api.model.EncapsulationMode;
import io.weft.api.model.IPPool;
import io.weft.api.model.IPPoolSpec;
import io.weft.api.model.Node;
import io.weft.api.model.ObjectMeta;
import io.weft.api.model.ResourceKind;
import io.weft.api.net.Cidr;
import io.weft.api.resource.ResourceStore;
import io.weft.core.TunnelAddressAllocator;

/**
 * The node's VXLAN and IPIP tunnel addresses follow the pools, through the real component
 * reacting to watches over the embedded store on disk with the block IPAM.
 */
class TunnelAddressTest {

    @TempDir
    Path dir;
    private io.weft.api.datastore.Datastore datastore;
    private ResourceStore store;
    private BlockIpam ipam;
    private TunnelAddressAllocator tunnels;

    private static IPPool pool(String name, String cidr, EncapsulationMode ipip, EncapsulationMode vxlan,
            String selector) {
        return new IPPool(ObjectMeta.named(name), new IPPoolSpec(cidr, 28, ipip, vxlan, false, false, false, selector,
                null, null));
    }

    /** The store under test: the embedded one on disk here, etcd in the subclass. */
    io.weft.api.datastore.Datastore open() throws Exception {
        return Fixture.embedded(dir);
    }

    @BeforeEach
    void setUp() throws Exception {
        datastore = open();
        store = Fixture.over(datastore);
        store.create(pool("default-ipv4", "10.244.0.0/16", null, null, null));
        store.create(pool("vxlan", "10.100.0.0/24", null, EncapsulationMode.ALWAYS, null));
        Fixture.nodes(store, "n1");
        ipam = new BlockIpam(store);
        tunnels = new TunnelAddressAllocator("n1");
        tunnels.bindIpam(ipam);
        tunnels.bindStore(store);
    }

    @AfterEach
    void tearDown() throws Exception {
        tunnels.deactivate();
        ipam.close();
        ((AutoCloseable) datastore).close();
    }

    private Node awaitNode(String what, Predicate<Node> condition) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        Node n = null;
        while (System.nanoTime() < deadline) {
            n = store.get(ResourceKind.NODE, null, "n1").orElseThrow();
            if (condition.test(n)) {
                return n;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("Node n1 never got " + what + "; last: " + n);
    }

    private static String ipip(Node n) {
        return n.spec().bgp() == null ? null : n.spec().bgp().ipv4IPIPTunnelAddr();
    }

    private void updatePool(String name, java.util.function.UnaryOperator<IPPoolSpec> change) throws Exception {
        IPPool p = store.get(ResourceKind.IP_POOL, null, name).orElseThrow();
        store.update(p.withSpec(change.apply(p.spec())));
    }

    @Test
    void theNodeGetsItsTunnelAddressesFromThePoolsThatNeedThemAndGivesThemBack() throws Exception {
        Node n = awaitNode("a VXLAN address", x -> x.spec().ipv4VXLANTunnelAddr() != null);
        InetAddress vxlan = InetAddress.getByName(n.spec().ipv4VXLANTunnelAddr());
        assertTrue(Cidr.parse("10.100.0.0/24").contains(vxlan), vxlan.toString());
        assertEquals(List.of(vxlan), ipam.addressesOf("vxlan-tunnel-addr-n1"));
        assertNull(ipip(n), "no pool does IPIP");

        // an IPIP pool appears: the node gets an address from it too, and keeps its VXLAN one
        store.create(pool("ipip", "10.200.0.0/24", EncapsulationMode.CROSS_SUBNET, null, null));
        n = awaitNode("an IPIP address", x -> ipip(x) != null);
        assertTrue(Cidr.parse("10.200.0.0/24").contains(InetAddress.getByName(ipip(n))), ipip(n));
        assertEquals(vxlan.getHostAddress(), n.spec().ipv4VXLANTunnelAddr());
        assertEquals(1, ipam.addressesOf("ipip-tunnel-addr-n1").size());

        // VXLAN switched off in its pool: the address goes back and the field is cleared
        updatePool("vxlan", s -> new IPPoolSpec(s.cidr(), s.blockSize(), s.ipipMode(), EncapsulationMode.NEVER,
                s.natOutgoing(), s.disabled(), s.disableBGPExport(), s.nodeSelector(), s.allowedUses(),
                s.assignmentMode()));
        awaitNode("its VXLAN address cleared", x -> x.spec().ipv4VXLANTunnelAddr() == null);
        assertEquals(List.of(), ipam.addressesOf("vxlan-tunnel-addr-n1"));

        // the IPIP pool now selects other nodes only
        updatePool("ipip", s -> new IPPoolSpec(s.cidr(), s.blockSize(), s.ipipMode(), s.vxlanMode(), s.natOutgoing(),
                s.disabled(), s.disableBGPExport(), "rack == 'r2'", s.allowedUses(), s.assignmentMode()));
        awaitNode("its IPIP address cleared", x -> ipip(x) == null);
        assertEquals(List.of(), ipam.addressesOf("ipip-tunnel-addr-n1"));

        // labelled into the selector: back again, and a second pass changes nothing
        Node labelled = store.get(ResourceKind.NODE, null, "n1").orElseThrow();
        store.update(new Node(labelled.metadata().withLabels(java.util.Map.of("rack", "r2")), labelled.spec(),
                labelled.status()));
        n = awaitNode("an IPIP address after labelling", x -> ipip(x) != null);
        Node again = tunnels.reconcile(store, ipam).orElseThrow();
        assertEquals(n.metadata().resourceVersion(), again.metadata().resourceVersion(), "nothing to change");

        IpamCheck check = ipam.check();
        assertTrue(check.clean(), check::toString);
    }
}
