package io.weft.codec.internal;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.weft.api.model.AllocationAttribute;
import io.weft.api.model.BGPConfiguration;
import io.weft.api.model.BGPConfigurationSpec;
import io.weft.api.model.BGPPeer;
import io.weft.api.model.BGPPeerSpec;
import io.weft.api.model.BlockAffinity;
import io.weft.api.model.BlockAffinitySpec;
import io.weft.api.model.Community;
import io.weft.api.model.EntityRule;
import io.weft.api.model.FelixConfiguration;
import io.weft.api.model.FelixConfigurationSpec;
import io.weft.api.model.GlobalNetworkPolicy;
import io.weft.api.model.GlobalNetworkPolicySpec;
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
import io.weft.api.model.NetworkPolicy;
import io.weft.api.model.NetworkPolicySpec;
import io.weft.api.model.Node;
import io.weft.api.model.NodeAddress;
import io.weft.api.model.NodeBGPSpec;
import io.weft.api.model.NodeSpec;
import io.weft.api.model.ObjectMeta;
import io.weft.api.model.OrchRef;
import io.weft.api.model.PrefixAdvertisement;
import io.weft.api.model.Resource;
import io.weft.api.model.ResourceKind;
import io.weft.api.model.Rule;
import io.weft.api.model.SecretKeyRef;
import io.weft.api.model.ServiceIPBlock;
import io.weft.api.model.WorkloadEndpoint;
import io.weft.api.model.WorkloadEndpointPort;
import io.weft.api.model.WorkloadEndpointSpec;

/**
 * Turns resources into the value tree Calico's Go structs marshal to: {@link LinkedHashMap}s in
 * struct field order, lists, strings, numbers and booleans. Fields Go marks {@code omitempty} are
 * left out when null or empty; the others are always written, as calicoctl does.
 */
final class ResourceEncoder {

    private ResourceEncoder() {
    }

    /** One resource, in Go field order (kind, apiVersion, metadata, spec[, status]). */
    static Map<String, Object> resource(Resource resource) {
        ResourceKind<?> kind = resource.kind();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", CalicoKinds.wireKind(kind));
        out.put("apiVersion", Resource.API_VERSION);
        out.put("metadata", metadata(resource.metadata()));
        if (resource instanceof IPPool r) {
            out.put("spec", ipPool(r.spec()));
        } else if (resource instanceof BGPConfiguration r) {
            out.put("spec", bgpConfiguration(r.spec()));
        } else if (resource instanceof BGPPeer r) {
            out.put("spec", bgpPeer(r.spec()));
        } else if (resource instanceof Node r) {
            out.put("spec", node(r.spec()));
            Map<String, Object> status = new LinkedHashMap<>();
            list(status, "podCIDRs", r.status().podCIDRs(), s -> s);
            out.put("status", status);
        } else if (resource instanceof WorkloadEndpoint r) {
            out.put("spec", workloadEndpoint(r.spec()));
        } else if (resource instanceof FelixConfiguration r) {
            out.put("spec", felixConfiguration(r.spec()));
        } else if (resource instanceof IPAMBlock r) {
            out.put("spec", ipamBlock(r.spec()));
        } else if (resource instanceof BlockAffinity r) {
            out.put("spec", blockAffinity(r.spec()));
        } else if (resource instanceof IPAMHandle r) {
            out.put("spec", ipamHandle(r.spec()));
        } else if (resource instanceof IPAMConfig r) {
            out.put("spec", ipamConfig(r.spec()));
        } else if (resource instanceof IPReservation r) {
            Map<String, Object> spec = new LinkedHashMap<>();
            list(spec, "reservedCIDRs", r.spec().reservedCIDRs(), s -> s);
            out.put("spec", spec);
        } else if (resource instanceof NetworkPolicy r) {
            out.put("spec", networkPolicy(r.spec()));
        } else if (resource instanceof GlobalNetworkPolicy r) {
            out.put("spec", globalNetworkPolicy(r.spec()));
        } else {
            throw new IllegalArgumentException("cannot encode " + resource.getClass().getName());
        }
        return out;
    }

