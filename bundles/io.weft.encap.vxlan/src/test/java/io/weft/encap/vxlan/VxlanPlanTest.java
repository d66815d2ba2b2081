package io.weft.encap.vxlan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.weft.api.encap.EncapsulationTarget;
import io.weft.api.encap.LocalNode;
import io.weft.api.encap.RemoteBlock;
import io.weft.api.model.EncapsulationMode;
import io.weft.api.net.Cidr;
import io.weft.api.net.PrefixedAddress;

class VxlanPlanTest {

    private static final LocalNode WORKER1 = new LocalNode("worker1", PrefixedAddress.parse("10.0.0.11/24"), "enp0s3",
            1500, Cidr.parseAddress("10.244.65.0"), null);

    private static RemoteBlock remote(String block, String node, String nodeIp, String tunnel, EncapsulationMode mode) {
        return new RemoteBlock(Cidr.parse(block), node, Cidr.parseAddress(nodeIp),
                tunnel == null ? null : Cidr.parseAddress(tunnel), null, mode);
    }

    @Test
    void macIsSixtySixThenSha1OfTheNodeName() {
        // sha1("worker1") = 3c05842098...; Calico prefixes 0x66 ('f') to the first five bytes
        assertEquals("66:3c:05:84:20:98", VxlanMac.forNode("worker1"));
        assertEquals(VxlanMac.forNode("worker3"), VxlanMac.forNode("worker3"));
    }

    @Test
    void alwaysEncapsulatesEveryRemoteNodeWithOneArpAndFdbEntryPerNode() {
        VxlanPlan plan = VxlanPlan.of(new EncapsulationTarget(WORKER1, List.of(
                remote("10.244.73.0/26", "worker3", "10.0.1.23", "10.244.73.0", EncapsulationMode.ALWAYS),
                remote("10.244.73.64/26", "worker3", "10.0.1.23", "10.244.73.0", EncapsulationMode.ALWAYS),
                remote("10.244.42.0/26", "worker2", "10.0.0.22", "10.244.42.0", EncapsulationMode.ALWAYS))));

        assertEquals("vxlan.calico", plan.device().name());
        assertEquals(4096, plan.device().vni());
        assertEquals(4789, plan.device().port());
        assertEquals(1450, plan.device().mtu());
        assertEquals("enp0s3", plan.device().underlay());
        assertEquals(Cidr.parseAddress("10.0.0.11"), plan.device().local());
        assertEquals(VxlanMac.forNode("worker1"), plan.device().mac());
        assertEquals(PrefixedAddress.parse("10.244.65.0/32"), plan.address());
        assertEquals(List.of(
                "10.244.73.0/26 via 10.244.73.0 dev vxlan.calico onlink",
                "10.244.73.64/26 via 10.244.73.0 dev vxlan.calico onlink",
                "10.244.42.0/26 via 10.244.42.0 dev vxlan.calico onlink"),
                plan.routes().stream().map(Object::toString).toList());
        assertEquals(2, plan.neighbours().size());
        assertEquals(VxlanMac.forNode("worker3"), plan.neighbours().get(0).mac());
        assertTrue(plan.neighbours().get(0).isPermanent());
        assertEquals(2, plan.fdb().size());
        assertEquals(Cidr.parseAddress("10.0.1.23"), plan.fdb().get(0).destination());
        assertEquals(VxlanMac.forNode("worker3"), plan.fdb().get(0).mac());
    }

    @Test
    void crossSubnetKeepsSameSubnetTrafficPlainOnTheUplink() {
        VxlanPlan plan = VxlanPlan.of(new EncapsulationTarget(WORKER1, List.of(
                remote("10.244.42.0/24", "worker2", "10.0.0.22", "10.244.42.0", EncapsulationMode.CROSS_SUBNET),
                remote("10.244.73.0/24", "worker3", "10.0.1.23", "10.244.73.0", EncapsulationMode.CROSS_SUBNET))));
        // the seed's worker1: 10.244.42.0/24 via 10.0.0.22 dev enp0s3 proto 80 onlink
        assertEquals(List.of("10.244.42.0/24 via 10.0.0.22 dev enp0s3 onlink",
                "10.244.73.0/24 via 10.244.73.0 dev vxlan.calico onlink"),
                plan.routes().stream().map(Object::toString).toList());
        assertEquals(1, plan.neighbours().size());
        assertEquals(1, plan.fdb().size());
    }

    @Test
    void macFromTheNodeResourceWinsOverTheDerivedOne() {
        LocalNode local = new LocalNode("worker1", PrefixedAddress.parse("10.0.0.11/24"), "enp0s3", 9000, null,
                "66:0a:4a:c5:63:05");
        RemoteBlock r = new RemoteBlock(Cidr.parse("10.244.73.0/26"), "worker3", Cidr.parseAddress("10.0.1.23"),
                Cidr.parseAddress("10.244.73.0"), "66:aa:bb:cc:dd:ee", EncapsulationMode.ALWAYS);
        VxlanPlan plan = VxlanPlan.of(new EncapsulationTarget(local, List.of(r)));
        assertEquals("66:0a:4a:c5:63:05", plan.device().mac());
        assertEquals(8950, plan.device().mtu());
        assertEquals(null, plan.address());
        assertEquals("66:aa:bb:cc:dd:ee", plan.neighbours().get(0).mac());
        assertEquals("66:aa:bb:cc:dd:ee", plan.fdb().get(0).mac());
    }

    @Test
    void remoteNodeWithoutTunnelAddressIsReportedNotRouted() {
        VxlanPlan plan = VxlanPlan.of(new EncapsulationTarget(WORKER1, List.of(
                remote("10.244.73.0/26", "worker3", "10.0.1.23", null, EncapsulationMode.ALWAYS))));
        assertEquals(List.of(), plan.routes());
        assertEquals(List.of("10.244.73.0/26 on node worker3: the node has no VXLAN tunnel address yet"
                + " (Node spec.ipv4VXLANTunnelAddr)"), plan.unreachable());
    }

    @Test
    void nodeWithoutAddressIsAClearError() {
        LocalNode bare = new LocalNode("worker1", null, null, 1500, null, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VxlanPlan.of(new EncapsulationTarget(bare, List.of())));
        assertEquals("VXLAN needs this node's address and uplink; node worker1 has null on null", e.getMessage());
    }
}
