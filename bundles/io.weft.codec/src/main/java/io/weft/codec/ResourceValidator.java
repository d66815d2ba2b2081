package io.weft.codec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.weft.api.model.AllowedUse;
import io.weft.api.model.BGPConfiguration;
import io.weft.api.model.BGPConfigurationSpec;
import io.weft.api.model.BGPPeer;
import io.weft.api.model.BGPPeerSpec;
import io.weft.api.model.BlockAffinity;
import io.weft.api.model.BlockAffinitySpec;
import io.weft.api.model.Community;
import io.weft.api.model.EncapsulationMode;
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
import io.weft.api.model.PolicyType;
import io.weft.api.model.PrefixAdvertisement;
import io.weft.api.model.Resource;
import io.weft.api.model.ResourceKind;
import io.weft.api.model.Rule;
import io.weft.api.model.SecretKeyRef;
import io.weft.api.model.ServiceIPBlock;
import io.weft.api.model.WorkloadEndpoint;
import io.weft.api.model.WorkloadEndpointPort;
import io.weft.api.model.WorkloadEndpointSpec;
import io.weft.api.net.Cidr;
import io.weft.api.net.PrefixedAddress;
import io.weft.api.resource.InvalidResourceException;

/**
 * Calico's validation of projectcalico.org/v3 resources — its Go validators and the CEL rules of
 * its CRDs — with messages that name the resource, the field and the fix:
 * {@code IPPool "default-ipv4": spec.blockSize 33 is out of range 20–32}.
 *
 * <p>Validate after {@link Defaults#apply}: some rules (block size against the pool's prefix,
 * namespaces) look at defaulted values, as Calico's do.
 */
public final class ResourceValidator {

    private static final long MAX_AS_NUMBER = 4_294_967_295L;
    private static final Set<String> PROTOCOL_NAMES = Set.of("TCP", "UDP", "ICMP", "ICMPv6", "SCTP", "UDPLite");
    private static final Set<String> PORT_PROTOCOLS = Set.of("TCP", "UDP", "SCTP", "6", "17", "132");
    private static final Set<String> NODE_ADDRESS_TYPES = Set.of("CalicoNodeIP", "InternalIP", "ExternalIP");
    private static final long MAX_ANNOTATIONS_BYTES = 256 * 1024;
    private static final Pattern BLOCK_AFFINITY = Pattern.compile("^(host|virtual):[a-zA-Z0-9.\\-_]+$");

    private ResourceValidator() {
    }

    /** Every problem with {@code resource}, each a full sentence; empty when it is valid. */
    public static List<String> problems(Resource resource) {
        Problems p = new Problems(resource);
        metadata(p, resource);
        if (resource instanceof IPPool r) {
            ipPool(p, r.spec());
        } else if (resource instanceof BGPConfiguration r) {
            bgpConfiguration(p, r.spec());
        } else if (resource instanceof BGPPeer r) {
            bgpPeer(p, r.spec());
        } else if (resource instanceof Node r) {
            node(p, r.spec());
        } else if (resource instanceof WorkloadEndpoint r) {
            workloadEndpoint(p, r.spec());
        } else if (resource instanceof FelixConfiguration r) {
            felixConfiguration(p, r.spec());
        } else if (resource instanceof IPAMBlock r) {
            ipamBlock(p, r.spec());
        } else if (resource instanceof BlockAffinity r) {
            blockAffinity(p, r.spec());
        } else if (resource instanceof IPAMHandle r) {
            r.spec().block().forEach((block, count) -> {
                p.net("spec.block key", block);
                if (count < 0) {
                    p.add("spec.block[" + block + "] " + count + " must not be negative");
                }
            });
        } else if (resource instanceof IPAMConfig r) {
            ipamConfig(p, r);
        } else if (resource instanceof IPReservation r) {
            List<String> cidrs = r.spec().reservedCIDRs();
            for (int i = 0; i < cidrs.size(); i++) {
                p.net("spec.reservedCIDRs[" + i + "]", cidrs.get(i));
            }
        } else if (resource instanceof NetworkPolicy r) {
            networkPolicy(p, r.spec());
        } else if (resource instanceof GlobalNetworkPolicy r) {
            globalNetworkPolicy(p, r.spec());
        }
        return p.list;
    }

    /** @throws InvalidResourceException listing every problem */
    public static void validate(Resource resource) throws InvalidResourceException {
        validate(List.of(resource));
    }

    /** @throws InvalidResourceException listing every problem of every resource */
    public static void validate(Collection<? extends Resource> resources) throws InvalidResourceException {
        List<String> all = new ArrayList<>();
        for (Resource r : resources) {
            all.addAll(problems(r));
        }
        if (!all.isEmpty()) {
            throw new InvalidResourceException(all);
        }
    }

    /** {@code IPPool "pool1"}, as every message starts. */
    static String subject(Resource resource) {
        String kind = resource.kind() == ResourceKind.IPAM_CONFIG ? "IPAMConfiguration" : resource.kind().kind();
        String name = resource.metadata().name();
        return name == null ? kind + " (no name)" : kind + " \"" + name + "\"";
    }

