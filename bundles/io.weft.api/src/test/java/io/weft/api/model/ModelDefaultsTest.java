package io.weft.api.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelDefaultsTest {

    @Test
    void enumsParseCalicoSpellingOnly() {
        assertSame(EncapsulationMode.CROSS_SUBNET, EncapsulationMode.parse("CrossSubnet"));
        assertEquals("CrossSubnet", EncapsulationMode.CROSS_SUBNET.wireName());
        assertSame(AffinityState.PENDING_DELETION, AffinityState.parse("pendingDeletion"));
        assertSame(AllowedUse.LOAD_BALANCER, AllowedUse.parse("LoadBalancer"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EncapsulationMode.parse("always"));
        assertEquals("unknown EncapsulationMode 'always' (accepted values: Always, CrossSubnet, Never)",
                e.getMessage());
        assertEquals("unknown Action null (accepted values: Allow, Deny, Log, Pass)",
                assertThrows(IllegalArgumentException.class, () -> Action.parse(null)).getMessage());
    }

    @Test
    void ipPoolDefaults() {
        IPPoolSpec v4 = IPPoolSpec.of("192.168.0.0/16");
        assertEquals(26, v4.effectiveBlockSize());
        assertEquals("all()", v4.effectiveNodeSelector());
        assertSame(EncapsulationMode.NEVER, v4.effectiveIpipMode());
        assertSame(EncapsulationMode.NEVER, v4.effectiveVxlanMode());
        assertEquals(List.of(AllowedUse.WORKLOAD, AllowedUse.TUNNEL), v4.effectiveAllowedUses());
        assertSame(AssignmentMode.AUTOMATIC, v4.effectiveAssignmentMode());
        assertEquals("192.168.0.0/16", v4.parsedCidr().toString());

        assertEquals(122, IPPoolSpec.of("fd00:10:244::/64").effectiveBlockSize());
        IPPoolSpec explicit = new IPPoolSpec("10.244.0.0/16", 24, EncapsulationMode.CROSS_SUBNET, null, true,
                false, false, "rack == 'rack0'", List.of(AllowedUse.TUNNEL), AssignmentMode.MANUAL);
        assertEquals(24, explicit.effectiveBlockSize());
        assertEquals("rack == 'rack0'", explicit.effectiveNodeSelector());
        assertSame(EncapsulationMode.CROSS_SUBNET, explicit.effectiveIpipMode());
        assertTrue(explicit.withDisabled(true).disabled());
    }

    @Test
    void bgpDefaults() {
        BGPConfigurationSpec empty = BGPConfigurationSpec.EMPTY;
        assertEquals(64512L, empty.effectiveAsNumber());
        assertTrue(empty.effectiveNodeToNodeMeshEnabled());
        assertEquals(179, empty.effectiveListenPort());
        assertEquals(Duration.ofSeconds(120), empty.effectiveNodeMeshMaxRestartTime());
        assertFalse(empty.withNodeToNodeMeshEnabled(false).effectiveNodeToNodeMeshEnabled());
        assertEquals(63400L, empty.withAsNumber(63400L).effectiveAsNumber());

        BGPPeerSpec global = BGPPeerSpec.global("10.2.98.1", 65001);
        assertTrue(global.isGlobal());
        assertFalse(BGPPeerSpec.forNode("worker1.k8s.com", "10.0.0.254", 65001).isGlobal());
        assertSame(SourceAddress.USE_NODE_IP, global.effectiveSourceAddress());
        assertSame(NextHopMode.AUTO, global.effectiveNextHopMode());
    }

    @Test
    void felixPerNodeOverridesDefault() {
        FelixConfigurationSpec defaults = new FelixConfigurationSpec(null, null, "Info", null, null, true, null,
                null, 1450, null, EndpointToHostAction.ACCEPT, null, null, null, null, null, null, null, null);
        FelixConfigurationSpec node = new FelixConfigurationSpec(Duration.ofSeconds(30), null, "Debug", null,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
        FelixConfigurationSpec merged = node.overriding(defaults);
        assertEquals("Debug", merged.logSeverityScreen());
        assertEquals(Duration.ofSeconds(30), merged.effectiveRouteRefreshInterval());
        assertEquals(Duration.ofSeconds(180), merged.effectiveIptablesRefreshInterval());
        assertEquals(1450, merged.vxlanMTU());
        assertTrue(merged.vxlanEnabled());
        assertSame(EndpointToHostAction.ACCEPT, merged.effectiveDefaultEndpointToHostAction());
        assertEquals(4789, merged.effectiveVxlanPort());
        assertEquals(4096, merged.effectiveVxlanVNI());
        assertEquals("cali", merged.effectiveInterfacePrefix());
    }

    @Test
    void blockKeepsNullAllocationsAndSortsMaps() {
        IPAMBlockSpec block = new IPAMBlockSpec("10.244.0.0/26", IPAMBlockSpec.hostAffinity("node1"), false,
                Arrays.asList(0, null, 0), List.of(1, 3), List.of(new AllocationAttribute("k8s-pod-network.abc",
                        Map.of("node", "node1"))), false, 2L, Map.of("2", 1L, "0", 1L, "10", 2L));
        assertEquals(Arrays.asList(0, null, 0), block.allocations());
        assertNull(block.allocations().get(1));
        assertEquals(Optional.of("node1"), block.affineHost());
        assertEquals(List.of("0", "10", "2"), List.copyOf(block.sequenceNumberForAllocation().keySet()));
        assertThrows(UnsupportedOperationException.class, () -> block.allocations().set(1, 1));
        assertEquals(Optional.empty(), IPAMBlockSpec.EMPTY.affineHost());
    }

    @Test
    void metadataCopiesAndNullLabelValuesBecomeEmpty() {
        Map<String, String> labels = new HashMap<>();
        labels.put("rack", "rack0");
        labels.put("node-role.kubernetes.io/master", null);
        ObjectMeta meta = ObjectMeta.named("clab-calico-bgp-rr-worker").withLabels(labels);
        labels.put("rack", "rack1");
        assertEquals("rack0", meta.labels().get("rack"));
        assertEquals("", meta.labels().get("node-role.kubernetes.io/master"));
        assertTrue(ObjectMeta.named("x").annotations().isEmpty());
        assertEquals("ns", ObjectMeta.namespaced("ns", "p").namespace());
    }

    @Test
    void policyTypesInferredFromRules() {
        Rule allow = Rule.of(Action.ALLOW);
        assertEquals(List.of(PolicyType.INGRESS), NetworkPolicySpec.EMPTY.effectiveTypes());
        assertEquals(List.of(PolicyType.EGRESS),
                new NetworkPolicySpec(null, null, null, null, List.of(allow), null).effectiveTypes());
        assertEquals(List.of(PolicyType.INGRESS, PolicyType.EGRESS),
                new GlobalNetworkPolicySpec(null, null, null, List.of(allow), List.of(allow), null, null, false,
                        false, false).effectiveTypes());
        assertSame(EntityRule.EMPTY, allow.source());
    }

    @Test
    void nodeWithoutStatus() {
        Node node = new Node(ObjectMeta.named("worker1.k8s.com"),
                NodeSpec.EMPTY.withBgp(new NodeBGPSpec(65001L, "10.0.0.1/24", null, null, null)));
        assertTrue(node.status().podCIDRs().isEmpty());
        assertEquals("10.0.0.1/24", node.spec().bgp().ipv4Address());
        assertEquals("10.244.1.0",
                node.withSpec(node.spec().withIpv4VXLANTunnelAddr("10.244.1.0")).spec().ipv4VXLANTunnelAddr());
    }
}
