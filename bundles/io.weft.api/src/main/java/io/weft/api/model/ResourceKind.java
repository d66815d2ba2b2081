package io.weft.api.model;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * One kind of {@code projectcalico.org/v3} resource: its {@code kind} string, the lower-case
 * plural used in URLs, etcd keys and calicoctl, whether it lives in a namespace, its record type,
 * and the short names calicoctl accepts on the command line ({@code calicoctl get pools}).
 *
 * <p>There is one constant per kind and no public constructor, so kinds can be compared with
 * {@code ==}.
 *
 * @param <R> the record type holding resources of this kind
 */
public final class ResourceKind<R extends Resource> {

    public static final ResourceKind<IPPool> IP_POOL = new ResourceKind<>(
            "IPPool", "ippools", false, IPPool.class, IPPool::withMetadata,
            "ippool", "ippools", "ipp", "ipps", "pool", "pools");

    public static final ResourceKind<BGPConfiguration> BGP_CONFIGURATION = new ResourceKind<>(
            "BGPConfiguration", "bgpconfigurations", false, BGPConfiguration.class, BGPConfiguration::withMetadata,
            "bgpconfiguration", "bgpconfigurations", "bgpconfig", "bgpconfigs");

    public static final ResourceKind<BGPPeer> BGP_PEER = new ResourceKind<>(
            "BGPPeer", "bgppeers", false, BGPPeer.class, BGPPeer::withMetadata,
            "bgppeer", "bgppeers", "bgpp", "bgpps", "bp", "bps", "peer", "peers");

    public static final ResourceKind<Node> NODE = new ResourceKind<>(
            "Node", "nodes", false, Node.class, Node::withMetadata,
            "node", "nodes", "no", "nos");

    public static final ResourceKind<WorkloadEndpoint> WORKLOAD_ENDPOINT = new ResourceKind<>(
            "WorkloadEndpoint", "workloadendpoints", true, WorkloadEndpoint.class, WorkloadEndpoint::withMetadata,
            "workloadendpoint", "workloadendpoints", "wep", "weps");

    public static final ResourceKind<FelixConfiguration> FELIX_CONFIGURATION = new ResourceKind<>(
            "FelixConfiguration", "felixconfigurations", false, FelixConfiguration.class,
            FelixConfiguration::withMetadata,
            "felixconfiguration", "felixconfigurations", "felixconfig", "felixconfigs");

    public static final ResourceKind<IPAMBlock> IPAM_BLOCK = new ResourceKind<>(
            "IPAMBlock", "ipamblocks", false, IPAMBlock.class, IPAMBlock::withMetadata,
            "ipamblock", "ipamblocks");

    public static final ResourceKind<BlockAffinity> BLOCK_AFFINITY = new ResourceKind<>(
            "BlockAffinity", "blockaffinities", false, BlockAffinity.class, BlockAffinity::withMetadata,
            "blockaffinity", "blockaffinities");

    public static final ResourceKind<IPAMHandle> IPAM_HANDLE = new ResourceKind<>(
            "IPAMHandle", "ipamhandles", false, IPAMHandle.class, IPAMHandle::withMetadata,
            "ipamhandle", "ipamhandles");

    /**
     * Calico's public v3 API calls this kind {@code IPAMConfiguration} while its backing CRD and
     * client use {@code IPAMConfig}; both spellings resolve here.
     */
    public static final ResourceKind<IPAMConfig> IPAM_CONFIG = new ResourceKind<>(
            "IPAMConfig", "ipamconfigs", false, IPAMConfig.class, IPAMConfig::withMetadata,
            "ipamconfig", "ipamconfigs", "ipamconfiguration", "ipamconfigurations");

    public static final ResourceKind<IPReservation> IP_RESERVATION = new ResourceKind<>(
            "IPReservation", "ipreservations", false, IPReservation.class, IPReservation::withMetadata,
            "ipreservation", "ipreservations", "reservation", "reservations");

    public static final ResourceKind<NetworkPolicy> NETWORK_POLICY = new ResourceKind<>(
            "NetworkPolicy", "networkpolicies", true, NetworkPolicy.class, NetworkPolicy::withMetadata,
            "networkpolicy", "networkpolicies", "policy", "policies", "np", "pol", "pols", "netpol");

