package io.weft.ipam.hostlocal;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.weft.api.datastore.DatastoreException;
import io.weft.api.model.AllocationAttribute;
import io.weft.api.model.IPAMBlock;
import io.weft.api.model.IPAMBlockSpec;
import io.weft.api.model.IPReservation;
import io.weft.api.model.ResourceKind;
import io.weft.api.net.Cidr;
import io.weft.api.resource.ResourceStore;

/**
 * Addresses of a range this provider must not hand out although no node record holds them:
 * those covered by an {@code IPReservation}, and those the block allocator handed out before a
 * swap (read from its {@code IPAMBlock}s, never written), so pods from before the swap keep
 * their addresses to themselves.
 */
final class Occupied {

    private final List<Map.Entry<String, Cidr>> reservations = new ArrayList<>();
    /** Address → handle, for addresses the block allocator holds. */
    final Map<InetAddress, String> blockHeld = new TreeMap<>(NodeRecord.ORDER);

    private Occupied() {
    }

    static Occupied read(ResourceStore store, Cidr range) throws DatastoreException {
        Occupied o = new Occupied();
        for (IPReservation r : store.list(ResourceKind.IP_RESERVATION, null)) {
            for (String text : r.spec().reservedCIDRs()) {
                try {
                    Cidr c = Cidr.parse(text);
                    if (c.overlaps(range)) {
                        o.reservations.add(Map.entry(r.metadata().name(), c));
                    }
                } catch (IllegalArgumentException e) {
                    // the codec validates reservations; an unreadable one reserves nothing
                }
            }
        }
        for (IPAMBlock b : store.list(ResourceKind.IPAM_BLOCK, null)) {
            IPAMBlockSpec spec = b.spec();
            Cidr cidr;
            try {
                cidr = spec.parsedCidr();
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (!cidr.overlaps(range)) {
                continue;
            }
            List<Integer> allocations = spec.allocations();
            for (int i = 0; i < allocations.size() && i < cidr.sizeAsLong(); i++) {
                Integer attr = allocations.get(i);
                if (attr != null) {
                    List<AllocationAttribute> attrs = spec.attributes();
                    String handle = attr >= 0 && attr < attrs.size() ? attrs.get(attr).handleId() : null;
                    o.blockHeld.put(cidr.address(i), handle == null ? "none" : handle);
                }
            }
        }
        return o;
    }

    Optional<String> reservationOf(InetAddress a) {
        return reservations.stream().filter(e -> e.getValue().contains(a)).map(Map.Entry::getKey).findFirst();
    }

    boolean taken(InetAddress a) {
        return blockHeld.containsKey(a) || reservationOf(a).isPresent();
    }
}
