package io.weft.codec.internal;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

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
import io.weft.api.model.ResourceKind;
import io.weft.api.model.RouteTableRange;
import io.weft.api.model.Rule;
import io.weft.api.model.SecretKeyRef;
import io.weft.api.model.ServiceIPBlock;
import io.weft.api.model.SourceAddress;
import io.weft.api.model.WorkloadEndpoint;
import io.weft.api.model.WorkloadEndpointPort;
import io.weft.api.model.WorkloadEndpointSpec;

/**
 * Maps parsed documents onto the model, one hand-written method per kind, with the field names
 * and Go encoding rules of Calico's v3 API. Structural problems (unknown fields, wrong types,
 * wrong apiVersion or kind) are collected in the {@link DecodeContext}; semantic validation
 * happens afterwards in {@link io.weft.codec.ResourceValidator}.
 */
final class ResourceDecoder {

    static final String API_VERSION = Resource.API_VERSION;
    private static final long MAX_UINT32 = 4_294_967_295L;
    private static final long MAX_INT32 = Integer.MAX_VALUE;

    private final DecodeContext context;

    ResourceDecoder(DecodeContext context) {
        this.context = context;
    }

    /** A resource and whether it decoded without problems (only those are defaulted and validated). */
    record Decoded(Resource resource, boolean clean) {
    }

    /** Every resource in one document: one, or the items of a list. */
    List<Decoded> document(WireNode document, String where) {
        List<Decoded> out = new ArrayList<>();
        if (document instanceof WireNode.Sequence sequence) {
            // calicoctl -o json prints several resources as a JSON array; read that back too.
            for (int i = 0; i < sequence.items().size(); i++) {
                out.addAll(document(sequence.items().get(i), where + ", item " + (i + 1)));
            }
            return out;
        }
        if (!(document instanceof WireNode.Mapping mapping)) {
            context.subject(where);
            context.add("expected a resource (a mapping with apiVersion, kind, metadata and spec), found "
                    + MappingReader.describe(document));
            return out;
        }
        String kindText = scalarText(mapping.fields().get("kind"));
        String name = peekName(mapping);
        context.subject(subject(kindText, name, where));

        MappingReader top = MappingReader.of(context, mapping, "", null);
        if (!checkApiVersion(top)) {
            return out;
        }
        String kind = top.string("kind");
        if (kind == null) {
            context.add("kind is missing; add kind: <Kind>, one of " + String.join(", ", CalicoKinds.supportedKinds()));
            return out;
        }
        if (kind.equals("List") || (kind.endsWith("List") && resolveKind(kind.substring(0, kind.length() - 4), false)
                .isPresent())) {
            return list(top, kind, where);
        }
        Optional<ResourceKind<?>> resolved = resolveKind(kind, true);
        if (resolved.isEmpty()) {
            return out;
        }
        int before = context.count();
        Resource resource = resource(resolved.get(), top);
        out.add(new Decoded(resource, context.count() == before));
        return out;
    }

    private List<Decoded> list(MappingReader top, String listKind, String where) {
        List<Decoded> out = new ArrayList<>();
        // The list's own metadata (resourceVersion, continue …) describes the listing, not the items.
        MappingReader listMeta = top.mapping("metadata", null);
        listMeta.ignore(Set.of("resourceVersion", "continue", "remainingItemCount", "selfLink"));
        listMeta.finish();
        List<WireNode> items = top.sequence("items");
        top.finish();
        if (items == null) {
            return out;
        }
        String itemKind = listKind.equals("List") ? null : listKind.substring(0, listKind.length() - 4);
        for (int i = 0; i < items.size(); i++) {
            WireNode item = items.get(i);
            String itemWhere = where + ", item " + (i + 1);
            if (itemKind != null && item instanceof WireNode.Mapping mapping) {
                String kind = scalarText(mapping.fields().get("kind"));
                String apiVersion = scalarText(mapping.fields().get("apiVersion"));
                if (kind == null || apiVersion == null) {
                    // Items of a typed list may leave kind and apiVersion to the list.
                    Map<String, WireNode> fields = new LinkedHashMap<>(mapping.fields());
                    fields.putIfAbsent("apiVersion", text(API_VERSION, mapping.line()));
                    if (kind == null) {
                        fields.put("kind", text(itemKind, mapping.line()));
                    }
                    item = new WireNode.Mapping(fields, mapping.duplicateKeys(), mapping.line());
                } else if (!kind.equals(itemKind)) {
                    context.subject(subject(kind, peekName(mapping), itemWhere));
                    context.add("a " + listKind + " can only hold " + itemKind + " items, not " + kind
                            + "; use kind: List for mixed kinds");
                    continue;
                }
            }
            out.addAll(document(item, itemWhere));
        }
        return out;
    }

