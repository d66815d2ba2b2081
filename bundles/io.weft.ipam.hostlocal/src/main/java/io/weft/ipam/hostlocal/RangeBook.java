package io.weft.ipam.hostlocal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.KeyExistsException;
import io.weft.api.datastore.KeyNotFoundException;
import io.weft.api.datastore.RevisionConflictException;
import io.weft.api.ipam.IntendedUse;
import io.weft.api.ipam.IpamException;
import io.weft.api.ipam.IpamException.Reason;
import io.weft.api.model.IPAMBlock;
import io.weft.api.model.IPAMHandle;
import io.weft.api.model.ResourceKind;
import io.weft.api.net.Cidr;
import io.weft.api.resource.InvalidResourceException;
import io.weft.api.resource.ResourceStore;

/**
 * Finds or gives a node its range. A node's {@link NodeRecord} says which range it uses; the
 * range itself is held by a {@link RangeClaim}, so two nodes never get the same one. Binding a
 * range is two compare-and-swaps, the claim first: a crash between them leaves a claim owned by
 * the node and no record, and the node's next request binds that claim rather than a new range.
 */
final class RangeBook {

    private static final Logger LOG = LoggerFactory.getLogger(RangeBook.class);

    private final ResourceStore store;
    private final RangeSettings settings;

    /** A node's record and the pool its range lies in. */
    record NodeRange(NodeRecord record, Pools.Pool pool) {
    }

    RangeBook(ResourceStore store, RangeSettings settings) {
        this.store = store;
        this.settings = settings;
    }

    Optional<NodeRecord> record(String node) throws DatastoreException {
        Optional<IPAMHandle> h = store.get(ResourceKind.IPAM_HANDLE, null, NodeRecord.name(node));
        if (h.isEmpty()) {
            return Optional.empty();
        }
        NodeRecord r = NodeRecord.of(h.get());
        if (!r.node().equals(node)) {
            throw new IllegalArgumentException("IPAMHandle \"" + NodeRecord.name(node) + "\" belongs to node "
                    + r.node() + ", not " + node);
        }
        return Optional.of(r);
    }

    /** Every node's record (one listing of the IPAMHandles, which include the block allocator's). */
    List<NodeRecord> records() throws DatastoreException {
        List<NodeRecord> out = new ArrayList<>();
        for (IPAMHandle h : store.list(ResourceKind.IPAM_HANDLE, null)) {
            if (NodeRecord.isRecord(h)) {
                out.add(NodeRecord.of(h));
            }
        }
        return out;
    }

    List<RangeClaim> claims() throws DatastoreException {
        List<RangeClaim> out = new ArrayList<>();
        for (IPAMHandle h : store.list(ResourceKind.IPAM_HANDLE, null)) {
            if (RangeClaim.isClaim(h)) {
                out.add(RangeClaim.of(h));
            }
        }
        return out;
    }