    /**
     * Several resources as calicoctl prints a listing: {@code <Kind>List} when they are all of
     * one kind, {@code List} otherwise, with the newest resourceVersion as the list's.
     */
    static Map<String, Object> list(List<? extends Resource> resources) {
        String kind = "List";
        if (!resources.isEmpty()) {
            ResourceKind<?> first = resources.get(0).kind();
            if (resources.stream().allMatch(r -> r.kind() == first)) {
                kind = CalicoKinds.wireKind(first) + "List";
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", kind);
        out.put("apiVersion", Resource.API_VERSION);
        Map<String, Object> meta = new LinkedHashMap<>();
        putString(meta, "resourceVersion", newestRevision(resources));
        out.put("metadata", meta);
        List<Object> items = new ArrayList<>();
        for (Resource r : resources) {
            items.add(resource(r));
        }
        out.put("items", items);
        return out;
    }

    /** The list's revision is at least that of its newest item; null unless all are numbers. */
    private static String newestRevision(List<? extends Resource> resources) {
        long newest = -1;
        for (Resource r : resources) {
            String rv = r.metadata().resourceVersion();
            if (rv == null || !rv.matches("[0-9]{1,18}")) {
                return null;
            }
            newest = Math.max(newest, Long.parseLong(rv));
        }
        return newest < 0 ? null : Long.toString(newest);
    }

    private static Map<String, Object> metadata(ObjectMeta m) {
        Map<String, Object> out = new LinkedHashMap<>();
        putString(out, "name", m.name());
        putString(out, "namespace", m.namespace());
        putString(out, "uid", m.uid());
        putString(out, "resourceVersion", m.resourceVersion());
        if (m.creationTimestamp() != null) {
            out.put("creationTimestamp", timestamp(m.creationTimestamp()));
        }
        putMap(out, "labels", m.labels());
        putMap(out, "annotations", m.annotations());
        return out;
    }

    /** RFC 3339 in UTC, whole seconds as Kubernetes prints them (fractions kept if present). */
    static String timestamp(Instant instant) {
        // every write of a block formats its unchanging creation time, every new handle the
        // current second: two slots remember the last two, as formatting costs more than the rest
        // of the block's metadata
        FormattedInstant a = lastFormatted;
        if (a != null && a.instant.equals(instant)) {
            return a.text;
        }
        FormattedInstant b = previousFormatted;
        if (b != null && b.instant.equals(instant)) {
            return b.text;
        }
        String text = DateTimeFormatter.ISO_INSTANT.format(instant);
        previousFormatted = a;
        lastFormatted = new FormattedInstant(instant, text);
        return text;
    }

    private record FormattedInstant(Instant instant, String text) {
    }

    /** Racy on purpose: each slot holds a consistent pair, and a lost update only costs a format. */
    private static volatile FormattedInstant lastFormatted;
    private static volatile FormattedInstant previousFormatted;

    private static Map<String, Object> ipPool(IPPoolSpec s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cidr", nullToEmpty(s.cidr()));
        if (s.vxlanMode() != null) {
            out.put("vxlanMode", s.vxlanMode().wireName());
        }
        if (s.ipipMode() != null) {
            out.put("ipipMode", s.ipipMode().wireName());
        }
        putTrue(out, "natOutgoing", s.natOutgoing());
        putTrue(out, "disabled", s.disabled());
        putTrue(out, "disableBGPExport", s.disableBGPExport());
        putNonZero(out, "blockSize", s.blockSize());
        putString(out, "nodeSelector", s.nodeSelector());
        list(out, "allowedUses", s.allowedUses(), u -> u.wireName());
        if (s.assignmentMode() != null) {
            out.put("assignmentMode", s.assignmentMode().wireName());
        }
        return out;
    }

    private static Map<String, Object> bgpConfiguration(BGPConfigurationSpec s) {
        Map<String, Object> out = new LinkedHashMap<>();
        putString(out, "logSeverityScreen", s.logSeverityScreen());
        putIfSet(out, "nodeToNodeMeshEnabled", s.nodeToNodeMeshEnabled());
        putIfSet(out, "asNumber", s.asNumber());
        list(out, "serviceLoadBalancerIPs", s.serviceLoadBalancerIPs(), ResourceEncoder::serviceBlock);
        list(out, "serviceExternalIPs", s.serviceExternalIPs(), ResourceEncoder::serviceBlock);
        list(out, "serviceClusterIPs", s.serviceClusterIPs(), ResourceEncoder::serviceBlock);
        list(out, "communities", s.communities(), ResourceEncoder::community);
        list(out, "prefixAdvertisements", s.prefixAdvertisements(), ResourceEncoder::prefixAdvertisement);
        putNonZero(out, "listenPort", s.listenPort());
        if (s.nodeMeshPassword() != null) {
            out.put("nodeMeshPassword", password(s.nodeMeshPassword()));
        }
        if (s.nodeMeshMaxRestartTime() != null) {
            out.put("nodeMeshMaxRestartTime", GoDuration.format(s.nodeMeshMaxRestartTime()));
        }
        if (s.bindMode() != null) {
            out.put("bindMode", s.bindMode().wireName());
        }
        return out;
    }

    private static Object serviceBlock(ServiceIPBlock b) {
        Map<String, Object> out = new LinkedHashMap<>();
        putString(out, "cidr", b.cidr());
        return out;
    }

    private static Object community(Community c) {
        Map<String, Object> out = new LinkedHashMap<>();
        putString(out, "name", c.name());
        putString(out, "value", c.value());
        return out;
    }

    private static Object prefixAdvertisement(PrefixAdvertisement p) {
        Map<String, Object> out = new LinkedHashMap<>();
        putString(out, "cidr", p.cidr());
        list(out, "communities", p.communities(), s -> s);
        return out;
    }

    /** {@code {secretKeyRef: {name, key}}}; Kubernetes always writes {@code key}. */
    private static Map<String, Object> password(SecretKeyRef ref) {
        Map<String, Object> inner = new LinkedHashMap<>();
        putString(inner, "name", ref.name());
        inner.put("key", nullToEmpty(ref.key()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("secretKeyRef", inner);
        return out;
    }

    private static Map<String, Object> bgpPeer(BGPPeerSpec s) {
        Map<String, Object> out = new LinkedHashMap<>();
        putString(out, "node", s.node());
        putString(out, "nodeSelector", s.nodeSelector());
        putString(out, "peerIP", s.peerIP());
        putNonZero(out, "asNumber", s.asNumber());
        putString(out, "peerSelector", s.peerSelector());
        putTrue(out, "keepOriginalNextHop", s.keepOriginalNextHop());
        if (s.nextHopMode() != null) {
            out.put("nextHopMode", s.nextHopMode().wireName());
        }
        if (s.password() != null) {
            out.put("password", password(s.password()));
        }
        if (s.sourceAddress() != null) {
            out.put("sourceAddress", s.sourceAddress().wireName());
        }
        if (s.maxRestartTime() != null) {
            out.put("maxRestartTime", GoDuration.format(s.maxRestartTime()));
        }
        putIfSet(out, "numAllowedLocalASNumbers", s.numAllowedLocalASNumbers());
        putIfSet(out, "ttlSecurity", s.ttlSecurity());
        putString(out, "reachableBy", s.reachableBy());
        list(out, "filters", s.filters(), f -> f);
        return out;
    }

    private static Map<String, Object> node(NodeSpec s) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (s.bgp() != null) {
            NodeBGPSpec b = s.bgp();
            Map<String, Object> bgp = new LinkedHashMap<>();
            putIfSet(bgp, "asNumber", b.asNumber());
            putString(bgp, "ipv4Address", b.ipv4Address());
            putString(bgp, "ipv6Address", b.ipv6Address());
            putString(bgp, "ipv4IPIPTunnelAddr", b.ipv4IPIPTunnelAddr());
            putString(bgp, "routeReflectorClusterID", b.routeReflectorClusterID());
            out.put("bgp", bgp);
        }
        putString(out, "ipv4VXLANTunnelAddr", s.ipv4VXLANTunnelAddr());
        putString(out, "vxlanTunnelMACAddr", s.vxlanTunnelMACAddr());
        putString(out, "ipv6VXLANTunnelAddr", s.ipv6VXLANTunnelAddr());
        list(out, "orchRefs", s.orchRefs(), ResourceEncoder::orchRef);
        list(out, "addresses", s.addresses(), ResourceEncoder::nodeAddress);
        return out;
    }

    private static Object orchRef(OrchRef r) {
        Map<String, Object> out = new LinkedHashMap<>();
        putString(out, "nodeName", r.nodeName());
        out.put("orchestrator", nullToEmpty(r.orchestrator()));
        return out;
    }

    private static Object nodeAddress(NodeAddress a) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("address", nullToEmpty(a.address()));
        putString(out, "type", a.type());
        return out;
    }

    private static Map<String, Object> workloadEndpoint(WorkloadEndpointSpec s) {
        Map<String, Object> out = new LinkedHashMap<>();
        putString(out, "orchestrator", s.orchestrator());
        putString(out, "workload", s.workload());
        putString(out, "node", s.node());
        putString(out, "containerID", s.containerID());
        putString(out, "pod", s.pod());
        putString(out, "endpoint", s.endpoint());
        putString(out, "serviceAccountName", s.serviceAccountName());
        list(out, "ipNetworks", s.ipNetworks(), n -> n);
        list(out, "ipNATs", s.ipNATs(), ResourceEncoder::ipNat);
        list(out, "profiles", s.profiles(), p -> p);
        putString(out, "interfaceName", s.interfaceName());
        putString(out, "mac", s.mac());
        list(out, "ports", s.ports(), ResourceEncoder::port);
        return out;
    }

    private static Object ipNat(IPNAT n) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("internalIP", nullToEmpty(n.internalIP()));
        out.put("externalIP", nullToEmpty(n.externalIP()));
        return out;
    }

    private static Object port(WorkloadEndpointPort p) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", nullToEmpty(p.name()));
        out.put("protocol", protocol(p.protocol() == null ? "" : p.protocol()));
        out.put("port", (long) p.port());
        out.put("hostPort", (long) p.hostPort());
        out.put("hostIP", nullToEmpty(p.hostIP()));
        return out;
    }