    private boolean checkApiVersion(MappingReader top) {
        String apiVersion = top.string("apiVersion");
        if (API_VERSION.equals(apiVersion)) {
            return true;
        }
        if (apiVersion == null) {
            context.add("apiVersion is missing; add apiVersion: " + API_VERSION);
        } else if (apiVersion.startsWith("crd.projectcalico.org/")) {
            context.add("apiVersion " + apiVersion + " is Calico's internal CRD version (what kubectl shows); "
                    + "write apiVersion: " + API_VERSION + " as for calicoctl");
        } else if (apiVersion.startsWith("projectcalico.org/")) {
            context.add("apiVersion " + apiVersion + " is not supported; use apiVersion: " + API_VERSION);
        } else if (!apiVersion.contains(".") || apiVersion.contains("k8s.io") || apiVersion.startsWith("apps/")) {
            context.add("apiVersion " + apiVersion + " is a Kubernetes API, not a Calico resource; Weft reads "
                    + "apiVersion: " + API_VERSION + " resources only (apply this one with kubectl)");
        } else {
            context.add("apiVersion " + apiVersion + " is not a Calico resource API; use apiVersion: " + API_VERSION);
        }
        return false;
    }

    private Optional<ResourceKind<?>> resolveKind(String kind, boolean report) {
        Optional<ResourceKind<?>> resolved = CalicoKinds.byWireKind(kind);
        if (resolved.isPresent() || !report) {
            return resolved;
        }
        String known = String.join(", ", CalicoKinds.supportedKinds());
        if (CalicoKinds.UNSUPPORTED_KINDS.contains(kind)) {
            context.add("kind " + kind + " is a Calico kind that Weft does not support yet; supported kinds: " + known);
        } else {
            String hint = Suggestions.closest(kind, CalicoKinds.supportedKinds())
                    .map(s -> " (did you mean " + s + "?)").orElse("");
            context.add("unknown kind \"" + kind + "\"" + hint + "; known kinds: " + known);
        }
        return Optional.empty();
    }

    private Resource resource(ResourceKind<?> kind, MappingReader top) {
        ObjectMeta metadata = metadata(top.mapping("metadata", null));
        MappingReader spec = top.mapping("spec", CalicoKinds.wireKind(kind) + ".spec");
        Resource resource;
        if (kind == ResourceKind.IP_POOL) {
            resource = new IPPool(metadata, ipPool(spec));
        } else if (kind == ResourceKind.BGP_CONFIGURATION) {
            resource = new BGPConfiguration(metadata, bgpConfiguration(spec));
        } else if (kind == ResourceKind.BGP_PEER) {
            resource = new BGPPeer(metadata, bgpPeer(spec));
        } else if (kind == ResourceKind.NODE) {
            resource = new Node(metadata, node(spec), nodeStatus(top.mapping("status", "Node.status")));
        } else if (kind == ResourceKind.WORKLOAD_ENDPOINT) {
            resource = new WorkloadEndpoint(metadata, workloadEndpoint(spec));
        } else if (kind == ResourceKind.FELIX_CONFIGURATION) {
            resource = new FelixConfiguration(metadata, felixConfiguration(spec));
        } else if (kind == ResourceKind.IPAM_BLOCK) {
            resource = new IPAMBlock(metadata, ipamBlock(spec));
        } else if (kind == ResourceKind.BLOCK_AFFINITY) {
            resource = new BlockAffinity(metadata, blockAffinity(spec));
        } else if (kind == ResourceKind.IPAM_HANDLE) {
            resource = new IPAMHandle(metadata, ipamHandle(spec));
        } else if (kind == ResourceKind.IPAM_CONFIG) {
            resource = new IPAMConfig(metadata, ipamConfig(spec));
        } else if (kind == ResourceKind.IP_RESERVATION) {
            resource = new IPReservation(metadata, new IPReservationSpec(spec.strings("reservedCIDRs")));
        } else if (kind == ResourceKind.NETWORK_POLICY) {
            resource = new NetworkPolicy(metadata, networkPolicy(spec));
        } else if (kind == ResourceKind.GLOBAL_NETWORK_POLICY) {
            resource = new GlobalNetworkPolicy(metadata, globalNetworkPolicy(spec));
        } else {
            throw new IllegalStateException("no decoder for " + kind);
        }
        spec.finish();
        top.finish();
        return resource;
    }

