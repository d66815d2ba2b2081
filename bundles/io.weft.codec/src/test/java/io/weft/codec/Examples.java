package io.weft.codec;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.weft.api.model.Action;
import io.weft.api.model.AffinityState;
import io.weft.api.model.AllocationAttribute;
import io.weft.api.model.AllowedUse;
import io.weft.api.model.AssignmentMode;
import io.weft.api.model.BGPConfiguration;
import io.weft.api.model.BGPConfigurationSpec;
import io.weft.api.model.BGPPeer;
import io.weft.api.model.BGPPeerSpec;
import io.weft.api.model.BindMode;
import io.weft.api.model.BlockAffinity;
import io.weft.api.model.BlockAffinitySpec;
import io.weft.api.model.Community;
import io.weft.api.model.EncapsulationMode;
import io.weft.api.model.EndpointToHostAction;
import io.weft.api.model.EntityRule;
import io.weft.api.model.FelixConfiguration;
import io.weft.api.model.FelixConfigurationSpec;
import io.weft.api.model.GlobalNetworkPolicy;
import io.weft.api.model.GlobalNetworkPolicySpec;
import io.weft.api.model.ICMPFields;
import io.weft.api.model.IPAMBlock;
import io.weft.api.model.IPAMBlockSpec;
import io.weft.api.model.IPAMConfig;
import io.weft.api.model.IPAMConfigSpec;
import io.weft.api.model.IPAMHandle;
import io.weft.api.model.IPAMHandleSpec;
import io.weft.api.model.IPNAT;
import io.weft.api.model.IPPool;
import io.weft.api.model.IPPoolSpec;
import io.weft.api.model.IPReservation;
import io.weft.api.model.IPReservationSpec;
import io.weft.api.model.NetworkPolicy;
import io.weft.api.model.NetworkPolicySpec;
import io.weft.api.model.NextHopMode;
import io.weft.api.model.Node;
import io.weft.api.model.NodeAddress;
import io.weft.api.model.NodeBGPSpec;
import io.weft.api.model.NodeSpec;
import io.weft.api.model.NodeStatus;
import io.weft.api.model.ObjectMeta;
import io.weft.api.model.OrchRef;
import io.weft.api.model.PolicyType;
import io.weft.api.model.PrefixAdvertisement;
import io.weft.api.model.Resource;
import io.weft.api.model.RouteTableRange;
import io.weft.api.model.Rule;
import io.weft.api.model.SecretKeyRef;
import io.weft.api.model.ServiceIPBlock;
import io.weft.api.model.SourceAddress;
import io.weft.api.model.WorkloadEndpoint;
import io.weft.api.model.WorkloadEndpointPort;
import io.weft.api.model.WorkloadEndpointSpec;

/**
 * Valid, already-defaulted resources of every kind that together set every field of every model
 * record (checked by {@code RoundTripTest}), in the topology of seed 002: four nodes in two racks,
 * ToR peers, a route reflector.
 */
public final class Examples {

    static final Instant CREATED = Instant.parse("2022-12-05T08:40:29Z");
    static final String CONTAINER = "4a6f0b3c5d2e1f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a";

    private Examples() {
    }

    static ObjectMeta meta(String name) {
        return new ObjectMeta(name, null, Map.of("rack", "rack0", "kubernetes.io/os", "linux"),
                Map.of("projectcalico.org/kube-labels", "{\"rack\":\"rack0\"}", "note", "written by the Weft tests"),
                "3b6e2c8a-5d1f-4e7b-9a0c-1d2e3f4a5b6c", "1234", CREATED);
    }

    static ObjectMeta meta(String namespace, String name) {
        ObjectMeta m = meta(name);
        return new ObjectMeta(name, namespace, m.labels(), m.annotations(), m.uid(), m.resourceVersion(),
                m.creationTimestamp());
    }

