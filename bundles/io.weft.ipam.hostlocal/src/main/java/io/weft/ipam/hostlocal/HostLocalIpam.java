package io.weft.ipam.hostlocal;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.KeyNotFoundException;
import io.weft.api.datastore.RevisionConflictException;
import io.weft.api.ipam.AssignRequest;
import io.weft.api.ipam.Assignment;
import io.weft.api.ipam.Assignment.AssignedAddress;
import io.weft.api.ipam.IntendedUse;
import io.weft.api.ipam.IpamException;
import io.weft.api.ipam.IpamException.Reason;
import io.weft.api.ipam.IpamService;
import io.weft.api.net.Cidr;
import io.weft.api.provider.WeftProvider;
import io.weft.api.resource.InvalidResourceException;
import io.weft.api.resource.ResourceStore;

/**
 * A simple {@link IpamService} in the manner of the host-local CNI plugin: each node owns one
 * fixed IPv4 range (configured, or derived from its name inside the first pool selecting it)
 * and hands out its addresses round-robin, skipping the network and broadcast addresses,
 * reservations, and addresses the block allocator still holds. State is kept in the resource
 * store (see {@link NodeRecord} and {@link RangeClaim}), so it survives restarts and swaps;
 * every write is a compare-and-swap retried a bounded number of times.
 */
@Component(service = IpamService.class, configurationPid = HostLocalConfig.PID)
@Designate(ocd = HostLocalConfig.class)
@WeftProvider("host-local")
public class HostLocalIpam implements IpamService {