    /**
     * The node's range for a request: the one it has, unless the configuration fixes another;
     * otherwise the fixed one or a derived one, claimed and bound now.
     */
    NodeRange acquire(String node, IntendedUse use, List<Cidr> requested)
            throws DatastoreException, InvalidResourceException, IpamException {
        List<Pools.Pool> pools = Pools.eligible(store, node, use, requested);
        Cidr fixed = settings.fixed().get(node);
        for (int attempt = 0; attempt < Backoff.MAX_ATTEMPTS; attempt++) {
            Optional<NodeRecord> current = record(node);
            if (current.isPresent() && (fixed == null || fixed.equals(current.get().range()))) {
                NodeRecord rec = current.get();
                Pools.Pool pool = containing(pools, rec.range());
                if (pool == null) {
                    throw new IpamException(Reason.NO_POOL, "range " + rec.range() + " of node " + node
                            + " is not inside an eligible IPv4 pool (enabled, allowing " + useName(use)
                            + " use, selecting the node" + (requested.isEmpty() ? "" : ", requested") + ": "
                            + Pools.list(pools) + "); fix the pool, or give the node a range in one with "
                            + HostLocalConfig.PID + " ranges");
                }
                return new NodeRange(rec, pool);
            }
            Cidr target;
            Pools.Pool pool;
            if (fixed != null) {
                pool = containing(pools, fixed);
                if (pool == null) {
                    throw new IpamException(Reason.NO_POOL, "range " + fixed + " of node " + node + " ("
                            + HostLocalConfig.PID + " ranges) is not inside an eligible IPv4 pool (enabled,"
                            + " allowing " + useName(use) + " use, selecting the node: " + Pools.list(pools)
                            + "); fix the range or the pool");
                }
                claimFixed(fixed, node);
                target = fixed;
            } else {
                NodeRange derived = derive(node, pools);
                target = derived.record().range();
                pool = derived.pool();
                String owner = claim(target, node);
                if (!owner.equals(node)) {
                    // another node took it between our look and our claim: derive again
                    Backoff.pause(attempt);
                    continue;
                }
            }
            try {
                NodeRecord bound;
                if (current.isEmpty()) {
                    bound = NodeRecord.of(store.create(NodeRecord.fresh(node, target).toResource()));
                    LOG.info("node {} took range {} of IPPool \"{}\" ({})", node, target, pool.name(),
                            fixed != null ? "configured" : "derived from the node name");
                } else {
                    Cidr old = current.get().range();
                    bound = NodeRecord.of(store.update(current.get().withRange(target).toResource()));
                    boolean oldInUse = bound.allocations().keySet().stream().anyMatch(old::contains);
                    LOG.warn("node {} moved from range {} to {} as configured; {}", node, old, target, oldInUse
                            ? "the old range stays claimed until its last address is released"
                            : "the old range is free again");
                    if (!oldInUse) {
                        releaseClaim(old, node);
                    }
                }
                return new NodeRange(bound, pool);
            } catch (KeyExistsException | RevisionConflictException | KeyNotFoundException raced) {
                // another request of the node bound a range first: give ours back unless it is the same
                Optional<NodeRecord> winner = record(node);
                if (winner.isEmpty() || !winner.get().range().equals(target)) {
                    releaseClaim(target, node);
                }
                Backoff.pause(attempt);
            }
        }
        throw new IpamException(Reason.CONFLICT, "binding a range to node " + node + ": gave up after "
                + Backoff.MAX_ATTEMPTS + " compare-and-swap conflicts; try again");
    }

    /**
     * The range a node without one gets: a claim it already holds (left by an interrupted bind),
     * else the n-th network of the configured length in the first eligible pool, n a stable
     * hash of the node name, moving on past networks that overlap another node's claim or fixed
     * range or a block of the block allocator affine to another node.
     */
    private NodeRange derive(String node, List<Pools.Pool> pools) throws DatastoreException, IpamException {
        List<RangeClaim> claims = claims();
        for (RangeClaim c : claims) {
            Pools.Pool pool = containing(pools, c.range());
            if (node.equals(c.owner()) && pool != null) {
                return new NodeRange(NodeRecord.fresh(node, c.range()), pool);
            }
        }
        List<Cidr> taken = new ArrayList<>();
        for (RangeClaim c : claims) {
            if (!c.free()) {
                taken.add(c.range());
            }
        }
        for (Map.Entry<String, Cidr> e : settings.fixed().entrySet()) {
            if (!e.getKey().equals(node)) {
                taken.add(e.getValue());
            }
        }
        for (IPAMBlock b : store.list(ResourceKind.IPAM_BLOCK, null)) {
            if (!b.spec().affineHost().map(node::equals).orElse(false)) {
                try {
                    taken.add(b.spec().parsedCidr());
                } catch (IllegalArgumentException e) {
                    // unreadable: the block allocator's check reports it
                }
            }
        }
        long hash = stableHash(node);
        for (Pools.Pool pool : pools) {
            int prefix = Math.max(settings.prefixLength(), pool.cidr().prefixLength());
            long count = 1L << (prefix - pool.cidr().prefixLength());
            long start = Math.floorMod(hash, count);
            for (long i = 0; i < count; i++) {
                Cidr candidate = pool.cidr().subnet(prefix, (start + i) % count);
                if (taken.stream().noneMatch(candidate::overlaps)) {
                    return new NodeRange(NodeRecord.fresh(node, candidate), pool);
                }
            }
        }
        throw new IpamException(Reason.EXHAUSTED, "no free /" + settings.prefixLength() + " range left for node "
                + node + " in " + (pools.size() == 1 ? "pool " : "pools ") + Pools.list(pools)
                + ": every one overlaps another node's range or a block of the block IPAM; add a pool, free the"
                + " ranges of nodes that are gone (IPAMHandles " + RangeClaim.NAME_PREFIX + "*), or lower "
                + HostLocalConfig.PID + " rangePrefixLength");
    }

