package io.weft.ipam.hostlocal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;


import io.weft.api.datastore.DatastoreException;
import io.weft.api.ipam.IntendedUse;
import io.weft.api.ipam.IpamException;
import io.weft.api.ipam.IpamException.Reason;
import io.weft.api.model.AllowedUse;
import io.weft.api.model.AssignmentMode;
import io.weft.api.model.IPPool;
import io.weft.api.model.ResourceKind;
import io.weft.api.net.Cidr;
import io.weft.api.resource.ResourceStore;

/**
 * The IPv4 pools a node may take its range from: enabled, automatic, allowing the use, and
 * selecting the node (Calico's {@code all()} and {@code key == 'value'}; other selectors select
 * every node, with one warning), in name order so that "the first pool" is the same on every node.
 */
final class Pools {


    /** A pool by name and network. */
    record Pool(String name, Cidr cidr) {
    }

    private Pools() {
    }

    /**
     * The pools a request of {@code use} on {@code node} may draw from; {@code requested}, when
     * not empty, names them (a pod annotation) regardless of their node selector.
     */
    static List<Pool> eligible(ResourceStore store, String node, IntendedUse use, List<Cidr> requested)
            throws DatastoreException, IpamException {
        String useName = use == IntendedUse.TUNNEL ? AllowedUse.TUNNEL.wireName() : AllowedUse.WORKLOAD.wireName();
        List<IPPool> all = new ArrayList<>(store.list(ResourceKind.IP_POOL, null));
        all.sort(Comparator.comparing(p -> p.metadata().name()));
        List<Pool> out = new ArrayList<>();
        if (!requested.isEmpty()) {
            for (Cidr c : requested) {
                IPPool pool = all.stream().filter(p -> c.equals(cidrOrNull(p))).findFirst().orElse(null);
                if (pool == null || pool.spec().disabled() || !c.isIpv4() || !allows(pool, use)) {
                    throw new IpamException(Reason.NO_POOL, "requested pool " + c + " is not an enabled IPv4 IP pool"
                            + " allowing " + useName + " use" + (pool == null ? "; create it with weftctl apply"
                                    : "; check IPPool \"" + pool.metadata().name()
                                            + "\" spec.disabled and spec.allowedUses"));
                }
                out.add(new Pool(pool.metadata().name(), c));
            }
            return out;
        }
        Map<String, String> labels = null;
        for (IPPool p : all) {
            Cidr cidr = cidrOrNull(p);
            if (cidr == null || !cidr.isIpv4() || p.spec().disabled() || !allows(p, use)
                    || p.spec().effectiveAssignmentMode() != AssignmentMode.AUTOMATIC) {
                continue;
            }
            String selector = p.spec().effectiveNodeSelector();
            if (!io.weft.api.model.LabelSelector.selectsAll(selector)) {
                if (labels == null) {
                    labels = store.get(ResourceKind.NODE, null, node).map(n -> n.metadata().labels()).orElse(Map.of());
                }
                if (!matches(selector, labels)) {
                    continue;
                }
            }
            out.add(new Pool(p.metadata().name(), cidr));
        }
        if (out.isEmpty()) {
            throw new IpamException(Reason.NO_POOL, "no enabled IPv4 pool selects node " + node + " for " + useName
                    + " use; create one with weftctl apply");
        }
        return out;
    }

    static String list(List<Pool> pools) {
        return pools.stream().map(p -> p.cidr().toString()).collect(Collectors.joining(", "));
    }

    private static boolean allows(IPPool p, IntendedUse use) {
        return p.spec().effectiveAllowedUses().contains(use == IntendedUse.TUNNEL ? AllowedUse.TUNNEL
                : AllowedUse.WORKLOAD);
    }

    private static Cidr cidrOrNull(IPPool p) {
        try {
            return p.spec().parsedCidr();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static boolean matches(String selector, Map<String, String> labels) {
        return io.weft.api.model.LabelSelector.matches(selector, labels);
    }

}
