package io.weft.ipam.block;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import io.weft.api.datastore.DatastoreException;
import io.weft.api.ipam.Assignment.AssignedAddress;
import io.weft.api.ipam.IpamException;
import io.weft.api.model.AffinityState;
import io.weft.api.model.BlockAffinity;
import io.weft.api.model.IPAMBlock;
import io.weft.api.model.ResourceKind;
import io.weft.api.net.Cidr;
import io.weft.api.resource.InvalidResourceException;
import io.weft.api.resource.ResourceStore;

/**
 * Calico's automatic assignment for one address family, in its order of preference:
 *
 * <ol>
 * <li>free addresses in blocks affine to the node (lowest block first), after completing any
 * claim of the node that a crash interrupted; the blocks the node held at its last full pass
 * ({@link HeldBlocks}) are tried before the affinities are listed, and the full pass runs only
 * when they cannot serve the request;</li>
 * <li>new blocks claimed for the node, while it holds fewer than {@code maxBlocksPerHost};</li>
 * <li>unless {@code strictAffinity}, addresses borrowed from other blocks of the pools.</li>
 * </ol>
 */
final class AutoAssigner {

    /** How far assignment got; fewer addresses than asked for means the pools are exhausted for this node. */
    record Outcome(boolean hostLimitReached, int blocksHeld) {
    }

    private final ResourceStore store;
    private final IpamSettings settings;
    private final BlockWriter blocks;
    private final BlockClaims claims;
    private final HeldBlocks remembered;

    AutoAssigner(ResourceStore store, IpamSettings settings, BlockWriter blocks, BlockClaims claims,
            HeldBlocks remembered) {
        this.store = store;
        this.settings = settings;
        this.blocks = blocks;
        this.claims = claims;
        this.remembered = remembered;
    }

    /**
     * Adds up to {@code count} addresses to {@code got}, which the caller owns so that it can
     * give back what was taken if this fails half-way.
     */
    Outcome assign(String node, String handleId, Map<String, String> attributes, int count, List<Pool> pools,
            List<AssignedAddress> got) throws DatastoreException, InvalidResourceException, IpamException {
        Predicate<InetAddress> reserved = settings::reserved;

        // 0. the blocks the node held last time: a pod start usually needs nothing else
        Set<Cidr> tried = new HashSet<>();
        List<Cidr> known = remembered.of(node);
        for (Cidr block : known) {
            if (got.size() >= count) {
                break;
            }
            Pool pool = poolOf(pools, block);
            if (pool != null) {
                take(got, pool, block, count, handleId, attributes, node, reserved);
                tried.add(block);
            }
        }
        if (got.size() >= count) {
            return new Outcome(false, known.size());
        }

        // 1. the node's own blocks (those just tried were full or are no longer the node's)
        int held = 0;
        List<Cidr> heldBlocks = new ArrayList<>();
        List<Cidr> affine = new ArrayList<>();
        for (BlockAffinity a : claims.affinitiesOf(node)) {
            if (a.spec().state() == AffinityState.PENDING_DELETION) {
                continue;
            }
            Cidr cidr;
            try {
                cidr = Cidr.parse(a.spec().cidr());
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (a.spec().state() != AffinityState.CONFIRMED && !claims.rollForward(a)) {
                continue;
            }
            held++;
            heldBlocks.add(cidr);
            if (poolOf(pools, cidr) != null) {
                affine.add(cidr);
            }
        }
        affine.sort(null);
        for (Cidr block : affine) {
            if (got.size() >= count) {
                break;
            }
            if (!tried.contains(block)) {
                take(got, poolOf(pools, block), block, count, handleId, attributes, node, reserved);
            }
        }

        // 2. new blocks for the node
        boolean hostLimitReached = false;
        if (got.size() < count && settings.config.autoAllocateBlocks()) {
            Set<String> existing = new HashSet<>();
            List<Cidr> claimedMeanwhile = new ArrayList<>();
            for (IPAMBlock b : store.list(ResourceKind.IPAM_BLOCK, null)) {
                existing.add(b.metadata().name());
                Cidr cidr = parseOrNull(b.spec().cidr());
                if (cidr != null && b.spec().affineHost().filter(node::equals).isPresent() && !affine.contains(cidr)) {
                    claimedMeanwhile.add(cidr);
                }
            }
            // another request of this node claimed these since its affinities were read: use them
            // before claiming more, which keeps concurrent requests from overshooting the host limit
            claimedMeanwhile.sort(null);
            heldBlocks.addAll(claimedMeanwhile);
            for (Cidr block : claimedMeanwhile) {
                held++;
                Pool pool = poolOf(pools, block);
                if (pool != null && got.size() < count) {
                    take(got, pool, block, count, handleId, attributes, node, reserved);
                }
            }
            int limit = settings.maxBlocksPerHost();
            claiming:
            for (Pool pool : pools) {
                while (got.size() < count) {
                    if (limit > 0 && held >= limit) {
                        hostLimitReached = true;
                        break claiming;
                    }
                    Optional<Cidr> claimed = claims.claimNew(node, pool, existing, settings);
                    if (claimed.isEmpty()) {
                        break;
                    }
                    held++;
                    heldBlocks.add(claimed.get());
                    existing.add(BlockNames.block(claimed.get()));
                    take(got, pool, claimed.get(), count, handleId, attributes, node, reserved);
                }
            }
        }

        remembered.remember(node, heldBlocks);

        // 3. borrowing from blocks of other nodes (or of none)
        if (got.size() < count && !settings.config.strictAffinity()) {
            List<Cidr> candidates = new ArrayList<>();
            for (IPAMBlock b : store.list(ResourceKind.IPAM_BLOCK, null)) {
                BlockState state;
                try {
                    state = BlockState.of(b.spec());
                } catch (IllegalArgumentException e) {
                    continue;
                }
                if (!state.deleted() && !state.affineTo(node) && poolOf(pools, state.cidr) != null
                        && state.hasFree(reserved)) {
                    candidates.add(state.cidr);
                }
            }
            candidates.sort(null);
            for (Cidr block : BlockClaims.borrowOrder(node, candidates)) {
                if (got.size() >= count) {
                    break;
                }
                take(got, poolOf(pools, block), block, count, handleId, attributes, null, reserved);
            }
        }
        return new Outcome(hostLimitReached, held);
    }

    private void take(List<AssignedAddress> got, Pool pool, Cidr block, int count, String handleId,
            Map<String, String> attributes, String affineNode, Predicate<InetAddress> reserved)
            throws DatastoreException, InvalidResourceException, IpamException {
        for (InetAddress a : blocks.allocate(block, count - got.size(), handleId, attributes, affineNode, reserved)) {
            got.add(new AssignedAddress(a, pool.cidr(), block));
        }
    }

    private static Cidr parseOrNull(String text) {
        try {
            return Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static Pool poolOf(List<Pool> pools, Cidr block) {
        for (Pool p : pools) {
            if (p.cidr().contains(block) && block.prefixLength() == p.blockSize()) {
                return p;
            }
        }
        return null;
    }
}