    private static final class Problems {
        private final Resource resource;
        private String subject;
        final List<String> list = new ArrayList<>();

        Problems(Resource resource) {
            this.resource = resource;
        }

        void add(String message) {
            if (subject == null) {
                subject = subject(resource); // only when there is a problem: most writes have none
            }
            list.add(subject + ": " + message);
        }

        /** Calico's "net": a CIDR or an address. */
        void net(String field, String value) {
            if (value == null || value.isEmpty()) {
                add(field + " is empty; give a CIDR such as 10.96.0.0/12");
                return;
            }
            String problem = FieldChecks.netProblem(value);
            if (problem != null) {
                add(field + " \"" + value + "\" is not a valid CIDR or IP address (" + problem + ")");
            }
        }

        void ip(String field, String value, int family) {
            if (value == null) {
                return;
            }
            int actual = FieldChecks.ipFamily(value);
            if (actual == 0) {
                add(field + " \"" + value + "\" is not an IP address");
            } else if (family != 0 && actual != family) {
                add(field + " " + value + " must be an IPv" + family + " address");
            }
        }

        void name(String field, String value) {
            if (value == null) {
                return;
            }
            if (value.length() > FieldChecks.MAX_NAME_LENGTH || !FieldChecks.isDnsSubdomain(value)) {
                add(field + " \"" + value + "\" is not a valid name: use lower-case letters, digits, '-' and '.', "
                        + "starting and ending with a letter or digit, e.g. \"" + FieldChecks.suggestName(value) + "\"");
            }
        }

        void asNumber(String field, Long value) {
            if (value != null && (value < 0 || value > MAX_AS_NUMBER)) {
                add(field + " " + value + " is out of range 0–4294967295");
            }
        }

        void range(String field, Integer value, long min, long max) {
            if (value != null && (value < min || value > max)) {
                add(field + " " + value + " is out of range " + min + "–" + max);
            }
        }

        void nonNegative(String field, Duration value) {
            if (value != null && value.isNegative()) {
                add(field + " must not be negative");
            }
        }

        void secret(String field, SecretKeyRef ref) {
            if (ref == null) {
                return;
            }
            if (ref.name() == null || ref.name().isEmpty()) {
                add(field + ".secretKeyRef.name is required: the Secret holding the password");
            }
            if (ref.key() == null || ref.key().isEmpty()) {
                add(field + ".secretKeyRef.key is required: the entry of the Secret holding the password");
            } else if (!ref.key().matches("[-._a-zA-Z0-9]+")) {
                add(field + ".secretKeyRef.key \"" + ref.key() + "\" may only contain letters, digits, '-', '_' and '.'");
            }
        }

        void noGlobalSelector(String field, String selector) {
            if (selector != null && selector.contains("global(")) {
                add(field + " cannot use global(); it is only valid in a rule's namespaceSelector");
            }
        }
    }

    // ---- metadata

    private static void metadata(Problems p, Resource resource) {
        ObjectMeta m = resource.metadata();
        ResourceKind<?> kind = resource.kind();
        String name = m.name();
        if (name == null || name.isEmpty()) {
            p.add("metadata.name is required");
        } else if (kind == ResourceKind.NETWORK_POLICY || kind == ResourceKind.GLOBAL_NETWORK_POLICY) {
            boolean ok = name.length() <= FieldChecks.MAX_NAME_LENGTH && (kind == ResourceKind.NETWORK_POLICY
                    ? FieldChecks.NETWORK_POLICY_NAME : FieldChecks.GLOBAL_NETWORK_POLICY_NAME).matcher(name).matches();
            if (!ok) {
                p.add("metadata.name \"" + name + "\" is not a valid policy name: use lower-case letters, digits and"
                        + " '-', with at most one '.', e.g. \"" + FieldChecks.suggestName(name).replace('.', '-') + "\"");
            }
        } else {
            p.name("metadata.name", name);
        }
        if (kind.namespaced()) {
            String ns = m.namespace();
            if (ns == null || ns.isEmpty()) {
                p.add("metadata.namespace is required for a " + kind.kind() + " (calicoctl uses \"default\")");
            } else if (ns.length() > 63 || !FieldChecks.DNS_LABEL.matcher(ns).matches()) {
                p.add("metadata.namespace \"" + ns + "\" is not a valid namespace name (lower-case letters, digits"
                        + " and '-', at most 63)");
            }
        } else if (m.namespace() != null && !m.namespace().isEmpty()) {
            String fix = kind == ResourceKind.GLOBAL_NETWORK_POLICY
                    ? "; use a NetworkPolicy to apply policy in namespace " + m.namespace()
                    : "";
            p.add("metadata.namespace must not be set: " + kind.kind() + " is not namespaced" + fix);
        }
        m.labels().forEach((key, value) -> {
            String problem = FieldChecks.qualifiedNameProblem(key);
            if (problem != null) {
                p.add("metadata.labels key \"" + key + "\" is not valid: " + problem);
            }
            if (!FieldChecks.isLabelValue(value)) {
                p.add("metadata.labels." + key + " value \"" + value + "\" is not valid: at most 63 letters, digits,"
                        + " '-', '_' or '.', starting and ending with a letter or digit");
            }
        });
        long annotationBytes = 0;
        for (Map.Entry<String, String> e : m.annotations().entrySet()) {
            String problem = FieldChecks.qualifiedNameProblem(e.getKey().toLowerCase(Locale.ROOT));
            if (problem != null) {
                p.add("metadata.annotations key \"" + e.getKey() + "\" is not valid: " + problem);
            }
            annotationBytes += e.getKey().length() + e.getValue().length();
        }
        if (annotationBytes > MAX_ANNOTATIONS_BYTES) {
            p.add("metadata.annotations are " + annotationBytes + " bytes; the limit is " + MAX_ANNOTATIONS_BYTES);
        }
    }

