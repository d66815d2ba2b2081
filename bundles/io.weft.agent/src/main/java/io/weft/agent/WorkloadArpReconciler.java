package io.weft.agent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.weft.netlink.Batch;
import io.weft.netlink.NetlinkException;
import io.weft.netlink.Neighbour;
import io.weft.netlink.RtNetlink;

/**
 * Permanent ARP entries for local workloads ({@code <pod IP> lladdr <pod MAC> dev caliXXX}), so
 * the host never has to resolve a pod it already knows. Owns only permanent entries on interfaces
 * with the workload prefix; diffed like routes.
 */
final class WorkloadArpReconciler {

    private final RtNetlink netlink;
    private final String prefix;
    private final Map<String, Neighbour> programmed = new HashMap<>();

    WorkloadArpReconciler(RtNetlink netlink, String prefix) {
        this.netlink = netlink;
        this.prefix = prefix;
    }

    private static String key(Neighbour n) {
        return n.device() + "|" + n.address().getHostAddress();
    }

    synchronized List<String> resync(List<Neighbour> desired) throws NetlinkException {
        programmed.clear();
        for (Neighbour n : netlink.neighbours()) {
            if (n.device() != null && n.device().startsWith(prefix) && n.isPermanent()) {
                programmed.put(key(n), n);
            }
        }
        return apply(desired);
    }

    synchronized List<String> apply(List<Neighbour> desired) throws NetlinkException {
        Map<String, Neighbour> want = new HashMap<>();
        desired.forEach(n -> want.put(key(n), n));
        Batch batch = netlink.batch();
        List<String> errors = new ArrayList<>();
        List<Neighbour> added = new ArrayList<>();
        for (Map.Entry<String, Neighbour> e : want.entrySet()) {
            Neighbour have = programmed.get(e.getKey());
            if (have != null && e.getValue().mac().equalsIgnoreCase(have.mac())) {
                continue;
            }
            try {
                batch.replaceNeighbour(e.getValue());
                added.add(e.getValue());
            } catch (NetlinkException ex) {
                errors.add(ex.getMessage()); // veth not there yet
            }
        }
        List<String> removed = new ArrayList<>();
        for (Map.Entry<String, Neighbour> e : programmed.entrySet()) {
            if (!want.containsKey(e.getKey())) {
                removed.add(e.getKey());
                try {
                    batch.deleteNeighbour(e.getValue());
                } catch (NetlinkException ex) {
                    // its veth is gone, and the entry with it
                }
            }
        }
        if (batch.size() > 0) {
            for (NetlinkException ex : batch.execute().failures()) {
                if (!ex.isNotFound()) {
                    errors.add(ex.getMessage());
                }
            }
        }
        added.forEach(n -> programmed.put(key(n), n));
        removed.forEach(programmed::remove);
        return errors;
    }
}
