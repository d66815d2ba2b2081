package io.weft.ipam.block;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.KeyExistsException;
import io.weft.api.datastore.KeyNotFoundException;
import io.weft.api.datastore.RevisionConflictException;
import io.weft.api.ipam.IpamException;
import io.weft.api.model.AffinityState;
import io.weft.api.model.BlockAffinity;
import io.weft.api.model.BlockAffinitySpec;
import io.weft.api.model.IPAMBlock;
import io.weft.api.model.IPAMBlockSpec;
import io.weft.api.model.ObjectMeta;
import io.weft.api.model.ResourceKind;
import io.weft.api.net.Cidr;
import io.weft.api.resource.InvalidResourceException;
import io.weft.api.resource.ResourceStore;

/**
 * A node's claims on blocks. A claim takes three writes, in Calico's order: a
 * {@code pending} BlockAffinity, then the IPAMBlock with {@code affinity: host:<node>}, then the
 * affinity {@code confirmed}. Each intermediate state is recognisable: the node's next
 * allocation completes its own pending claims ({@link #rollForward}), and a repair pass rolls
 * back pending claims whose block never appeared.
 */
final class BlockClaims {

    private static final Logger LOG = LoggerFactory.getLogger(BlockClaims.class);

    /** Walk steps beyond the number of existing blocks before a pool counts as full. */
    private static final long WALK_SLACK = 1 << 16;

    private final ResourceStore store;
    private final BlockWriter blocks;

    BlockClaims(ResourceStore store, BlockWriter blocks) {
        this.store = store;
        this.blocks = blocks;
    }

    /** The node's affinities, any state, except those already marked deleted. */
    List<BlockAffinity> affinitiesOf(String node) throws DatastoreException {
        List<BlockAffinity> out = new ArrayList<>();
        for (BlockAffinity a : store.list(ResourceKind.BLOCK_AFFINITY, null)) {
            if (node.equals(a.spec().node()) && !a.spec().deleted()) {
                out.add(a);
            }
        }
        return out;
    }

    /**
     * Finishes this node's interrupted claim: creates the block if it is missing, then confirms.
     * Returns false (and drops the affinity) if another node owns the block.
     */
    boolean rollForward(BlockAffinity affinity) throws DatastoreException, InvalidResourceException, IpamException {
        Cidr cidr = Cidr.parse(affinity.spec().cidr());
        LOG.info("node {}: completing the interrupted claim of block {}", affinity.spec().node(), cidr);
        return claim(affinity.spec().node(), cidr);
    }

    /**
     * Claims {@code cidr} for {@code node}. True if the node holds a confirmed affinity to an
     * existing block afterwards (including when it held one already).
     */
    boolean claim(String node, Cidr cidr) throws DatastoreException, InvalidResourceException, IpamException {
        String name = BlockNames.affinity(node, cidr);
        try {
            store.create(new BlockAffinity(ObjectMeta.named(name), new BlockAffinitySpec(AffinityState.PENDING, node,
                    BlockAffinitySpec.TYPE_HOST, cidr.toString(), false)));
        } catch (KeyExistsException e) {
            // ours from an earlier, interrupted attempt or a concurrent one of this node: carry on
        }
        try {
            store.create(new IPAMBlock(ObjectMeta.named(BlockNames.block(cidr)),
                    BlockState.fresh(cidr, IPAMBlockSpec.hostAffinity(node))));
            LOG.info("node {} claimed block {}", node, cidr);
        } catch (KeyExistsException e) {
            Optional<IPAMBlock> existing = blocks.read(cidr);
            if (existing.isEmpty() || !IPAMBlockSpec.hostAffinity(node).equals(existing.get().spec().affinity())) {
                // another node got there first (or it is being deleted): give the pending claim back
                deleteAffinity(name);
                return false;
            }
        }
        confirm(name, node, cidr);
        return true;
    }

    /** Marks the affinity confirmed, recreating it if a repair pass rolled it back meanwhile. */
    private void confirm(String name, String node, Cidr cidr)
            throws DatastoreException, InvalidResourceException, IpamException {
        for (int attempt = 0; attempt < Backoff.MAX_ATTEMPTS; attempt++) {
            Optional<BlockAffinity> current = store.get(ResourceKind.BLOCK_AFFINITY, null, name);
            try {
                if (current.isEmpty()) {
                    store.create(new BlockAffinity(ObjectMeta.named(name), new BlockAffinitySpec(
                            AffinityState.CONFIRMED, node, BlockAffinitySpec.TYPE_HOST, cidr.toString(), false)));
                    return;
                }
                if (current.get().spec().state() == AffinityState.CONFIRMED) {
                    return;
                }
                BlockAffinity a = current.get();
                store.update(a.withSpec(a.spec().withState(AffinityState.CONFIRMED)));
                return;
            } catch (KeyExistsException | RevisionConflictException | KeyNotFoundException e) {
                Backoff.pause(attempt);
            }
        }
        throw new IpamException(IpamException.Reason.CONFLICT, "BlockAffinity \"" + name + "\": gave up after "
                + Backoff.MAX_ATTEMPTS + " compare-and-swap conflicts; try again");
    }

    void deleteAffinity(String name) throws DatastoreException {
        try {
            store.delete(ResourceKind.BLOCK_AFFINITY, null, name);
        } catch (KeyNotFoundException e) {
            // already gone
        }
    }

    /**
     * Claims a block of {@code pool} nobody has claimed, walking the pool's blocks from a start
     * point seeded by the node name (each node starts elsewhere, so nodes rarely race for the
     * same block, and a node's blocks are stable across runs). Blocks that exist or that a
     * reservation covers entirely are skipped.
     */
    Optional<Cidr> claimNew(String node, Pool pool, Set<String> existingBlocks, IpamSettings settings)
            throws DatastoreException, InvalidResourceException, IpamException {
        long count = pool.blockCount();
        long start = count == 1 ? 0 : new SplittableRandom(seed(node)).nextLong(count);
        long limit = Math.min(count, existingBlocks.size() + WALK_SLACK);
        for (long k = 0; k < limit; k++) {
            long index = k < count - start ? start + k : k - (count - start);
            Cidr cidr = pool.block(index);
            String name = BlockNames.block(cidr);
            if (existingBlocks.contains(name) || settings.fullyReserved(cidr)) {
                continue;
            }
            if (claim(node, cidr)) {
                return Optional.of(cidr);
            }
            existingBlocks.add(name);
        }
        return Optional.empty();
    }

    /** The order in which {@code node} tries to borrow from {@code candidates}: rotated by its seed. */
    static <T> List<T> borrowOrder(String node, List<T> candidates) {
        if (candidates.size() < 2) {
            return candidates;
        }
        int start = new SplittableRandom(seed(node)).nextInt(candidates.size());
        List<T> out = new ArrayList<>(candidates.subList(start, candidates.size()));
        out.addAll(candidates.subList(0, start));
        return out;
    }

    /** FNV-1a of the node name: stable across runs and JVMs, unlike String.hashCode's spread. */
    static long seed(String node) {
        long h = 0xcbf29ce484222325L;
        for (byte b : node.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