    // ---- IPPool

    private static void ipPool(Problems p, IPPoolSpec s) {
        String cidr = s.cidr();
        Cidr pool = null;
        if (cidr == null || cidr.isEmpty()) {
            p.add("spec.cidr is required, e.g. cidr: 10.244.0.0/16");
        } else if (cidr.indexOf('/') < 0) {
            p.add("spec.cidr \"" + cidr + "\" must be a network with a prefix length, e.g. " + cidr + "/16");
        } else {
            try {
                pool = Cidr.parse(cidr);
                if (Defaults.strictlyMaskedCidr(cidr) == null) {
                    p.add("spec.cidr " + cidr + " has host bits set; use " + pool);
                }
                Cidr linkLocal = Cidr.parse(pool.isIpv4() ? "169.254.0.0/16" : "fe80::/10");
                if (pool.overlaps(linkLocal)) {
                    p.add("spec.cidr " + cidr + " overlaps the link-local range " + linkLocal + "; pick another range");
                }
            } catch (IllegalArgumentException e) {
                p.add("spec.cidr \"" + cidr + "\" is not a valid CIDR (" + e.getMessage() + ")");
            }
        }
        if (pool != null) {
            int blockSize = s.effectiveBlockSize();
            int min = pool.isIpv4() ? 20 : 116;
            int max = pool.isIpv4() ? 32 : 128;
            if (blockSize < min || blockSize > max) {
                p.add("spec.blockSize " + blockSize + " is out of range " + min + "–" + max + " for IPv"
                        + (pool.isIpv4() ? 4 : 6) + " pools");
            } else if (pool.prefixLength() > blockSize && !s.disabled()) {
                p.add("spec.blockSize " + blockSize + " is larger than the pool: a /" + pool.prefixLength()
                        + " pool cannot hold /" + blockSize + " blocks; use blockSize " + pool.prefixLength()
                        + " or more, or a larger cidr");
            }
            if (!pool.isIpv4() && s.effectiveIpipMode() != EncapsulationMode.NEVER) {
                p.add("spec.ipipMode " + s.effectiveIpipMode().wireName() + " is not supported on IPv6 pools;"
                        + " use vxlanMode instead, or ipipMode: Never");
            }
        }
        EncapsulationMode ipip = s.effectiveIpipMode();
        EncapsulationMode vxlan = s.effectiveVxlanMode();
        if (ipip != EncapsulationMode.NEVER && vxlan != EncapsulationMode.NEVER) {
            p.add("spec.ipipMode and spec.vxlanMode cannot both be enabled (ipipMode: " + ipip.wireName()
                    + ", vxlanMode: " + vxlan.wireName() + "); set one of them to Never");
        }
        List<AllowedUse> uses = s.effectiveAllowedUses();
        if (uses.contains(AllowedUse.LOAD_BALANCER)) {
            if (uses.contains(AllowedUse.WORKLOAD) || uses.contains(AllowedUse.TUNNEL)) {
                p.add("spec.allowedUses: LoadBalancer cannot be combined with Workload or Tunnel; use a separate pool");
            }
            if (ipip != EncapsulationMode.NEVER || vxlan != EncapsulationMode.NEVER) {
                p.add("spec.allowedUses: a LoadBalancer pool cannot have IPIP or VXLAN enabled");
            }
            if (s.disableBGPExport()) {
                p.add("spec.disableBGPExport cannot be true on a LoadBalancer pool: its addresses must be advertised");
            }
            if (!IPPoolSpec.ALL_NODES.equals(s.effectiveNodeSelector())) {
                p.add("spec.nodeSelector must be all() on a LoadBalancer pool");
            }
        }
        p.noGlobalSelector("spec.nodeSelector", s.nodeSelector());
    }

    // ---- BGP