    private static Map<String, Object> felixConfiguration(FelixConfigurationSpec s) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (s.routeRefreshInterval() != null) {
            out.put("routeRefreshInterval", GoDuration.format(s.routeRefreshInterval()));
        }
        if (s.iptablesRefreshInterval() != null) {
            out.put("iptablesRefreshInterval", GoDuration.format(s.iptablesRefreshInterval()));
        }
        putString(out, "interfacePrefix", s.interfacePrefix());
        if (s.defaultEndpointToHostAction() != null) {
            out.put("defaultEndpointToHostAction", s.defaultEndpointToHostAction().wireName());
        }
        putString(out, "logSeverityScreen", s.logSeverityScreen());
        putIfSet(out, "ipipEnabled", s.ipipEnabled());
        putIfSet(out, "ipipMTU", s.ipipMTU());
        putIfSet(out, "vxlanEnabled", s.vxlanEnabled());
        putIfSet(out, "vxlanMTU", s.vxlanMTU());
        putIfSet(out, "vxlanPort", s.vxlanPort());
        putIfSet(out, "vxlanVNI", s.vxlanVNI());
        putIfSet(out, "healthEnabled", s.healthEnabled());
        putIfSet(out, "healthPort", s.healthPort());
        putIfSet(out, "prometheusMetricsEnabled", s.prometheusMetricsEnabled());
        putIfSet(out, "prometheusMetricsPort", s.prometheusMetricsPort());
        putString(out, "natOutgoingAddress", s.natOutgoingAddress());
        putIfSet(out, "bpfEnabled", s.bpfEnabled());
        if (s.routeTableRange() != null) {
            Map<String, Object> range = new LinkedHashMap<>();
            range.put("min", (long) s.routeTableRange().min());
            range.put("max", (long) s.routeTableRange().max());
            out.put("routeTableRange", range);
        }
        putIfSet(out, "wireguardEnabled", s.wireguardEnabled());
        return out;
    }

    private static Map<String, Object> ipamBlock(IPAMBlockSpec s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cidr", nullToEmpty(s.cidr()));
        putString(out, "affinity", s.affinity());
        List<Object> allocations = new ArrayList<>();
        for (Integer a : s.allocations()) {
            allocations.add(a == null ? null : (Object) a.longValue());
        }
        out.put("allocations", allocations);
        List<Object> unallocated = new ArrayList<>();
        s.unallocated().forEach(u -> unallocated.add(u.longValue()));
        out.put("unallocated", unallocated);
        List<Object> attributes = new ArrayList<>();
        for (AllocationAttribute a : s.attributes()) {
            Map<String, Object> attribute = new LinkedHashMap<>();
            putString(attribute, "handle_id", a.handleId());
            putMap(attribute, "secondary", a.secondary());
            attributes.add(attribute);
        }
        out.put("attributes", attributes);
        out.put("sequenceNumber", s.sequenceNumber());
        out.put("sequenceNumberForAllocation", new LinkedHashMap<String, Object>(s.sequenceNumberForAllocation()));
        out.put("deleted", s.deleted());
        out.put("strictAffinity", s.strictAffinity());
        return out;
    }

    private static Map<String, Object> blockAffinity(BlockAffinitySpec s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("state", s.state() == null ? "" : s.state().wireName());
        out.put("node", nullToEmpty(s.node()));
        putString(out, "type", s.type());
        out.put("cidr", nullToEmpty(s.cidr()));
        // A string, not a bool: old Calico releases read it as one.
        out.put("deleted", Boolean.toString(s.deleted()));
        return out;
    }

    private static Map<String, Object> ipamHandle(IPAMHandleSpec s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("handleID", nullToEmpty(s.handleID()));
        Map<String, Object> block = new LinkedHashMap<>();
        s.block().forEach((k, v) -> block.put(k, v.longValue()));
        out.put("block", block);
        out.put("deleted", s.deleted());
        return out;
    }

    private static Map<String, Object> ipamConfig(IPAMConfigSpec s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("strictAffinity", s.strictAffinity());
        if (s.maxBlocksPerHost() != null) {
            // written even when 0: an explicit 0 (no limit) differs from unset (the default)
            out.put("maxBlocksPerHost", s.maxBlocksPerHost().longValue());
        }
        out.put("autoAllocateBlocks", s.autoAllocateBlocks());
        return out;
    }

    private static Map<String, Object> networkPolicy(NetworkPolicySpec s) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (s.order() != null) {
            out.put("order", s.order());
        }
        list(out, "ingress", s.ingress(), ResourceEncoder::rule);
        list(out, "egress", s.egress(), ResourceEncoder::rule);
        putString(out, "selector", s.selector());
        list(out, "types", s.types(), t -> t.wireName());
        putString(out, "serviceAccountSelector", s.serviceAccountSelector());
        return out;
    }

    private static Map<String, Object> globalNetworkPolicy(GlobalNetworkPolicySpec s) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (s.order() != null) {
            out.put("order", s.order());
        }
        list(out, "ingress", s.ingress(), ResourceEncoder::rule);
        list(out, "egress", s.egress(), ResourceEncoder::rule);
        putString(out, "selector", s.selector());
        list(out, "types", s.types(), t -> t.wireName());
        putTrue(out, "doNotTrack", s.doNotTrack());
        putTrue(out, "preDNAT", s.preDNAT());
        putTrue(out, "applyOnForward", s.applyOnForward());
        putString(out, "serviceAccountSelector", s.serviceAccountSelector());
        putString(out, "namespaceSelector", s.namespaceSelector());
        return out;
    }

    private static Object rule(Rule r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("action", r.action() == null ? "" : r.action().wireName());
        putIfSet(out, "ipVersion", r.ipVersion());
        if (r.protocol() != null) {
            out.put("protocol", protocol(r.protocol()));
        }
        if (r.icmp() != null) {
            Map<String, Object> icmp = new LinkedHashMap<>();
            putIfSet(icmp, "type", r.icmp().type());
            putIfSet(icmp, "code", r.icmp().code());
            out.put("icmp", icmp);
        }
        if (r.notProtocol() != null) {
            out.put("notProtocol", protocol(r.notProtocol()));
        }
        // omitzero: an entity rule that matches everything is not written.
        Map<String, Object> source = entityRule(r.source());
        if (!source.isEmpty()) {
            out.put("source", source);
        }
        Map<String, Object> destination = entityRule(r.destination());
        if (!destination.isEmpty()) {
            out.put("destination", destination);
        }
        return out;
    }

    private static Map<String, Object> entityRule(EntityRule e) {
        Map<String, Object> out = new LinkedHashMap<>();
        list(out, "nets", e.nets(), n -> n);
        putString(out, "selector", e.selector());
        putString(out, "namespaceSelector", e.namespaceSelector());
        list(out, "ports", e.ports(), ResourceEncoder::port);
        list(out, "notNets", e.notNets(), n -> n);
        putString(out, "notSelector", e.notSelector());
        list(out, "notPorts", e.notPorts(), ResourceEncoder::port);
        return out;
    }

    /** numorstring.Port: a single port number is written as a number, ranges and names as text. */
    private static Object port(String port) {
        if (port.matches("[0-9]{1,5}")) {
            return Long.parseLong(port);
        }
        return port;
    }

    /** numorstring.Protocol: a protocol number is written as a number, names as text. */
    private static Object protocol(String protocol) {
        if (protocol.matches("[0-9]{1,3}")) {
            return Long.parseLong(protocol);
        }
        return protocol;
    }

    private static <T> void list(Map<String, Object> out, String field, List<T> values, Function<T, Object> each) {
        if (values == null || values.isEmpty()) {
            return;
        }
        List<Object> items = new ArrayList<>();
        for (T v : values) {
            items.add(each.apply(v));
        }
        out.put(field, items);
    }

    private static void putString(Map<String, Object> out, String field, String value) {
        if (value != null && !value.isEmpty()) {
            out.put(field, value);
        }
    }

    private static void putMap(Map<String, Object> out, String field, Map<String, String> value) {
        if (value != null && !value.isEmpty()) {
            out.put(field, new LinkedHashMap<String, Object>(value));
        }
    }

    private static void putTrue(Map<String, Object> out, String field, boolean value) {
        if (value) {
            out.put(field, true);
        }
    }

    /** A pointer field in Go: written whenever set, even to zero or false. */
    private static void putIfSet(Map<String, Object> out, String field, Object value) {
        if (value instanceof Integer i) {
            out.put(field, i.longValue());
        } else if (value != null) {
            out.put(field, value);
        }
    }

    /** A non-pointer number with omitempty: zero is not written. */
    private static void putNonZero(Map<String, Object> out, String field, Number value) {
        if (value != null && value.longValue() != 0) {
            out.put(field, value.longValue());
        }
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
