package io.weft.ipam.block;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Collectors;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
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
import io.weft.api.model.IPAMBlock;
import io.weft.api.model.IPAMHandle;
import io.weft.api.model.ResourceKind;
import io.weft.api.net.Cidr;
import io.weft.api.provider.WeftProvider;
import io.weft.api.resource.InvalidResourceException;
import io.weft.api.resource.ResourceStore;

/**
 * Calico's block-affinity IPAM over a {@link ResourceStore}: IP pools are cut into blocks (a
 * /26 by default), a node claims blocks and hands out their addresses, and every write is a
 * compare-and-swap retried on a lost race, so any number of nodes can allocate against one
 * datastore without a lock. The resources are Calico's (IPAMBlock, BlockAffinity, IPAMHandle),
 * named as Calico names them.
 *
 * <p>Writes are ordered so that a crash between two of them leaves something
 * {@link #check()} reports and {@link #repair()} (or the node's next allocation) corrects,
 * never an address nobody can release. A claim writes the BlockAffinity {@code pending}, then
 * the block, then the affinity {@code confirmed}; an allocation counts its IPAMHandle up before
 * it writes the block, a release writes the block before it counts the handle down.
 */
@Component(service = IpamService.class)
@WeftProvider("block")
public class BlockIpam implements IpamService {