    private static void bgpConfiguration(Problems p, BGPConfigurationSpec s) {
        if (s.logSeverityScreen() != null && !FieldChecks.LOG_SEVERITY.matcher(s.logSeverityScreen()).matches()) {
            p.add("spec.logSeverityScreen \"" + s.logSeverityScreen() + "\" is not one of Trace, Debug, Info, Warning,"
                    + " Error, Fatal");
        }
        p.asNumber("spec.asNumber", s.asNumber());
        serviceBlocks(p, "spec.serviceClusterIPs", s.serviceClusterIPs());
        serviceBlocks(p, "spec.serviceExternalIPs", s.serviceExternalIPs());
        serviceBlocks(p, "spec.serviceLoadBalancerIPs", s.serviceLoadBalancerIPs());
        p.range("spec.listenPort", s.listenPort(), 1, 65535);
        p.secret("spec.nodeMeshPassword", s.nodeMeshPassword());
        p.nonNegative("spec.nodeMeshMaxRestartTime", s.nodeMeshMaxRestartTime());
        if (Boolean.FALSE.equals(s.nodeToNodeMeshEnabled())) {
            if (s.nodeMeshPassword() != null) {
                p.add("spec.nodeMeshPassword cannot be set when nodeToNodeMeshEnabled is false");
            }
            if (s.nodeMeshMaxRestartTime() != null) {
                p.add("spec.nodeMeshMaxRestartTime cannot be set when nodeToNodeMeshEnabled is false");
            }
        }
        Set<String> names = new HashSet<>();
        List<Community> communities = s.communities();
        for (int i = 0; i < communities.size(); i++) {
            Community c = communities.get(i);
            String field = "spec.communities[" + i + "]";
            if (c.name() == null || c.name().isEmpty()) {
                p.add(field + ".name is required");
            } else {
                p.name(field + ".name", c.name());
                names.add(c.name());
            }
            if (c.value() == null || c.value().isEmpty()) {
                p.add(field + ".value is required, e.g. 65001:100");
            } else if (!isCommunityValue(c.value())) {
                p.add(field + ".value \"" + c.value() + "\" is not a community: use aa:nn (each 0–65535) or aa:nn:mm"
                        + " (each 0–4294967295)");
            }
        }
        if (!communities.isEmpty() && s.prefixAdvertisements().isEmpty()) {
            p.add("spec.communities are defined but not used: add spec.prefixAdvertisements that refer to them");
        }
        List<PrefixAdvertisement> ads = s.prefixAdvertisements();
        for (int i = 0; i < ads.size(); i++) {
            PrefixAdvertisement a = ads.get(i);
            String field = "spec.prefixAdvertisements[" + i + "]";
            p.net(field + ".cidr", a.cidr());
            if (a.communities().isEmpty()) {
                p.add(field + ".communities is required: the communities to attach");
            }
            for (String c : a.communities()) {
                if (!isCommunityValue(c) && !names.contains(c)) {
                    p.add(field + ".communities: \"" + c + "\" is neither a community value nor a name defined in"
                            + " spec.communities");
                }
            }
        }
    }

    private static void serviceBlocks(Problems p, String field, List<ServiceIPBlock> blocks) {
        for (int i = 0; i < blocks.size(); i++) {
            p.net(field + "[" + i + "].cidr", blocks.get(i).cidr());
        }
    }

    private static boolean isCommunityValue(String value) {
        String[] parts = value.split(":", -1);
        if (parts.length != 2 && parts.length != 3) {
            return false;
        }
        long max = parts.length == 2 ? 65535L : MAX_AS_NUMBER;
        for (String part : parts) {
            if (!part.matches("[0-9]{1,10}") || Long.parseLong(part) > max) {
                return false;
            }
        }
        return true;
    }

    private static void bgpPeer(Problems p, BGPPeerSpec s) {
        boolean hasNode = notEmpty(s.node());
        boolean hasNodeSelector = notEmpty(s.nodeSelector());
        boolean hasPeerIP = notEmpty(s.peerIP());
        boolean hasPeerSelector = notEmpty(s.peerSelector());
        if (hasNode && hasNodeSelector) {
            p.add("spec.node and spec.nodeSelector cannot both be set; use node for one node or nodeSelector for"
                    + " several");
        }
        if (hasPeerIP && hasPeerSelector) {
            p.add("spec.peerIP and spec.peerSelector cannot both be set; use peerIP for a remote speaker or"
                    + " peerSelector to peer with other Calico nodes");
        }
        if (hasPeerSelector && s.asNumber() != null && s.asNumber() != 0) {
            p.add("spec.asNumber must be empty when spec.peerSelector is set (each selected node's own AS is used)");
        }
        if (!hasPeerIP && !hasPeerSelector) {
            p.add("spec.peerIP is required unless spec.peerSelector is set, e.g. peerIP: 192.0.2.1");
        }
        String peerHost = null;
        if (hasPeerIP) {
            peerHost = FieldChecks.peerAddress(s.peerIP());
            if (peerHost == null) {
                p.add("spec.peerIP \"" + s.peerIP() + "\" is not an IP address, <IPv4>:<port> or [<IPv6>]:<port>");
            }
        }
        p.asNumber("spec.asNumber", s.asNumber());
        p.name("spec.node", s.node());
        if (notEmpty(s.reachableBy())) {
            if (!hasPeerIP) {
                p.add("spec.reachableBy must be empty when spec.peerIP is empty");
            }
            int family = FieldChecks.ipFamily(s.reachableBy());
            if (family == 0) {
                p.add("spec.reachableBy \"" + s.reachableBy() + "\" is not an IP address");
            } else if (peerHost != null && FieldChecks.ipFamily(peerHost) != family) {
                p.add("spec.reachableBy " + s.reachableBy() + " and spec.peerIP " + s.peerIP()
                        + " are of different address families");
            }
        }
        if (s.keepOriginalNextHop() && s.nextHopMode() != null) {
            p.add("spec.keepOriginalNextHop and spec.nextHopMode cannot both be set; keepOriginalNextHop is"
                    + " deprecated, use nextHopMode: Keep");
        }
        p.secret("spec.password", s.password());
        p.nonNegative("spec.maxRestartTime", s.maxRestartTime());
        p.range("spec.ttlSecurity", s.ttlSecurity(), 0, 255);
        p.range("spec.numAllowedLocalASNumbers", s.numAllowedLocalASNumbers(), 0, Integer.MAX_VALUE);
        for (int i = 0; i < s.filters().size(); i++) {
            p.name("spec.filters[" + i + "]", s.filters().get(i));
        }
    }