    private static final Logger LOG = LoggerFactory.getLogger(HostLocalIpam.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile ResourceStore store;

    private volatile RangeSettings settings = RangeSettings.DEFAULTS;
    /** Why the configuration cannot be used; every call fails with it until it is fixed. */
    private volatile String configProblem;

    @Activate
    public HostLocalIpam(HostLocalConfig config) {
        configure(config);
    }

    /**
     * For plain Java use (tools, tests): a fixed store and configuration.
     *
     * @param ranges as the {@code ranges} property, e.g. {@code "n1=10.244.1.0/24"}; empty for none
     * @throws IllegalArgumentException if the configuration is invalid
     */
    public HostLocalIpam(ResourceStore store, String ranges, int rangePrefixLength) {
        this.store = store;
        this.settings = RangeSettings.parse(ranges, rangePrefixLength);
    }

    @Modified
    void configure(HostLocalConfig config) {
        try {
            settings = RangeSettings.of(config);
            configProblem = null;
            LOG.info("host-local IPAM: {} fixed range(s), derived ranges are /{}", settings.fixed().size(),
                    settings.prefixLength());
        } catch (IllegalArgumentException e) {
            configProblem = e.getMessage();
            LOG.error("{}; every IPAM request fails until etc/{}.cfg is fixed", e.getMessage(), HostLocalConfig.PID);
        }
    }

    @FunctionalInterface
    private interface StoreCall<T> {
        T run(ResourceStore store, RangeBook book) throws DatastoreException, InvalidResourceException, IpamException;
    }

    private <T> T call(String what, StoreCall<T> body) throws IpamException {
        String problem = configProblem;
        if (problem != null) {
            throw new IpamException(Reason.INVALID_REQUEST, what + ": " + problem);
        }
        ResourceStore s = store;
        if (s == null) {
            throw new IpamException(Reason.DATASTORE, "no resource store: install feature weft-core and a datastore"
                    + " (weft-datastore-embedded or weft-datastore-etcd)");
        }
        try {
            return body.run(s, new RangeBook(s, settings));
        } catch (DatastoreException e) {
            throw new IpamException(Reason.DATASTORE, what + ": " + e.getMessage(), e);
        } catch (InvalidResourceException e) {
            throw new IpamException(Reason.INVALID_REQUEST, what + ": " + String.join("; ", e.problems()), e);
        } catch (IllegalArgumentException e) {
            // a stored record this code cannot read (hand-edited)
            throw new IpamException(Reason.DATASTORE, what + ": " + e.getMessage()
                    + "; fix or delete it with weftctl", e);
        }
    }

    // ---- IpamService

    @Override
    public Assignment assign(AssignRequest request) throws IpamException {
        requireName("handle", request.handleId());
        requireName("node", request.node());
        if (request.ipv6Count() > 0) {
            throw new IpamException(Reason.NO_POOL, "host-local IPAM hands out IPv4 addresses only; handle "
                    + request.handleId() + " asks for " + request.ipv6Count()
                    + " IPv6: use feature weft-ipam-block for IPv6");
        }
        if (request.ipv4Count() == 0) {
            return new Assignment(List.of());
        }
        String node = request.node();
        return call("assign for handle " + request.handleId(), (s, book) -> {
            RangeBook.NodeRange nr = book.acquire(node, request.use(), request.ipv4Pools());
            Cidr range = nr.record().range();
            Occupied occupied = Occupied.read(s, range);
            NodeRecord.Allocation allocation = new NodeRecord.Allocation(request.handleId(), request.attributes());
            NodeRecord rec = nr.record();
            for (int attempt = 0; attempt < Backoff.MAX_ATTEMPTS; attempt++) {
                List<InetAddress> picked = pick(rec, occupied, request.ipv4Count());
                if (picked.size() < request.ipv4Count()) {
                    throw exhausted(rec, occupied, request.ipv4Count());
                }
                try {
                    s.update(rec.withAllocated(picked, allocation, picked.get(picked.size() - 1)).toResource());
                    LOG.debug("assigned {} to handle {} on node {}", picked, request.handleId(), node);
                    List<AssignedAddress> out = new ArrayList<>();
                    for (InetAddress a : picked) {
                        out.add(new AssignedAddress(a, nr.pool().cidr(), range));
                    }
                    return new Assignment(out);
                } catch (RevisionConflictException | KeyNotFoundException e) {
                    Backoff.pause(attempt);
                    rec = reread(book, node, range);
                }
            }
            throw conflict(node);
        });
    }

    @Override
    public void assignAddress(InetAddress address, String handleId, String node, IntendedUse use,
            Map<String, String> attributes) throws IpamException {
        requireName("handle", handleId);
        requireName("node", node);
        String ip = Cidr.format(address);
        if (!NodeRecord.isIpv4(address)) {
            throw new IpamException(Reason.INVALID_REQUEST, "host-local IPAM hands out IPv4 addresses only, not "
                    + ip + ": use feature weft-ipam-block for IPv6");
        }
        call("assign " + ip + " to handle " + handleId, (s, book) -> {
            RangeBook.NodeRange nr = book.acquire(node, use, List.of());
            Cidr range = nr.record().range();
            if (!range.contains(address)) {
                throw new IpamException(Reason.INVALID_REQUEST, ip + " is outside range " + range + " of node " + node
                        + "; pick an address in it, or give the node another range with " + HostLocalConfig.PID
                        + " ranges");
            }
            long offset = range.offsetOf(address);
            if (offset < firstUsable(range) || offset > lastUsable(range)) {
                throw new IpamException(Reason.INVALID_REQUEST, ip + " is the " + (offset == 0 ? "network" : "broadcast")
                        + " address of range " + range + " of node " + node + "; pick another address");
            }
            Occupied occupied = Occupied.read(s, range);
            Optional<String> reservation = occupied.reservationOf(address);
            if (reservation.isPresent()) {
                throw new IpamException(Reason.INVALID_REQUEST, ip + " is reserved by IPReservation \""
                        + reservation.get() + "\"; pick another address or remove it from the reservation");
            }
            if (occupied.blockHeld.containsKey(address)) {
                throw new IpamException(Reason.INVALID_REQUEST, ip + " is already assigned by the block IPAM (handle "
                        + occupied.blockHeld.get(address) + "); pick another address");
            }
            NodeRecord.Allocation allocation = new NodeRecord.Allocation(handleId, attributes);
            NodeRecord rec = nr.record();
            for (int attempt = 0; attempt < Backoff.MAX_ATTEMPTS; attempt++) {
                NodeRecord.Allocation holder = rec.allocations().get(address);
                if (holder != null) {
                    if (holder.handleId().equals(handleId)) {
                        return null; // a retried request
                    }
                    throw new IpamException(Reason.INVALID_REQUEST, ip + " is already assigned (handle "
                            + holder.handleId() + ")");
                }
                try {
                    s.update(rec.withAllocated(List.of(address), allocation, null).toResource());
                    return null;
                } catch (RevisionConflictException | KeyNotFoundException e) {
                    Backoff.pause(attempt);
                    rec = reread(book, node, range);
                }
            }
            throw conflict(node);
        });
    }

    @Override
    public List<InetAddress> releaseHandle(String handleId) throws IpamException {
        requireName("handle", handleId);
        return call("release handle " + handleId, (s, book) -> {
            List<InetAddress> released = new ArrayList<>();
            for (NodeRecord rec : book.records()) {
                if (rec.allocations().values().stream().anyMatch(a -> a.handleId().equals(handleId))) {
                    released.addAll(remove(s, book, rec, (ip, a) -> a.handleId().equals(handleId)));
                }
            }
            if (!released.isEmpty()) {
                LOG.debug("released handle {}: {}", handleId, released);
            }
            return sorted(released);
        });
    }

    @Override
    public List<InetAddress> releaseAddresses(List<InetAddress> addresses) throws IpamException {
        Set<InetAddress> wanted = new HashSet<>(addresses);
        return call("release " + addresses.size() + " address(es)", (s, book) -> {
            List<InetAddress> released = new ArrayList<>();
            if (wanted.isEmpty()) {
                return released;
            }
            for (NodeRecord rec : book.records()) {
                if (rec.allocations().keySet().stream().anyMatch(wanted::contains)) {
                    released.addAll(remove(s, book, rec, (ip, a) -> wanted.contains(ip)));
                }
            }
            return sorted(released);
        });
    }

    @Override
    public List<InetAddress> addressesOf(String handleId) throws IpamException {
        requireName("handle", handleId);
        return call("list the addresses of handle " + handleId, (s, book) -> {
            List<InetAddress> out = new ArrayList<>();
            for (NodeRecord rec : book.records()) {
                rec.allocations().forEach((ip, a) -> {
                    if (a.handleId().equals(handleId)) {
                        out.add(ip);
                    }
                });
            }
            return sorted(out);
        });
    }

    // ---- internals

    @FunctionalInterface
    private interface Match {
        boolean test(InetAddress ip, NodeRecord.Allocation allocation);
    }

    /** Removes the matching allocations of one node's record; idempotent, returns what it removed. */
    private static List<InetAddress> remove(ResourceStore s, RangeBook book, NodeRecord rec, Match match)
            throws DatastoreException, InvalidResourceException, IpamException {
        for (int attempt = 0; attempt < Backoff.MAX_ATTEMPTS; attempt++) {
            List<InetAddress> gone = new ArrayList<>();
            rec.allocations().forEach((ip, a) -> {
                if (match.test(ip, a)) {
                    gone.add(ip);
                }
            });
            if (gone.isEmpty()) {
                return gone;
            }
            try {
                NodeRecord after = rec.without(gone);
                s.update(after.toResource());
                if (gone.stream().anyMatch(ip -> !after.range().contains(ip))) {
                    book.releaseFormerRanges(after);
                }
                return gone;
            } catch (RevisionConflictException | KeyNotFoundException e) {
                Backoff.pause(attempt);
                Optional<NodeRecord> again = book.record(rec.node());
                if (again.isEmpty()) {
                    return List.of();
                }
                rec = again.get();
            }
        }
        throw conflict(rec.node());
    }

    private static NodeRecord reread(RangeBook book, String node, Cidr range) throws DatastoreException, IpamException {
        NodeRecord rec = book.record(node).orElseThrow(() -> new IpamException(Reason.CONFLICT, "the record of node "
                + node + " (IPAMHandle " + NodeRecord.name(node) + ") was deleted during the request; try again"));
        if (!rec.range().equals(range)) {
            throw new IpamException(Reason.CONFLICT, "node " + node + " moved from range " + range + " to "
                    + rec.range() + " during the request; try again");
        }
        return rec;
    }

    private static IpamException conflict(String node) {
        return new IpamException(Reason.CONFLICT, "IPAMHandle \"" + NodeRecord.name(node) + "\": gave up after "
                + Backoff.MAX_ATTEMPTS + " compare-and-swap conflicts; try again");
    }

    /** Offsets handed out: all but the network and broadcast address, except in /31 and /32. */
    static long firstUsable(Cidr range) {
        return range.prefixLength() >= 31 ? 0 : 1;
    }

    static long lastUsable(Cidr range) {
        long size = range.sizeAsLong();
        return range.prefixLength() >= 31 ? size - 1 : size - 2;
    }

    /**
     * Up to {@code count} free addresses, round-robin from the one after the last handed out (as
     * the host-local plugin does, so a just-released address is the last to be reused).
     */
    static List<InetAddress> pick(NodeRecord rec, Occupied occupied, int count) {
        Cidr range = rec.range();
        long first = firstUsable(range);
        long n = lastUsable(range) - first + 1;
        long start = 0;
        if (rec.last() != null && range.contains(rec.last())) {
            start = Math.floorMod(range.offsetOf(rec.last()) - first + 1, n);
        }
        List<InetAddress> out = new ArrayList<>();
        for (long i = 0; i < n && out.size() < count; i++) {
            InetAddress a = range.address(first + (start + i) % n);
            if (!rec.allocations().containsKey(a) && !occupied.taken(a)) {
                out.add(a);
            }
        }
        return out;
    }

    private static IpamException exhausted(NodeRecord rec, Occupied occupied, int wanted) {
        Cidr range = rec.range();
        long first = firstUsable(range);
        long last = lastUsable(range);
        long total = last - first + 1;
        long reserved = 0;
        long blockHeld = 0;
        for (long off = first; off <= last; off++) {
            InetAddress a = range.address(off);
            if (!rec.allocations().containsKey(a)) {
                if (occupied.blockHeld.containsKey(a)) {
                    blockHeld++;
                } else if (occupied.reservationOf(a).isPresent()) {
                    reserved++;
                }
            }
        }
        StringBuilder sb = new StringBuilder("range ").append(range).append(" of node ").append(rec.node())
                .append(" exhausted: ").append(rec.inUse()).append(" of ").append(total).append(" in use");
        if (reserved > 0) {
            sb.append(", ").append(reserved).append(" reserved by IPReservations");
        }
        if (blockHeld > 0) {
            sb.append(", ").append(blockHeld).append(" held by the block IPAM");
        }
        if (wanted > 1) {
            sb.append(" (").append(wanted).append(" asked for)");
        }
        sb.append("; release unused addresses or give the node a larger range (").append(HostLocalConfig.PID)
                .append(" ranges or rangePrefixLength)");
        return new IpamException(Reason.EXHAUSTED, sb.toString());
    }

    private static void requireName(String what, String value) throws IpamException {
        if (value == null || value.isBlank()) {
            throw new IpamException(Reason.INVALID_REQUEST, "the " + what + " must not be empty");
        }
    }

    private static List<InetAddress> sorted(List<InetAddress> addresses) {
        List<InetAddress> out = new ArrayList<>(addresses);
        out.sort(NodeRecord.ORDER);
        return out;
    }
}