    private static final Logger LOG = LoggerFactory.getLogger(BlockIpam.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile ResourceStore store;

    /** Calls take the read side; {@link #repair} the write side, so it never sees this node's own writes half-done. */
    private final ReadWriteLock repairLock = new ReentrantReadWriteLock();
    private final IpamRepair repairs = new IpamRepair();
    private final BlockReleaser releaser = new BlockReleaser(System::nanoTime);
    /** Each node's blocks as of its last full assignment pass, for the store they were read from. */
    private volatile HeldBlocks heldBlocks = new HeldBlocks(null);
    private volatile LastWritten lastWritten = new LastWritten(null);
    /** Pools, IPAMConfig and reservations from watches, created on the first assignment. */
    private volatile SettingsCache settingsCache;

    @Activate
    public BlockIpam() {
    }

    /** For plain Java use (tools, tests): a fixed store. */
    public BlockIpam(ResourceStore store) {
        this.store = store;
    }

    @FunctionalInterface
    private interface StoreCall<T> {
        T run(ResourceStore store) throws DatastoreException, InvalidResourceException, IpamException;
    }

    private <T> T call(String what, boolean exclusive, StoreCall<T> body) throws IpamException {
        ResourceStore s = store;
        if (s == null) {
            throw new IpamException(Reason.DATASTORE, "no resource store: install feature weft-core and a datastore"
                    + " (weft-datastore-embedded or weft-datastore-etcd)");
        }
        var lock = exclusive ? repairLock.writeLock() : repairLock.readLock();
        lock.lock();
        try {
            return body.run(s);
        } catch (DatastoreException e) {
            throw new IpamException(Reason.DATASTORE, what + ": " + e.getMessage(), e);
        } catch (InvalidResourceException e) {
            throw new IpamException(Reason.INVALID_REQUEST, what + ": " + String.join("; ", e.problems()), e);
        } catch (IllegalArgumentException e) {
            // stored IPAM data this code cannot interpret (a hand-edited or foreign block)
            throw new IpamException(Reason.DATASTORE, what + ": " + e.getMessage() + "; run ipam check", e);
        } finally {
            lock.unlock();
        }
    }

    // ---- IpamService

    @Override
    public Assignment assign(AssignRequest request) throws IpamException {
        requireName("handle", request.handleId());
        requireName("node", request.node());
        if (request.ipv4Count() < 0 || request.ipv6Count() < 0) {
            throw new IpamException(Reason.INVALID_REQUEST, "address counts must not be negative");
        }
        return call("assign for handle " + request.handleId(), false, s -> {
            IpamSettings watched = settings(s).get();
            try {
                return assign(s, watched, request);
            } catch (IpamException e) {
                if (e.reason() != Reason.NO_POOL && e.reason() != Reason.EXHAUSTED) {
                    throw e;
                }
                // the watched settings may be a moment behind (a pool just created): fail only on fresh ones
                IpamSettings fresh = IpamSettings.load(s);
                if (fresh.sameAs(watched)) {
                    throw e;
                }
                return assign(s, fresh, request);
            }
        });
    }

    private Assignment assign(ResourceStore s, IpamSettings settings, AssignRequest request)
            throws DatastoreException, InvalidResourceException, IpamException {
        NodeLabels labels = new NodeLabels(s, request.node());
        List<Pool> v4 = request.ipv4Count() > 0
                ? eligiblePools(settings, request, true, labels) : List.of();
        List<Pool> v6 = request.ipv6Count() > 0
                ? eligiblePools(settings, request, false, labels) : List.of();
        Map<String, String> attributes = new HashMap<>(request.attributes());
        attributes.putIfAbsent("node", request.node());

        HandleBook handles = new HandleBook(s);
        BlockWriter blocks = new BlockWriter(s, handles, lastWritten(s));
        AutoAssigner assigner = new AutoAssigner(s, settings, blocks, new BlockClaims(s, blocks),
                heldBlocks(s));
        List<AssignedAddress> all = new ArrayList<>();
        List<AssignedAddress> family = new ArrayList<>();
        try {
            for (boolean ipv4 : new boolean[] {true, false}) {
                int count = ipv4 ? request.ipv4Count() : request.ipv6Count();
                if (count == 0) {
                    continue;
                }
                List<Pool> pools = ipv4 ? v4 : v6;
                family = new ArrayList<>();
                AutoAssigner.Outcome outcome = assigner.assign(request.node(), request.handleId(), attributes,
                        count, pools, family);
                if (family.size() < count) {
                    throw exhausted(s, settings, pools, request.node(), outcome);
                }
                all.addAll(family);
                family = List.of();
            }
        } catch (IpamException | DatastoreException | InvalidResourceException | RuntimeException e) {
            List<AssignedAddress> taken = new ArrayList<>(all);
            taken.addAll(family);
            giveBack(s, taken, e);
            throw e;
        }
        LOG.debug("assigned {} to handle {} on node {}", all, request.handleId(), request.node());
        return new Assignment(all);
    }

    @Override
    public void assignAddress(InetAddress address, String handleId, String node, IntendedUse use,
            Map<String, String> attributes) throws IpamException {
        requireName("handle", handleId);
        requireName("node", node);
        String ip = Cidr.format(address);
        call("assign " + ip + " to handle " + handleId, false, s -> {
            IpamSettings settings = IpamSettings.load(s);
            Pool pool = settings.poolOf(address).orElseThrow(() -> new IpamException(Reason.INVALID_REQUEST,
                    ip + " is not in any IP pool (pools: " + poolList(settings.pools)
                            + "); pick an address inside a pool or create one with weftctl apply"));
            if (!pool.enabled()) {
                throw new IpamException(Reason.INVALID_REQUEST, ip + " is in IPPool \"" + pool.name() + "\" ("
                        + pool.cidr() + "), which is disabled; enable the pool or pick an address in another");
            }
            if (!pool.allows(use)) {
                throw new IpamException(Reason.INVALID_REQUEST, "IPPool \"" + pool.name() + "\" (" + pool.cidr()
                        + ") does not allow " + Pool.useName(use) + " use; add it to the pool's allowedUses");
            }
            Optional<String> reservation = settings.reservationOf(address);
            if (reservation.isPresent()) {
                throw new IpamException(Reason.INVALID_REQUEST, ip + " is reserved by IPReservation \""
                        + reservation.get() + "\"; pick another address or remove it from the reservation");
            }
            Map<String, String> attrs = new HashMap<>(attributes == null ? Map.of() : attributes);
            attrs.putIfAbsent("node", node);
            HandleBook handles = new HandleBook(s);
            BlockWriter blocks = new BlockWriter(s, handles);
            BlockClaims claims = new BlockClaims(s, blocks);
            Cidr block = pool.blockOf(address);
            for (int attempt = 0; attempt < Backoff.MAX_ATTEMPTS; attempt++) {
                if (blocks.assignExact(block, address, handleId, attrs) != BlockWriter.Exact.NO_BLOCK) {
                    return null;
                }
                // no block yet: claim it for the node, as Calico does; if another node won, borrow from it
                claims.claim(node, block);
            }
            throw BlockWriter.conflict(block);
        });
    }

    @Override
    public List<InetAddress> releaseHandle(String handleId) throws IpamException {
        requireName("handle", handleId);
        return call("release handle " + handleId, false, s -> {
            HandleBook handles = new HandleBook(s);
            LastWritten last = lastWritten(s);
            BlockWriter blocks = new BlockWriter(s, handles, last);
            List<InetAddress> released = new ArrayList<>();
            for (int attempt = 0; attempt < Backoff.MAX_ATTEMPTS; attempt++) {
                // the handle as this allocator created it, if it did: its deletion is compare-and-swap,
                // so a stale one only costs a failed commit and a read
                Optional<IPAMHandle> current = attempt == 0 ? last.handle(handleId) : Optional.empty();
                if (current.isEmpty()) {
                    current = handles.get(handleId);
                }
                if (current.isEmpty()) {
                    return sorted(released);
                }
                if (current.get().spec().deleted()) {
                    // an earlier release got as far as the mark (it holds nothing): finish it
                    handles.removeMarked(current.get().metadata().name());
                    return sorted(released);
                }
                IPAMHandle h = current.get();
                if (h.spec().block().size() == 1) {
                    // the usual pod: one block, released and the handle deleted in one commit
                    List<InetAddress> freed = blocks.releaseOnlyBlockAndHandle(
                            Cidr.parse(h.spec().block().keySet().iterator().next()), h);
                    if (freed != null) {
                        released.addAll(freed);
                        LOG.debug("released handle {}: {}", handleId, released);
                        return sorted(released);
                    }
                    Backoff.pause(attempt); // the handle changed meanwhile: read it again
                    continue;
                }
                for (String block : h.spec().block().keySet()) {
                    released.addAll(blocks.releaseHandle(Cidr.parse(block), handleId));
                }
                try {
                    handles.markAndRemove(h);
                    LOG.debug("released handle {}: {}", handleId, released);
                    return sorted(released);
                } catch (RevisionConflictException | KeyNotFoundException e) {
                    // the handle grew meanwhile (a concurrent assign under the same handle): go again
                    Backoff.pause(attempt);
                }
            }
            throw new IpamException(Reason.CONFLICT, "IPAMHandle \"" + handleId + "\": gave up after "
                    + Backoff.MAX_ATTEMPTS + " compare-and-swap conflicts; try again");
        });
    }

    @Override
    public List<InetAddress> releaseAddresses(List<InetAddress> addresses) throws IpamException {
        return call("release " + addresses.size() + " address(es)", false, s -> sorted(release(s, addresses)));
    }

    @Override
    public List<InetAddress> addressesOf(String handleId) throws IpamException {
        requireName("handle", handleId);
        return call("list the addresses of handle " + handleId, false, s -> {
            HandleBook handles = new HandleBook(s);
            BlockWriter blocks = new BlockWriter(s, handles);
            Optional<IPAMHandle> h = handles.get(handleId);
            if (h.isEmpty()) {
                return List.of();
            }
            List<InetAddress> out = new ArrayList<>();
            for (String block : h.get().spec().block().keySet()) {
                Optional<IPAMBlock> b = blocks.read(Cidr.parse(block));
                if (b.isPresent()) {
                    BlockState state = BlockState.of(b.get().spec());
                    for (int ordinal : state.ordinalsOf(handleId)) {
                        out.add(state.address(ordinal));
                    }
                }
            }
            return sorted(out);
        });
    }

    // ---- reports and repair

    /** The data behind {@code ipam show}. */
    public IpamUsage usage() throws IpamException {
        return call("read IPAM usage", false, IpamUsage::read);
    }

    /** The data behind {@code ipam check}. */
    public IpamCheck check() throws IpamException {
        return call("check IPAM data", false, IpamCheck::run);
    }

    /**
     * Repairs what interrupted writes left behind, acting at once; use when no other node is
     * allocating (one node, or an operator's explicit repair). Returns the check afterwards,
     * which still lists what only an operator can decide (blocks of nodes that are gone).
     */
    public IpamCheck repair() throws IpamException {
        return repair(Duration.ZERO);
    }

    /**
     * Repairs findings that have stayed unchanged (same resource revisions) for at least
     * {@code minAge} across calls of this instance: a live writer in another process changes a
     * revision within milliseconds, a dead one never does. Safe to run periodically while other
     * nodes allocate; the first call only records what it sees.
     */
    public IpamCheck repair(Duration minAge) throws IpamException {
        return call("repair IPAM data", true, s -> {
            int fixed = repairs.repair(s, minAge);
            if (fixed > 0) {
                LOG.info("IPAM repair changed {} resource(s)", fixed);
            }
            return IpamCheck.run(s);
        });
    }

    // ---- block release

    /**
     * Releases node-affine blocks that have stayed empty, unchanged, for {@code grace} across
     * calls of this instance (the first call only notes them, unless {@code grace} is zero).
     * Safe while nodes allocate: each release is compare-and-swap at the revision seen empty.
     */
    public List<Cidr> releaseEmptyBlocks(Duration grace) throws IpamException {
        return call("release empty blocks", false, s -> releaser.releaseEmpty(s, grace));
    }

    /**
     * Cleans up after a deleted node: its empty blocks are released with their affinities at
     * once; blocks still holding addresses are kept (returned, and listed by {@code ipam check}).
     */
    public BlockReleaser.NodeRelease releaseNodeBlocks(String node) throws IpamException {
        requireName("node", node);
        return call("release the blocks of node " + node, false, s -> releaser.releaseNode(s, node));
    }

    // ---- internals

    /** The watched settings of {@code s}; a replaced store gets new watches. */
    private SettingsCache settings(ResourceStore s) {
        SettingsCache c = settingsCache;
        if (c == null || c.store != s) {
            synchronized (this) {
                c = settingsCache;
                if (c == null || c.store != s) {
                    if (c != null) {
                        c.close();
                    }
                    c = SettingsCache.start(s);
                    settingsCache = c;
                }
            }
        }
        return c;
    }

    /** The settings the watches show now, null before the first assignment's watches deliver (for tests). */
    IpamSettings watchedSettings() {
        SettingsCache c = settingsCache;
        return c == null ? null : c.watched();
    }

    /** Stops watching the settings (component deactivated, or a plain-Java user done with it). */
    @Deactivate
    public void close() {
        synchronized (this) {
            if (settingsCache != null) {
                settingsCache.close();
                settingsCache = null;
            }
        }
    }

    /** What this allocator last wrote to {@code s}; forgotten when the store is replaced. */
    private LastWritten lastWritten(ResourceStore s) {
        LastWritten l = lastWritten;
        if (l.store != s) {
            l = new LastWritten(s);
            lastWritten = l;
        }
        return l;
    }

    /** The remembered blocks for {@code s}; forgotten when the store is replaced. */
    private HeldBlocks heldBlocks(ResourceStore s) {
        HeldBlocks h = heldBlocks;
        if (h.store != s) {
            h = new HeldBlocks(s);
            heldBlocks = h;
        }
        return h;
    }

    private List<Pool> eligiblePools(IpamSettings settings, AssignRequest request, boolean ipv4, NodeLabels labels)
            throws DatastoreException, IpamException {
        String family = ipv4 ? "IPv4" : "IPv6";
        String use = Pool.useName(request.use());
        List<Cidr> requested = ipv4 ? request.ipv4Pools() : request.ipv6Pools();
        List<Pool> out = new ArrayList<>();
        if (!requested.isEmpty()) {
            // explicitly requested pools (a pod annotation) are used whatever their node selector says
            for (Cidr c : requested) {
                Pool pool = settings.pools.stream().filter(p -> p.cidr().equals(c)).findFirst().orElse(null);
                if (pool == null || !pool.enabled() || pool.cidr().isIpv4() != ipv4 || !pool.allows(request.use())) {
                    throw new IpamException(Reason.NO_POOL, "requested pool " + c + " is not an enabled " + family
                            + " IP pool allowing " + use + " use"
                            + (pool == null ? "; create it with weftctl apply"
                                    : "; check IPPool \"" + pool.name() + "\" spec.disabled and spec.allowedUses"));
                }
                out.add(pool);
            }
            return out;
        }
        for (Pool pool : settings.pools) {
            if (pool.cidr().isIpv4() == ipv4 && pool.enabled() && pool.automatic() && pool.allows(request.use())) {
                String selector = pool.resource().spec().effectiveNodeSelector();
                if (!NodeSelector.needsLabels(selector) || NodeSelector.matches(selector, labels.get())) {
                    out.add(pool);
                }
            }
        }
        if (out.isEmpty()) {
            throw new IpamException(Reason.NO_POOL, "no enabled " + family + " pool selects node " + request.node()
                    + " for " + use + " use; create one with weftctl apply");
        }
        return out;
    }

    /** The node's labels, read only if a pool's selector needs them. */
    private static final class NodeLabels {
        private final ResourceStore store;
        private final String node;
        private Map<String, String> labels;

        NodeLabels(ResourceStore store, String node) {
            this.store = store;
            this.node = node;
        }

        Map<String, String> get() throws DatastoreException {
            if (labels == null) {
                labels = store.get(ResourceKind.NODE, null, node).map(n -> n.metadata().labels()).orElse(Map.of());
            }
            return labels;
        }
    }

    private static IpamException exhausted(ResourceStore store, IpamSettings settings, List<Pool> pools,
            String node, AutoAssigner.Outcome outcome) throws DatastoreException {
        BigInteger total = BigInteger.ZERO;
        long inUse = 0;
        List<IPAMBlock> blocks = store.list(ResourceKind.IPAM_BLOCK, null);
        for (Pool pool : pools) {
            total = total.add(pool.cidr().size());
            for (IPAMBlock b : blocks) {
                try {
                    BlockState state = BlockState.of(b.spec());
                    if (pool.cidr().contains(state.cidr)) {
                        inUse += state.inUse();
                    }
                } catch (IllegalArgumentException e) {
                    // unreadable: IpamCheck reports it
                }
            }
        }
        StringBuilder sb = new StringBuilder(pools.size() == 1 ? "pool " : "pools ");
        sb.append(poolList(pools)).append(" exhausted: ").append(inUse).append(" of ").append(total).append(" in use");
        BigInteger reserved = BigInteger.ZERO;
        for (Pool pool : pools) {
            reserved = reserved.add(reservedIn(settings, pool));
        }
        if (reserved.signum() > 0) {
            sb.append(", ").append(reserved).append(" reserved");
        }
        boolean full = BigInteger.valueOf(inUse).add(reserved).compareTo(total) >= 0;
        if (!full) {
            if (outcome.hostLimitReached()) {
                sb.append("; node ").append(node).append(" holds its limit of ").append(settings.maxBlocksPerHost())
                        .append(" blocks (IPAMConfig maxBlocksPerHost)");
            }
            if (!settings.config.autoAllocateBlocks()) {
                sb.append("; IPAMConfig autoAllocateBlocks is off");
            }
            if (settings.config.strictAffinity()) {
                sb.append("; strictAffinity forbids borrowing from other nodes' blocks");
            }
        }
        sb.append("; add an IP pool with weftctl apply or release unused addresses");
        return new IpamException(Reason.EXHAUSTED, sb.toString());
    }

    private static BigInteger reservedIn(IpamSettings settings, Pool pool) {
        // reservations are few and usually small: count those inside the pool by block
        BigInteger n = BigInteger.ZERO;
        if (pool.cidr().size().bitLength() > 20) {
            return n;
        }
        long size = pool.cidr().sizeAsLong();
        for (long i = 0; i < size; i++) {
            if (settings.reserved(pool.cidr().address(i))) {
                n = n.add(BigInteger.ONE);
            }
        }
        return n;
    }

    /** Releases addresses and counts their handles down; returns those that were allocated. */
    private static List<InetAddress> release(ResourceStore s, List<InetAddress> addresses)
            throws DatastoreException, InvalidResourceException, IpamException {
        List<Pool> pools = IpamSettings.pools(s);
        Map<Cidr, List<InetAddress>> byBlock = new LinkedHashMap<>();
        List<Cidr> existing = null;
        for (InetAddress a : addresses) {
            Cidr block = null;
            for (Pool p : pools) {
                if (p.contains(a)) {
                    block = p.blockOf(a);
                    break;
                }
            }
            if (block == null) {
                // its pool was deleted: the block, if any, still says where it is
                if (existing == null) {
                    existing = new ArrayList<>();
                    for (IPAMBlock b : s.list(ResourceKind.IPAM_BLOCK, null)) {
                        try {
                            existing.add(Cidr.parse(b.spec().cidr()));
                        } catch (IllegalArgumentException e) {
                            // unreadable: IpamCheck reports it
                        }
                    }
                }
                block = existing.stream().filter(c -> c.contains(a)).findFirst().orElse(null);
            }
            if (block != null) {
                byBlock.computeIfAbsent(block, k -> new ArrayList<>()).add(a);
            }
        }
        HandleBook handles = new HandleBook(s);
        BlockWriter blocks = new BlockWriter(s, handles);
        List<InetAddress> released = new ArrayList<>();
        for (Map.Entry<Cidr, List<InetAddress>> e : byBlock.entrySet()) {
            BlockWriter.Freed freed = blocks.releaseAddresses(e.getKey(), e.getValue());
            released.addAll(freed.addresses());
            for (Map.Entry<String, Integer> h : freed.perHandle().entrySet()) {
                if (h.getKey() != null) {
                    handles.decrement(h.getKey(), Map.of(e.getKey().toString(), h.getValue()));
                }
            }
        }
        return released;
    }

    /** Undoes a partial assignment; a failure here is logged, the original error is what the caller sees. */
    private static void giveBack(ResourceStore s, List<AssignedAddress> taken, Exception cause) {
        if (taken.isEmpty()) {
            return;
        }
        try {
            release(s, taken.stream().map(AssignedAddress::address).toList());
        } catch (Exception e) {
            LOG.warn("could not give back {} after a failed assignment ({}): {}; ipam check will report them",
                    taken, cause.getMessage(), e.toString());
        }
    }

    private static void requireName(String what, String value) throws IpamException {
        if (value == null || value.isBlank()) {
            throw new IpamException(Reason.INVALID_REQUEST, "the " + what + " must not be empty");
        }
    }

    private static String poolList(List<Pool> pools) {
        return pools.isEmpty() ? "none" : pools.stream().map(p -> p.cidr().toString())
                .collect(Collectors.joining(", "));
    }

    private static final Comparator<InetAddress> BY_ADDRESS = (a, b) -> {
        boolean a4 = a instanceof Inet4Address;
        boolean b4 = b instanceof Inet4Address;
        return a4 != b4 ? (a4 ? -1 : 1) : Arrays.compareUnsigned(a.getAddress(), b.getAddress());
    };

    private static List<InetAddress> sorted(List<InetAddress> addresses) {
        List<InetAddress> out = new ArrayList<>(addresses);
        out.sort(BY_ADDRESS);
        return out;
    }
}