    // ---- Node

    private static void node(Problems p, NodeSpec s) {
        NodeBGPSpec bgp = s.bgp();
        if (bgp != null) {
            if (bgp.asNumber() == null && bgp.ipv4Address() == null && bgp.ipv6Address() == null
                    && bgp.ipv4IPIPTunnelAddr() == null && bgp.routeReflectorClusterID() == null) {
                p.add("spec.bgp is empty; set spec.bgp.ipv4Address (e.g. 10.0.0.11/24) or remove spec.bgp");
            }
            p.asNumber("spec.bgp.asNumber", bgp.asNumber());
            prefixedAddress(p, "spec.bgp.ipv4Address", bgp.ipv4Address(), 4);
            prefixedAddress(p, "spec.bgp.ipv6Address", bgp.ipv6Address(), 6);
            p.ip("spec.bgp.ipv4IPIPTunnelAddr", bgp.ipv4IPIPTunnelAddr(), 4);
            if (bgp.routeReflectorClusterID() != null && FieldChecks.ipFamily(bgp.routeReflectorClusterID()) != 4) {
                p.add("spec.bgp.routeReflectorClusterID \"" + bgp.routeReflectorClusterID()
                        + "\" must be written like an IPv4 address, e.g. 224.0.0.1");
            }
        }
        p.ip("spec.ipv4VXLANTunnelAddr", s.ipv4VXLANTunnelAddr(), 4);
        p.ip("spec.ipv6VXLANTunnelAddr", s.ipv6VXLANTunnelAddr(), 6);
        if (s.vxlanTunnelMACAddr() != null && !FieldChecks.isMac(s.vxlanTunnelMACAddr())) {
            p.add("spec.vxlanTunnelMACAddr \"" + s.vxlanTunnelMACAddr() + "\" is not a MAC address such as"
                    + " 66:0a:4a:c5:63:05");
        }
        List<NodeAddress> addresses = s.addresses();
        for (int i = 0; i < addresses.size(); i++) {
            NodeAddress a = addresses.get(i);
            p.net("spec.addresses[" + i + "].address", a.address());
            if (a.type() != null && !NODE_ADDRESS_TYPES.contains(a.type())) {
                p.add("spec.addresses[" + i + "].type \"" + a.type() + "\" is not one of CalicoNodeIP, InternalIP,"
                        + " ExternalIP");
            }
        }
        for (int i = 0; i < s.orchRefs().size(); i++) {
            if (s.orchRefs().get(i).orchestrator() == null) {
                p.add("spec.orchRefs[" + i + "].orchestrator is required, e.g. k8s");
            }
        }
    }

    private static void prefixedAddress(Problems p, String field, String value, int family) {
        if (value == null) {
            return;
        }
        String example = family == 4 ? "10.0.0.11/24" : "fd00::11/64";
        if (value.indexOf('/') < 0) {
            p.add(field + " \"" + value + "\" needs the prefix length of its subnet, e.g. " + value
                    + (family == 4 ? "/24" : "/64"));
            return;
        }
        try {
            PrefixedAddress address = PrefixedAddress.parse(value);
            if (address.isIpv4() != (family == 4)) {
                p.add(field + " " + value + " must be an IPv" + family + " address with prefix, e.g. " + example);
            }
        } catch (IllegalArgumentException e) {
            p.add(field + " \"" + value + "\" is not an address with prefix length such as " + example + " ("
                    + e.getMessage() + ")");
        }
    }

    // ---- WorkloadEndpoint