    private void claimFixed(Cidr fixed, String node) throws DatastoreException, InvalidResourceException, IpamException {
        for (RangeClaim c : claims()) {
            if (!c.free() && !c.owner().equals(node) && c.range().overlaps(fixed)) {
                throw heldBy(fixed, node, c);
            }
        }
        String owner = claim(fixed, node);
        if (!owner.equals(node)) {
            throw heldBy(fixed, node, new RangeClaim(fixed, owner, null));
        }
    }

    private static IpamException heldBy(Cidr fixed, String node, RangeClaim c) {
        return new IpamException(Reason.INVALID_REQUEST, "range " + fixed + " configured for node " + node
                + " overlaps range " + c.range() + " of node " + c.owner() + " (IPAMHandle " + RangeClaim.name(c.range())
                + "); give " + node + " another range in " + HostLocalConfig.PID + " ranges");
    }

    /** Claims a range for {@code node}; returns the owner afterwards ({@code node} if the claim is ours). */
    String claim(Cidr range, String node) throws DatastoreException, InvalidResourceException, IpamException {
        String name = RangeClaim.name(range);
        for (int attempt = 0; attempt < Backoff.MAX_ATTEMPTS; attempt++) {
            Optional<IPAMHandle> h = store.get(ResourceKind.IPAM_HANDLE, null, name);
            try {
                if (h.isEmpty()) {
                    store.create(new RangeClaim(range, node, null).toResource());
                    return node;
                }
                RangeClaim c = RangeClaim.of(h.get());
                if (!c.free()) {
                    return c.owner();
                }
                store.update(c.withOwner(node).toResource());
                return node;
            } catch (KeyExistsException | RevisionConflictException | KeyNotFoundException raced) {
                Backoff.pause(attempt);
            }
        }
        throw new IpamException(Reason.CONFLICT, "IPAMHandle \"" + name + "\": gave up after "
                + Backoff.MAX_ATTEMPTS + " compare-and-swap conflicts; try again");
    }

    /** Gives a claim of {@code node} back (kept, without owner); nothing if someone else holds it. */
    void releaseClaim(Cidr range, String node) throws DatastoreException, InvalidResourceException, IpamException {
        String name = RangeClaim.name(range);
        for (int attempt = 0; attempt < Backoff.MAX_ATTEMPTS; attempt++) {
            Optional<IPAMHandle> h = store.get(ResourceKind.IPAM_HANDLE, null, name);
            if (h.isEmpty()) {
                return;
            }
            RangeClaim c = RangeClaim.of(h.get());
            if (!node.equals(c.owner())) {
                return;
            }
            try {
                store.update(c.withOwner(null).toResource());
                return;
            } catch (RevisionConflictException | KeyNotFoundException raced) {
                Backoff.pause(attempt);
            }
        }
        throw new IpamException(Reason.CONFLICT, "IPAMHandle \"" + name + "\": gave up after "
                + Backoff.MAX_ATTEMPTS + " compare-and-swap conflicts; try again");
    }

    /** Frees the claims of ranges the node moved away from once it holds no address in them. */
    void releaseFormerRanges(NodeRecord rec) throws DatastoreException, InvalidResourceException, IpamException {
        for (RangeClaim c : claims()) {
            if (rec.node().equals(c.owner()) && !c.range().equals(rec.range())
                    && rec.allocations().keySet().stream().noneMatch(c.range()::contains)) {
                releaseClaim(c.range(), rec.node());
                LOG.info("node {} released its former range {}", rec.node(), c.range());
            }
        }
    }

    private static Pools.Pool containing(List<Pools.Pool> pools, Cidr range) {
        return pools.stream().filter(p -> p.cidr().contains(range)).findFirst().orElse(null);
    }

    /** The first 8 bytes of the name's SHA-256: the same on every node and JVM. */
    static long stableHash(String node) {
        return ByteBuffer.wrap(NodeRecord.sha256(node)).getLong();
    }

    static String useName(IntendedUse use) {
        return use == IntendedUse.TUNNEL ? "Tunnel" : "Workload";
    }
}