    private ObjectMeta metadata(MappingReader m) {
        m.ignore(CalicoKinds.IGNORED_METADATA);
        ObjectMeta meta = new ObjectMeta(m.string("name"), m.string("namespace"), m.stringMap("labels"),
                m.stringMap("annotations"), m.string("uid"), m.string("resourceVersion"),
                timestamp(m, "creationTimestamp"));
        m.finish();
        return meta;
    }

    private Instant timestamp(MappingReader m, String field) {
        String text = m.string(field);
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            context.add(m.pathOf(field) + " \"" + text + "\" is not an RFC 3339 time such as 2023-04-28T12:49:33Z");
            return null;
        }
    }

    private IPPoolSpec ipPool(MappingReader s) {
        return new IPPoolSpec(
                s.string("cidr"),
                s.integerZeroIsUnset("blockSize", 0, 128),
                s.enumeration("ipipMode", EncapsulationMode::parse),
                s.enumeration("vxlanMode", EncapsulationMode::parse),
                s.flag("natOutgoing"),
                s.flag("disabled"),
                s.flag("disableBGPExport"),
                s.string("nodeSelector"),
                enums(s, "allowedUses", AllowedUse::parse),
                s.enumeration("assignmentMode", AssignmentMode::parse));
    }

    private BGPConfigurationSpec bgpConfiguration(MappingReader s) {
        return new BGPConfigurationSpec(
                s.string("logSeverityScreen"),
                s.bool("nodeToNodeMeshEnabled"),
                s.asNumber("asNumber"),
                serviceBlocks(s, "serviceClusterIPs"),
                serviceBlocks(s, "serviceExternalIPs"),
                serviceBlocks(s, "serviceLoadBalancerIPs"),
                s.integerZeroIsUnset("listenPort", 0, 65535),
                s.enumeration("bindMode", BindMode::parse),
                communities(s),
                prefixAdvertisements(s),
                password(s, "nodeMeshPassword"),
                s.duration("nodeMeshMaxRestartTime"));
    }

    private List<ServiceIPBlock> serviceBlocks(MappingReader s, String field) {
        List<MappingReader> items = s.mappings(field, null);
        if (items == null) {
            return null;
        }
        List<ServiceIPBlock> out = new ArrayList<>();
        for (MappingReader item : items) {
            out.add(new ServiceIPBlock(item.string("cidr")));
            item.finish();
        }
        return out;
    }

    private List<Community> communities(MappingReader s) {
        List<MappingReader> items = s.mappings("communities", null);
        if (items == null) {
            return null;
        }
        List<Community> out = new ArrayList<>();
        for (MappingReader item : items) {
            out.add(new Community(item.string("name"), item.string("value")));
            item.finish();
        }
        return out;
    }

    private List<PrefixAdvertisement> prefixAdvertisements(MappingReader s) {
        List<MappingReader> items = s.mappings("prefixAdvertisements", null);
        if (items == null) {
            return null;
        }
        List<PrefixAdvertisement> out = new ArrayList<>();
        for (MappingReader item : items) {
            out.add(new PrefixAdvertisement(item.string("cidr"), item.strings("communities")));
            item.finish();
        }
        return out;
    }

    /** {@code password: {secretKeyRef: {name, key}}}: the model keeps only the inner reference. */
    private SecretKeyRef password(MappingReader s, String field) {
        MappingReader password = s.mapping(field, null);
        if (!password.present()) {
            password.finish();
            return null;
        }
        MappingReader ref = password.mapping("secretKeyRef", "secretKeyRef");
        SecretKeyRef out = ref.present() ? new SecretKeyRef(ref.string("name"), ref.string("key")) : null;
        ref.finish();
        password.finish();
        if (out == null) {
            context.add(password.path() + " needs a secretKeyRef: " + password.path()
                    + ": {secretKeyRef: {name: <secret>, key: <key>}}");
        }
        return out;
    }

    private BGPPeerSpec bgpPeer(MappingReader s) {
        Long asNumber = s.asNumber("asNumber");
        return new BGPPeerSpec(
                s.string("node"),
                s.string("peerIP"),
                asNumber == null || asNumber == 0 ? null : asNumber,
                s.string("nodeSelector"),
                s.string("peerSelector"),
                s.flag("keepOriginalNextHop"),
                password(s, "password"),
                s.enumeration("sourceAddress", SourceAddress::parse),
                s.duration("maxRestartTime"),
                s.integer("ttlSecurity", 0, 255),
                s.strings("filters"),
                s.integer("numAllowedLocalASNumbers", Integer.MIN_VALUE, MAX_INT32),
                s.string("reachableBy"),
                s.enumeration("nextHopMode", NextHopMode::parse));
    }

    private NodeSpec node(MappingReader s) {
        MappingReader bgp = s.mapping("bgp", null);
        NodeBGPSpec bgpSpec = null;
        if (bgp.present()) {
            bgpSpec = new NodeBGPSpec(bgp.asNumber("asNumber"), bgp.string("ipv4Address"), bgp.string("ipv6Address"),
                    bgp.string("ipv4IPIPTunnelAddr"), bgp.string("routeReflectorClusterID"));
        }
        bgp.finish();
        List<OrchRef> orchRefs = null;
        List<MappingReader> refs = s.mappings("orchRefs", null);
        if (refs != null) {
            orchRefs = new ArrayList<>();
            for (MappingReader ref : refs) {
                orchRefs.add(new OrchRef(ref.string("nodeName"), ref.string("orchestrator")));
                ref.finish();
            }
        }
        List<NodeAddress> addresses = null;
        List<MappingReader> items = s.mappings("addresses", null);
        if (items != null) {
            addresses = new ArrayList<>();
            for (MappingReader item : items) {
                addresses.add(new NodeAddress(item.string("address"), item.string("type")));
                item.finish();
            }
        }
        return new NodeSpec(bgpSpec, s.string("ipv4VXLANTunnelAddr"), s.string("vxlanTunnelMACAddr"),
                s.string("ipv6VXLANTunnelAddr"), orchRefs, addresses);
    }

    private NodeStatus nodeStatus(MappingReader s) {
        NodeStatus status = new NodeStatus(s.strings("podCIDRs"));
        s.finish();
        return status;
    }

    private WorkloadEndpointSpec workloadEndpoint(MappingReader s) {
        List<IPNAT> nats = null;
        List<MappingReader> natItems = s.mappings("ipNATs", null);
        if (natItems != null) {
            nats = new ArrayList<>();
            for (MappingReader nat : natItems) {
                nats.add(new IPNAT(nat.string("internalIP"), nat.string("externalIP")));
                nat.finish();
            }
        }
        List<WorkloadEndpointPort> ports = null;
        List<MappingReader> portItems = s.mappings("ports", null);
        if (portItems != null) {
            ports = new ArrayList<>();
            for (MappingReader port : portItems) {
                Integer number = port.integer("port", 0, 65535);
                Integer hostPort = port.integer("hostPort", 0, 65535);
                ports.add(new WorkloadEndpointPort(port.string("name"), port.string("protocol"),
                        number == null ? 0 : number, hostPort == null ? 0 : hostPort, port.string("hostIP")));
                port.finish();
            }
        }
        return new WorkloadEndpointSpec(
                s.string("orchestrator"),
                s.string("workload"),
                s.string("node"),
                s.string("containerID"),
                s.string("pod"),
                s.string("endpoint"),
                s.string("serviceAccountName"),
                s.strings("ipNetworks"),
                nats,
                s.strings("profiles"),
                s.string("interfaceName"),
                s.string("mac"),
                ports);
    }

    private FelixConfigurationSpec felixConfiguration(MappingReader s) {
        MappingReader range = s.mapping("routeTableRange", null);
        RouteTableRange routeTableRange = null;
        if (range.present()) {
            Integer min = range.integer("min", Integer.MIN_VALUE, MAX_INT32);
            Integer max = range.integer("max", Integer.MIN_VALUE, MAX_INT32);
            routeTableRange = new RouteTableRange(min == null ? 0 : min, max == null ? 0 : max);
        }
        range.finish();
        return new FelixConfigurationSpec(
                s.duration("routeRefreshInterval"),
                s.duration("iptablesRefreshInterval"),
                s.string("logSeverityScreen"),
                s.bool("ipipEnabled"),
                s.integer("ipipMTU", Integer.MIN_VALUE, MAX_INT32),
                s.bool("vxlanEnabled"),
                s.integer("vxlanPort", Integer.MIN_VALUE, MAX_INT32),
                s.integer("vxlanVNI", Integer.MIN_VALUE, MAX_INT32),
                s.integer("vxlanMTU", Integer.MIN_VALUE, MAX_INT32),
                s.string("natOutgoingAddress"),
                s.enumeration("defaultEndpointToHostAction", EndpointToHostAction::parse),
                s.integer("healthPort", Integer.MIN_VALUE, MAX_INT32),
                s.bool("prometheusMetricsEnabled"),
                s.integer("prometheusMetricsPort", Integer.MIN_VALUE, MAX_INT32),
                routeTableRange,
                s.bool("bpfEnabled"),
                s.bool("wireguardEnabled"),
                s.bool("healthEnabled"),
                s.string("interfacePrefix"));
    }

    private IPAMBlockSpec ipamBlock(MappingReader s) {
        List<Integer> allocations = null;
        List<WireNode> items = s.sequence("allocations");
        if (items != null) {
            allocations = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                WireNode item = items.get(i);
                if (item instanceof WireNode.Scalar scalar && scalar.isNull()) {
                    allocations.add(null);
                } else if (item instanceof WireNode.Scalar scalar && scalar.type() == WireNode.Scalar.Type.INT
                        && scalar.integer().bitLength() < 32 && scalar.integer().signum() >= 0) {
                    allocations.add(scalar.integer().intValue());
                } else {
                    context.add(s.pathOf("allocations") + "[" + i + "] must be an attribute index or null, not "
                            + MappingReader.describe(item));
                }
            }
        }
        List<AllocationAttribute> attributes = null;
        List<MappingReader> attributeItems = s.mappings("attributes", "IPAMBlock.spec.attributes[]");
        if (attributeItems != null) {
            attributes = new ArrayList<>();
            for (MappingReader attribute : attributeItems) {
                attributes.add(new AllocationAttribute(attribute.string("handle_id"),
                        attribute.stringMap("secondary")));
                attribute.finish();
            }
        }
        Long sequenceNumber = s.longValue("sequenceNumber", 0, Long.MAX_VALUE);
        return new IPAMBlockSpec(
                s.string("cidr"),
                s.string("affinity"),
                s.flag("strictAffinity"),
                allocations,
                integers(s, "unallocated"),
                attributes,
                s.flag("deleted"),
                sequenceNumber == null ? 0L : sequenceNumber,
                s.numberMap("sequenceNumberForAllocation", 0, Long.MAX_VALUE));
    }

    private List<Integer> integers(MappingReader s, String field) {
        List<WireNode> items = s.sequence(field);
        if (items == null) {
            return null;
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            WireNode item = items.get(i);
            if (item instanceof WireNode.Scalar scalar && scalar.type() == WireNode.Scalar.Type.INT
                    && scalar.integer().bitLength() < 32) {
                out.add(scalar.integer().intValue());
            } else {
                context.add(s.pathOf(field) + "[" + i + "] must be a whole number, not " + MappingReader.describe(item));
            }
        }
        return out;
    }

    private BlockAffinitySpec blockAffinity(MappingReader s) {
        // Calico writes "deleted" as the string "true"/"false" for old releases; newer ones may write a bool.
        boolean deleted = false;
        WireNode raw = s.raw("deleted");
        if (raw instanceof WireNode.Scalar scalar && !scalar.isEmpty()) {
            if (scalar.type() == WireNode.Scalar.Type.BOOLEAN) {
                deleted = scalar.isTrue();
            } else if (scalar.text().equals("true") || scalar.text().equals("false")) {
                deleted = scalar.text().equals("true");
            } else {
                context.add(s.pathOf("deleted") + " must be \"true\" or \"false\", not " + MappingReader.describe(raw));
            }
        } else if (raw != null && !(raw instanceof WireNode.Scalar)) {
            context.add(s.pathOf("deleted") + " must be \"true\" or \"false\", not " + MappingReader.describe(raw));
        }
        return new BlockAffinitySpec(s.enumeration("state", AffinityState::parse), s.string("node"), s.string("type"),
                s.string("cidr"), deleted);
    }

    private IPAMHandleSpec ipamHandle(MappingReader s) {
        Map<String, Long> counts = s.numberMap("block", 0, MAX_INT32);
        Map<String, Integer> block = null;
        if (counts != null) {
            block = new LinkedHashMap<>();
            for (Map.Entry<String, Long> e : counts.entrySet()) {
                block.put(e.getKey(), e.getValue().intValue());
            }
        }
        return new IPAMHandleSpec(s.string("handleID"), block, s.flag("deleted"));
    }

    private IPAMConfigSpec ipamConfig(MappingReader s) {
        Boolean auto = s.bool("autoAllocateBlocks");
        // 0 is a value here (no limit), not "unset" (Weft's default of 20): keep it
        Integer maxBlocks = s.integer("maxBlocksPerHost", Integer.MIN_VALUE, MAX_INT32);
        // The CRD defaults autoAllocateBlocks to true; an absent field must not turn it off.
        return new IPAMConfigSpec(s.flag("strictAffinity"), auto == null || auto, maxBlocks);
    }

    private NetworkPolicySpec networkPolicy(MappingReader s) {
        defaultTierOnly(s);
        return new NetworkPolicySpec(
                s.decimal("order"),
                s.string("selector"),
                enums(s, "types", PolicyType::parse),
                rules(s, "ingress"),
                rules(s, "egress"),
                s.string("serviceAccountSelector"));
    }

    private GlobalNetworkPolicySpec globalNetworkPolicy(MappingReader s) {
        defaultTierOnly(s);
        return new GlobalNetworkPolicySpec(
                s.decimal("order"),
                s.string("selector"),
                enums(s, "types", PolicyType::parse),
                rules(s, "ingress"),
                rules(s, "egress"),
                s.string("namespaceSelector"),
                s.string("serviceAccountSelector"),
                s.flag("doNotTrack"),
                s.flag("preDNAT"),
                s.flag("applyOnForward"));
    }

    /** Weft has one, implicit tier; naming it is fine, naming another is not. */
    private void defaultTierOnly(MappingReader s) {
        String tier = s.string("tier");
        if (tier != null && !tier.equals("default")) {
            context.add(s.pathOf("tier") + " " + tier + ": Weft has only the default tier; remove spec.tier");
        }
    }

    private List<Rule> rules(MappingReader s, String field) {
        List<MappingReader> items = s.mappings(field, "rule");
        if (items == null) {
            return null;
        }
        List<Rule> out = new ArrayList<>();
        for (MappingReader r : items) {
            MappingReader icmp = r.mapping("icmp", null);
            ICMPFields icmpFields = icmp.present()
                    ? new ICMPFields(icmp.integer("type", Integer.MIN_VALUE, MAX_INT32),
                            icmp.integer("code", Integer.MIN_VALUE, MAX_INT32))
                    : null;
            icmp.finish();
            Long ipVersion = r.longValue("ipVersion", Integer.MIN_VALUE, MAX_INT32);
            out.add(new Rule(
                    r.enumeration("action", Action::parse),
                    protocol(r, "protocol"),
                    entityRule(r.mapping("source", "entityRule")),
                    entityRule(r.mapping("destination", "entityRule")),
                    ipVersion == null ? null : ipVersion.intValue(),
                    protocol(r, "notProtocol"),
                    icmpFields));
            r.finish();
        }
        return out;
    }

    /** Calico's protocol is a name or a number; the model keeps its text. */
    private String protocol(MappingReader r, String field) {
        return r.string(field);
    }

    private EntityRule entityRule(MappingReader e) {
        EntityRule rule = e.present()
                ? new EntityRule(e.strings("nets"), e.strings("notNets"), e.string("selector"), e.string("notSelector"),
                        e.string("namespaceSelector"), e.strings("ports"), e.strings("notPorts"))
                : null;
        e.finish();
        return rule;
    }

    private <E> List<E> enums(MappingReader s, String field, Function<String, E> parse) {
        List<String> texts = s.strings(field);
        if (texts == null) {
            return null;
        }
        List<E> out = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            E value = s.enumValue(s.pathOf(field) + "[" + i + "]", texts.get(i), parse);
            if (value != null) {
                out.add(value);
            }
        }
        return out;
    }

    private static String scalarText(WireNode node) {
        return node instanceof WireNode.Scalar scalar && !scalar.isEmpty() ? scalar.text() : null;
    }

    private static String peekName(WireNode.Mapping mapping) {
        WireNode metadata = mapping.fields().get("metadata");
        if (metadata instanceof WireNode.Mapping meta) {
            return scalarText(meta.fields().get("name"));
        }
        return null;
    }

    private static WireNode text(String value, int line) {
        return new WireNode.Scalar(WireNode.Scalar.Type.STRING, value, null, line);
    }

    /** {@code IPPool "pool1"}, or {@code IPPool (document 2)} when it has no name yet. */
    static String subject(String kind, String name, String where) {
        if (kind == null) {
            return where;
        }
        return name == null ? kind + " (" + where + ")" : kind + " \"" + name + "\"";
    }
}