    private static void workloadEndpoint(Problems p, WorkloadEndpointSpec s) {
        p.name("spec.orchestrator", s.orchestrator());
        p.name("spec.workload", s.workload());
        p.name("spec.node", s.node());
        p.name("spec.pod", s.pod());
        p.name("spec.endpoint", s.endpoint());
        p.name("spec.serviceAccountName", s.serviceAccountName());
        if (s.containerID() != null && !FieldChecks.CONTAINER_ID.matcher(s.containerID()).matches()) {
            p.add("spec.containerID \"" + s.containerID() + "\" may only contain letters, digits and '-'");
        }
        for (int i = 0; i < s.ipNetworks().size(); i++) {
            p.net("spec.ipNetworks[" + i + "]", s.ipNetworks().get(i));
        }
        for (int i = 0; i < s.ipNATs().size(); i++) {
            IPNAT nat = s.ipNATs().get(i);
            String field = "spec.ipNATs[" + i + "]";
            p.ip(field + ".internalIP", nat.internalIP(), 0);
            p.ip(field + ".externalIP", nat.externalIP(), 0);
            int internal = nat.internalIP() == null ? 0 : FieldChecks.ipFamily(nat.internalIP());
            int external = nat.externalIP() == null ? 0 : FieldChecks.ipFamily(nat.externalIP());
            if (internal != 0 && external != 0 && internal != external) {
                p.add(field + ": internalIP and externalIP must be of the same IP version");
            }
            if (internal != 0 && s.ipNetworks().stream().noneMatch(n -> contains(n, nat.internalIP()))) {
                p.add(field + ".internalIP " + nat.internalIP() + " is not one of the endpoint's spec.ipNetworks");
            }
        }
        for (int i = 0; i < s.profiles().size(); i++) {
            p.name("spec.profiles[" + i + "]", s.profiles().get(i));
        }
        if (s.interfaceName() == null || !FieldChecks.INTERFACE_NAME.matcher(s.interfaceName()).matches()) {
            p.add("spec.interfaceName " + (s.interfaceName() == null ? "is required"
                    : "\"" + s.interfaceName() + "\" is not a Linux interface name (1–15 of letters, digits, '_', '.',"
                            + " '-')") + ", e.g. cali1234567890a");
        }
        if (s.mac() != null && !FieldChecks.isMac(s.mac())) {
            p.add("spec.mac \"" + s.mac() + "\" is not a MAC address");
        }
        for (int i = 0; i < s.ports().size(); i++) {
            WorkloadEndpointPort port = s.ports().get(i);
            String field = "spec.ports[" + i + "]";
            if (port.name() == null || port.name().isEmpty()) {
                if (port.hostPort() == 0) {
                    p.add(field + ".name is required unless hostPort is set");
                }
            } else if (!isPortName(port.name())) {
                p.add(field + ".name \"" + port.name() + "\" is not a valid port name (up to 15 lower-case letters,"
                        + " digits and '-', with at least one letter)");
            }
            if (port.protocol() == null || !PORT_PROTOCOLS.contains(port.protocol())) {
                p.add(field + ".protocol \"" + (port.protocol() == null ? "" : port.protocol())
                        + "\" does not have ports; use TCP, UDP or SCTP");
            }
            if (port.port() < 1 || port.port() > 65535) {
                p.add(field + ".port " + port.port() + " is out of range 1–65535");
            }
            if (port.hostPort() < 0 || port.hostPort() > 65535) {
                p.add(field + ".hostPort " + port.hostPort() + " is out of range 0–65535");
            }
            if (port.hostIP() != null && !port.hostIP().isEmpty()) {
                p.net(field + ".hostIP", port.hostIP());
            }
        }
    }

    private static boolean isPortName(String name) {
        return FieldChecks.PORT_NAME.matcher(name).matches() && name.chars().anyMatch(Character::isLetter)
                && !name.contains("--");
    }