    public static final ResourceKind<GlobalNetworkPolicy> GLOBAL_NETWORK_POLICY = new ResourceKind<>(
            "GlobalNetworkPolicy", "globalnetworkpolicies", false, GlobalNetworkPolicy.class,
            GlobalNetworkPolicy::withMetadata,
            "globalnetworkpolicy", "globalnetworkpolicies", "gnp", "gnps");

    private static final List<ResourceKind<?>> ALL = List.of(
            IP_POOL, BGP_CONFIGURATION, BGP_PEER, NODE, WORKLOAD_ENDPOINT, FELIX_CONFIGURATION,
            IPAM_BLOCK, BLOCK_AFFINITY, IPAM_HANDLE, IPAM_CONFIG, IP_RESERVATION,
            NETWORK_POLICY, GLOBAL_NETWORK_POLICY);

    private static final Map<String, ResourceKind<?>> BY_NAME = index(ALL);

    private final String kind;
    private final String plural;
    private final boolean namespaced;
    private final Class<R> type;
    private final List<String> aliases;
    private final BiFunction<R, ObjectMeta, R> withMetadata;

    private ResourceKind(String kind, String plural, boolean namespaced, Class<R> type,
            BiFunction<R, ObjectMeta, R> withMetadata, String... aliases) {
        this.kind = kind;
        this.plural = plural;
        this.namespaced = namespaced;
        this.type = type;
        this.withMetadata = withMetadata;
        this.aliases = List.of(aliases);
    }

    /** Every kind, in a fixed order (pools and BGP first, policy last). */
    public static List<ResourceKind<?>> all() {
        return ALL;
    }

    /**
     * Looks a kind up the way calicoctl does: case-insensitively by kind ({@code IPPool}), plural
     * ({@code ippools}) or short name ({@code pool}).
     */
    public static Optional<ResourceKind<?>> byName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(BY_NAME.get(name.toLowerCase(Locale.ROOT)));
    }

    /** The {@code kind} string, e.g. {@code IPPool}. */
    public String kind() {
        return kind;
    }

    /** Lower-case plural, e.g. {@code ippools}. */
    public String plural() {
        return plural;
    }

    public boolean namespaced() {
        return namespaced;
    }

    public Class<R> type() {
        return type;
    }

    /** Lower-case names calicoctl accepts for this kind, including singular and plural. */
    public List<String> aliases() {
        return aliases;
    }

    /**
     * Checks that {@code resource} is of this kind and returns it typed.
     *
     * @throws IllegalArgumentException if it is of another kind
     */
    public R cast(Resource resource) {
        Objects.requireNonNull(resource, "resource");
        if (!type.isInstance(resource)) {
            throw new IllegalArgumentException(
                    "expected kind " + kind + ", got " + resource.kind() + " \"" + resource.name() + "\"");
        }
        return type.cast(resource);
    }

    /**
     * Returns a copy of {@code resource} with new metadata, so that a datastore can stamp
     * resourceVersion, uid and creation time on any kind without knowing its record type.
     *
     * @throws IllegalArgumentException if the resource is of another kind
     */
    public R withMetadata(Resource resource, ObjectMeta metadata) {
        return withMetadata.apply(cast(resource), metadata);
    }

    @Override
    public String toString() {
        return kind;
    }

    private static Map<String, ResourceKind<?>> index(List<ResourceKind<?>> kinds) {
        Map<String, ResourceKind<?>> byName = new HashMap<>();
        for (ResourceKind<?> k : kinds) {
            add(byName, k.kind, k);
            add(byName, k.plural, k);
            k.aliases.forEach(alias -> add(byName, alias, k));
        }
        return Map.copyOf(byName);
    }

    private static void add(Map<String, ResourceKind<?>> byName, String name, ResourceKind<?> kind) {
        ResourceKind<?> previous = byName.putIfAbsent(name.toLowerCase(Locale.ROOT), kind);
        if (previous != null && previous != kind) {
            throw new IllegalStateException("name '" + name + "' is used by both " + previous + " and " + kind);
        }
    }
}