    public static List<Resource> all() {
        List<Resource> all = new ArrayList<>();
        all.add(new IPPool(meta("pool-v4"), new IPPoolSpec("10.244.0.0/16", 24, EncapsulationMode.CROSS_SUBNET,
                EncapsulationMode.NEVER, true, true, true, "rack == 'rack0'",
                List.of(AllowedUse.WORKLOAD, AllowedUse.TUNNEL), AssignmentMode.MANUAL)));
        all.add(new IPPool(meta("pool-v6-lb"), new IPPoolSpec("fd00:10::/112", 122, EncapsulationMode.NEVER,
                EncapsulationMode.NEVER, false, false, false, "all()", List.of(AllowedUse.LOAD_BALANCER),
                AssignmentMode.AUTOMATIC)));
        all.add(new BGPConfiguration(meta("default"), new BGPConfigurationSpec("Info", true, 65546L,
                List.of(new ServiceIPBlock("10.96.0.0/12")), List.of(new ServiceIPBlock("192.0.2.0/24")),
                List.of(new ServiceIPBlock("198.51.100.0/24")), 1179, BindMode.NODE_IP,
                List.of(new Community("gold", "65001:100"), new Community("large", "65001:100:200")),
                List.of(new PrefixAdvertisement("10.244.0.0/16", List.of("gold", "65001:300"))),
                new SecretKeyRef("bgp-secrets", "mesh-password"), Duration.ofSeconds(90))));
        all.add(new BGPPeer(meta("rack0-to-leaf0"), new BGPPeerSpec(null, "10.1.5.1:179", 65005L, "rack == 'rack0'",
                null, false, new SecretKeyRef("bgp-secrets", "tor-password"), SourceAddress.NONE,
                Duration.ofMinutes(2), 1, List.of("export-pods-only"), 2, "10.1.5.254", NextHopMode.SELF)));
        all.add(new BGPPeer(meta("node1-to-reflectors"), new BGPPeerSpec("node1", null, null, null,
                "route-reflector == 'true'", true, null, SourceAddress.USE_NODE_IP, null, 0, null, null, null,
                null)));
        all.add(new Node(meta("node1"), new NodeSpec(
                new NodeBGPSpec(65005L, "10.1.5.10/24", "fd00::10/64", "10.244.0.1", "224.0.0.1"),
                "10.244.0.0", "66:0a:4a:c5:63:05", "fd00:10::1",
                List.of(new OrchRef("clab-calico-bgp-rr-control-plane", "k8s")),
                List.of(new NodeAddress("10.1.5.10/24", "CalicoNodeIP"), new NodeAddress("10.1.5.10", "InternalIP"))),
                new NodeStatus(List.of("10.244.0.0/24"))));
        all.add(new WorkloadEndpoint(meta("prod", "node1-k8s-nginx-eth0"), new WorkloadEndpointSpec("k8s", "nginx",
                "node1", CONTAINER, "nginx", "eth0", "web", List.of("10.244.0.5/32"),
                List.of(new IPNAT("10.244.0.5", "192.0.2.10")), List.of("kns.prod", "ksa.prod.web"), "cali3745790aa7e",
                "ce:16:92:db:cc:5d", List.of(new WorkloadEndpointPort("http", "TCP", 80, 8080, "192.0.2.1")))));
        all.add(new FelixConfiguration(meta("default"), new FelixConfigurationSpec(Duration.ofSeconds(90),
                Duration.ofMillis(1500), "Debug", true, 1480, true, 4789, 4096, 1450, "192.0.2.100",
                EndpointToHostAction.ACCEPT, 9099, true, 9091, new RouteTableRange(1, 250), true, true, true, "cali")));
        all.add(new IPAMBlock(meta("10-244-0-0-26"), new IPAMBlockSpec("10.244.0.0/26", "host:node1", true,
                Arrays.asList(0, null, 1), List.of(1), List.of(
                        new AllocationAttribute("ipip-tunnel-addr-node1",
                                Map.of("node", "node1", "type", "ipipTunnelAddress")),
                        new AllocationAttribute("k8s-pod-network." + CONTAINER, Map.of("namespace", "prod",
                                "node", "node1", "pod", "nginx", "timestamp", "2023-04-28 12:49:33.123 +0000 UTC"))),
                true, 7L, Map.of("0", 3L, "2", 6L))));
        all.add(new BlockAffinity(meta("node1-10-244-0-0-26"), new BlockAffinitySpec(AffinityState.CONFIRMED, "node1",
                "host", "10.244.0.0/26", true)));
        all.add(new IPAMHandle(meta("k8s-pod-network." + CONTAINER), new IPAMHandleSpec("k8s-pod-network." + CONTAINER,
                Map.of("10.244.0.0/26", 1), true)));
        all.add(new IPAMConfig(meta("default"), new IPAMConfigSpec(true, true, 20)));
        all.add(new IPReservation(meta("hardware"), new IPReservationSpec(List.of("10.244.0.0/30", "10.244.1.7"))));
        all.add(new NetworkPolicy(meta("prod", "allow-web"), new NetworkPolicySpec(100.0, "app == 'web'",
                List.of(PolicyType.INGRESS, PolicyType.EGRESS),
                List.of(new Rule(Action.ALLOW, "TCP",
                        new EntityRule(List.of("10.0.0.0/8"), List.of("10.1.0.0/16"), "role == 'frontend'",
                                "role == 'test'", "env == 'prod'", List.of("80", "8000:8080", "http"), List.of("81")),
                        new EntityRule(null, null, null, null, null, List.of("443"), null), 4, "UDP", null)),
                List.of(new Rule(Action.ALLOW, "ICMP", null, new EntityRule(List.of("0.0.0.0/0"), null, null, null,
                        null, null, null), 4, null, new ICMPFields(8, 0))),
                "role == 'web'")));
        all.add(new GlobalNetworkPolicy(meta("host-protect"), new GlobalNetworkPolicySpec(1.5, "has(host-endpoint)",
                List.of(PolicyType.INGRESS, PolicyType.EGRESS),
                List.of(new Rule(Action.DENY, "ICMPv6", null, null, 6, null, new ICMPFields(128, null))),
                List.of(Rule.of(Action.PASS)), "has(projectcalico.org/name)", "all()", true, false, true)));
        all.add(new GlobalNetworkPolicy(meta("pre-dnat"), new GlobalNetworkPolicySpec(null, "all()",
                List.of(PolicyType.INGRESS), List.of(Rule.of(Action.LOG)), null, null, null, false, true, true)));
        return all;
    }
}