    private static boolean contains(String network, String address) {
        try {
            return Cidr.parse(network).contains(Cidr.parseAddress(address));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    // ---- FelixConfiguration

    private static void felixConfiguration(Problems p, FelixConfigurationSpec s) {
        p.nonNegative("spec.routeRefreshInterval", s.routeRefreshInterval());
        p.nonNegative("spec.iptablesRefreshInterval", s.iptablesRefreshInterval());
        if (s.logSeverityScreen() != null && !FieldChecks.LOG_SEVERITY.matcher(s.logSeverityScreen()).matches()) {
            p.add("spec.logSeverityScreen \"" + s.logSeverityScreen() + "\" is not one of Trace, Debug, Info, Warning,"
                    + " Error, Fatal");
        }
        p.range("spec.ipipMTU", s.ipipMTU(), 0, 65535);
        p.range("spec.vxlanMTU", s.vxlanMTU(), 0, 65535);
        p.range("spec.vxlanPort", s.vxlanPort(), 0, 65535);
        p.range("spec.vxlanVNI", s.vxlanVNI(), 0, 16_777_215);
        p.range("spec.healthPort", s.healthPort(), 0, 65535);
        p.range("spec.prometheusMetricsPort", s.prometheusMetricsPort(), 0, 65535);
        if (s.natOutgoingAddress() != null && FieldChecks.ipFamily(s.natOutgoingAddress()) != 4) {
            p.add("spec.natOutgoingAddress \"" + s.natOutgoingAddress() + "\" must be a valid IPv4 address");
        }
        if (s.routeTableRange() != null) {
            int min = s.routeTableRange().min();
            int max = s.routeTableRange().max();
            if (min < 1 || max < min || max > 250) {
                p.add("spec.routeTableRange " + min + "–" + max + " must be a range of route table indices within"
                        + " 1–250");
            }
        }
        if (s.interfacePrefix() != null && !s.interfacePrefix().matches("[a-zA-Z0-9_-]{1,15}(,[a-zA-Z0-9_-]{1,15})*")) {
            p.add("spec.interfacePrefix \"" + s.interfacePrefix() + "\" must be interface name prefixes separated by"
                    + " commas, e.g. cali");
        }
    }

    // ---- IPAM

    private static void ipamBlock(Problems p, IPAMBlockSpec s) {
        if (s.cidr() == null) {
            p.add("spec.cidr is required");
        } else if (Defaults.strictlyMaskedCidr(s.cidr()) == null) {
            p.add("spec.cidr \"" + s.cidr() + "\" is not a network in CIDR form such as 10.244.0.0/26");
        }
        if (s.affinity() != null && !BLOCK_AFFINITY.matcher(s.affinity()).matches()) {
            p.add("spec.affinity \"" + s.affinity() + "\" must be host:<node> or virtual:<node>");
        }
        for (int i = 0; i < s.allocations().size(); i++) {
            Integer a = s.allocations().get(i);
            if (a != null && (a < 0 || a >= s.attributes().size())) {
                p.add("spec.allocations[" + i + "] " + a + " refers to no entry of spec.attributes");
            }
        }
    }

    private static void blockAffinity(Problems p, BlockAffinitySpec s) {
        if (s.cidr() == null || Defaults.strictlyMaskedCidr(s.cidr()) == null) {
            p.add("spec.cidr " + (s.cidr() == null ? "is required" : "\"" + s.cidr() + "\" is not a block CIDR"));
        }
        if (s.node() == null) {
            p.add("spec.node is required");
        }
    }

    private static void ipamConfig(Problems p, IPAMConfig config) {
        if (config.metadata().name() != null && !IPAMConfig.DEFAULT_NAME.equals(config.metadata().name())) {
            p.add("metadata.name must be \"default\": Calico reads only the IPAM configuration named default");
        }
        IPAMConfigSpec s = config.spec();
        p.range("spec.maxBlocksPerHost", s.maxBlocksPerHost(), 0, 1_000_000);
        if (!s.autoAllocateBlocks() && !s.strictAffinity()) {
            p.add("spec.autoAllocateBlocks: false needs spec.strictAffinity: true, or nodes could get no addresses");
        }
    }

    // ---- policy

    private static void networkPolicy(Problems p, NetworkPolicySpec s) {
        policyCommon(p, s.order(), s.types(), s.ingress(), s.egress());
        p.noGlobalSelector("spec.selector", s.selector());
        p.noGlobalSelector("spec.serviceAccountSelector", s.serviceAccountSelector());
    }

    private static void globalNetworkPolicy(Problems p, GlobalNetworkPolicySpec s) {
        policyCommon(p, s.order(), s.types(), s.ingress(), s.egress());
        p.noGlobalSelector("spec.selector", s.selector());
        p.noGlobalSelector("spec.serviceAccountSelector", s.serviceAccountSelector());
        p.noGlobalSelector("spec.namespaceSelector", s.namespaceSelector());
        if (s.doNotTrack() && s.preDNAT()) {
            p.add("spec.preDNAT and spec.doNotTrack cannot both be true");
        }
        if (s.preDNAT() && !s.egress().isEmpty()) {
            p.add("spec.preDNAT policy cannot have egress rules");
        }
        if (s.preDNAT() && s.types().contains(PolicyType.EGRESS)) {
            p.add("spec.preDNAT policy cannot have the Egress type");
        }
        if ((s.preDNAT() || s.doNotTrack()) && !s.applyOnForward()) {
            p.add("spec.applyOnForward must be true when preDNAT or doNotTrack is true");
        }
    }

    private static void policyCommon(Problems p, Double order, List<PolicyType> types, List<Rule> ingress,
            List<Rule> egress) {
        if (order != null && (order.isNaN() || order.isInfinite())) {
            p.add("spec.order must be a finite number");
        }
        Set<PolicyType> seen = new HashSet<>();
        for (PolicyType t : types) {
            if (!seen.add(t)) {
                p.add("spec.types: '" + t.wireName() + "' is given more than once");
            }
        }
        for (int i = 0; i < ingress.size(); i++) {
            rule(p, "spec.ingress[" + i + "]", ingress.get(i));
        }
        for (int i = 0; i < egress.size(); i++) {
            rule(p, "spec.egress[" + i + "]", egress.get(i));
        }
    }

    private static void rule(Problems p, String field, Rule r) {
        if (r.action() == null) {
            p.add(field + ".action is required: Allow, Deny, Log or Pass");
        }
        protocol(p, field + ".protocol", r.protocol());
        protocol(p, field + ".notProtocol", r.notProtocol());
        if (r.ipVersion() != null && r.ipVersion() != 4 && r.ipVersion() != 6) {
            p.add(field + ".ipVersion " + r.ipVersion() + " must be 4 or 6");
        }
        boolean portsAllowed = r.protocol() == null || PORT_PROTOCOLS.contains(r.protocol());
        entity(p, field + ".source", r.source(), r.protocol() == null, portsAllowed);
        entity(p, field + ".destination", r.destination(), r.protocol() == null, portsAllowed);
        String proto = r.protocol();
        if (r.icmp() != null) {
            if (!("ICMP".equals(proto) || "ICMPv6".equals(proto) || "1".equals(proto) || "58".equals(proto))) {
                p.add(field + ".icmp needs protocol: ICMP or ICMPv6");
            }
            p.range(field + ".icmp.type", r.icmp().type(), 0, 254);
            p.range(field + ".icmp.code", r.icmp().code(), 0, 255);
            if (r.icmp().code() != null && r.icmp().type() == null) {
                p.add(field + ".icmp.code needs an icmp.type");
            }
        }
        for (String[] pair : new String[][] {{"protocol", proto}, {"notProtocol", r.notProtocol()}}) {
            String value = pair[1];
            if (("ICMP".equals(value) || "1".equals(value)) && r.ipVersion() != null && r.ipVersion() != 4) {
                p.add(field + "." + pair[0] + " ICMP requires ipVersion 4");
            }
            if (("ICMPv6".equals(value) || "58".equals(value)) && r.ipVersion() != null && r.ipVersion() != 6) {
                p.add(field + "." + pair[0] + " ICMPv6 requires ipVersion 6");
            }
        }
        int family = 0;
        for (String[] nets : new String[][] {r.source().nets().toArray(String[]::new),
                r.source().notNets().toArray(String[]::new), r.destination().nets().toArray(String[]::new),
                r.destination().notNets().toArray(String[]::new)}) {
            for (String n : nets) {
                int f = FieldChecks.netFamily(n);
                if (f == 0) {
                    continue;
                }
                if (family != 0 && f != family) {
                    p.add(field + " mixes IPv4 and IPv6 networks; split it into two rules");
                    return;
                }
                family = f;
                if (r.ipVersion() != null && r.ipVersion() != f) {
                    p.add(field + ".ipVersion " + r.ipVersion() + " does not match the IPv" + f + " network " + n);
                    return;
                }
            }
        }
    }

    private static void protocol(Problems p, String field, String protocol) {
        if (protocol == null) {
            return;
        }
        if (protocol.matches("[0-9]{1,3}")) {
            int n = Integer.parseInt(protocol);
            if (n < 1 || n > 255) {
                p.add(field + " " + protocol + " is not a protocol number 1–255");
            }
            return;
        }
        if (!PROTOCOL_NAMES.contains(protocol)) {
            String hint = PROTOCOL_NAMES.stream().filter(n -> n.equalsIgnoreCase(protocol)).findFirst()
                    .map(n -> "; did you mean " + n + "?").orElse("");
            p.add(field + " \"" + protocol + "\" is not one of TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or a number 1–255"
                    + hint);
        }
    }

    private static void entity(Problems p, String field, EntityRule e, boolean noProtocol, boolean portsAllowed) {
        for (int i = 0; i < e.nets().size(); i++) {
            p.net(field + ".nets[" + i + "]", e.nets().get(i));
        }
        for (int i = 0; i < e.notNets().size(); i++) {
            String n = e.notNets().get(i);
            p.net(field + ".notNets[" + i + "]", n);
            if ("0.0.0.0/0".equals(n) || "::/0".equals(n)) {
                p.add(field + ".notNets[" + i + "] " + n + " excludes everything, so the rule can never match");
            }
        }
        p.noGlobalSelector(field + ".selector", e.selector());
        p.noGlobalSelector(field + ".notSelector", e.notSelector());
        ports(p, field + ".ports", e.ports(), noProtocol, portsAllowed);
        ports(p, field + ".notPorts", e.notPorts(), noProtocol, portsAllowed);
    }

    private static void ports(Problems p, String field, List<String> ports, boolean noProtocol, boolean portsAllowed) {
        for (int i = 0; i < ports.size(); i++) {
            String port = ports.get(i);
            String item = field + "[" + i + "]";
            boolean numeric = port.matches("[0-9]+(:[0-9]+)?");
            if (numeric) {
                String[] parts = port.split(":");
                long min = parts[0].length() > 6 ? Long.MAX_VALUE : Long.parseLong(parts[0]);
                long max = parts.length > 1 ? (parts[1].length() > 6 ? Long.MAX_VALUE : Long.parseLong(parts[1])) : min;
                if (min < 1 || max > 65535) {
                    p.add(item + " " + port + ": port numbers must be between 1 and 65535");
                } else if (min > max) {
                    p.add(item + " " + port + ": the range starts after it ends");
                }
                if (noProtocol) {
                    p.add(item + ": rules with numeric ports or port ranges must set protocol to TCP, UDP or SCTP");
                }
            } else if (!isPortName(port)) {
                p.add(item + " \"" + port + "\" is not a port number, a range such as 8000:8080, or a port name");
            }
            if (!portsAllowed) {
                p.add(item + ": rules that specify ports must set protocol to TCP, UDP or SCTP");
            }
        }
    }

    private static boolean notEmpty(String s) {
        return s != null && !s.isEmpty();
    }
}
