package io.weft.ipam.block;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.KeyNotFoundException;
import io.weft.api.datastore.RevisionConflictException;
import io.weft.api.model.BlockAffinity;
import io.weft.api.model.IPAMBlock;
import io.weft.api.model.ResourceKind;
import io.weft.api.net.Cidr;
import io.weft.api.resource.InvalidResourceException;
import io.weft.api.resource.ResourceStore;
import io.weft.api.resource.ResourceWrite;

/**
 * Gives blocks back to their pool: a node's block that has stayed empty for a grace period, and
 * at once every empty block of a node that was deleted. A block goes together with its
 * BlockAffinity in one commit, the block first, both compare-and-swap at the revisions that were
 * seen empty: an allocation that lands in the block meanwhile makes the release fail instead of
 * losing the address, and a store that keeps a prefix after a crash keeps an affinity without a
 * block, which repair removes.
 *
 * <p>Blocks that still hold addresses are never released; a deleted node's such blocks stay
 * until their addresses are released, and {@code ipam check} lists them as blocks without a node.
 */
public final class BlockReleaser {

    private static final Logger LOG = LoggerFactory.getLogger(BlockReleaser.class);

    /** What releasing a deleted node's blocks did. */
    public record NodeRelease(List<Cidr> released, List<Cidr> keptInUse) {
    }

    private record Seen(String revision, long firstNanos) {
    }

    private final Map<String, Seen> emptySince = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    BlockReleaser(LongSupplier nanoTime) { // package-private: made by BlockIpam
        this.nanoTime = nanoTime;
    }

    /**
     * Releases node-affine blocks that were empty, at the same revision, on an earlier call at
     * least {@code grace} ago; remembers the others. Returns the blocks released.
     */
    List<Cidr> releaseEmpty(ResourceStore store, Duration grace) throws DatastoreException, InvalidResourceException {
        Map<String, BlockAffinity> affinities = affinitiesByBlock(store);
        Set<String> stillEmpty = new HashSet<>();
        List<Cidr> released = new ArrayList<>();
        long now = nanoTime.getAsLong();
        for (IPAMBlock b : store.list(ResourceKind.IPAM_BLOCK, null)) {
            BlockState state;
            try {
                state = BlockState.of(b.spec());
            } catch (IllegalArgumentException e) {
                continue; // unreadable: ipam check reports it
            }
            Optional<String> node = b.spec().affineHost();
            if (node.isEmpty() || state.deleted() || state.inUse() > 0) {
                continue;
            }
            String name = b.metadata().name();
            stillEmpty.add(name);
            Seen seen = emptySince.get(name);
            if (seen == null || !seen.revision.equals(b.metadata().resourceVersion())) {
                emptySince.put(name, new Seen(b.metadata().resourceVersion(), now));
                if (!grace.isZero()) {
                    continue;
                }
            } else if (now - seen.firstNanos < grace.toNanos()) {
                continue;
            }
            if (release(store, b, affinities.get(name + "@" + node.get()))) {
                LOG.info("released block {} of node {}: empty for at least {}", state.cidr, node.get(), grace);
                released.add(state.cidr);
                stillEmpty.remove(name);
            }
        }
        emptySince.keySet().retainAll(stillEmpty);
        return released;
    }

    /** Releases every empty block affine to {@code node} and drops its affinities to missing blocks. */
    NodeRelease releaseNode(ResourceStore store, String node) throws DatastoreException, InvalidResourceException {
        Map<String, BlockAffinity> affinities = affinitiesByBlock(store);
        List<Cidr> released = new ArrayList<>();
        List<Cidr> kept = new ArrayList<>();
        Set<String> blocksSeen = new HashSet<>();
        for (IPAMBlock b : store.list(ResourceKind.IPAM_BLOCK, null)) {
            if (!Optional.of(node).equals(b.spec().affineHost())) {
                continue;
            }
            blocksSeen.add(b.metadata().name());
            BlockState state;
            try {
                state = BlockState.of(b.spec());
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (state.inUse() > 0) {
                kept.add(state.cidr);
            } else if (release(store, b, affinities.get(b.metadata().name() + "@" + node))) {
                released.add(state.cidr);
            }
        }
        // affinities whose block never appeared (an interrupted claim) or is gone
        for (BlockAffinity a : affinities.values()) {
            if (node.equals(a.spec().node()) && a.spec().cidr() != null) {
                try {
                    if (!blocksSeen.contains(BlockNames.block(Cidr.parse(a.spec().cidr())))) {
                        store.commit(List.of(ResourceWrite.delete(a)));
                    }
                } catch (IllegalArgumentException | RevisionConflictException | KeyNotFoundException e) {
                    // unreadable, or changed meanwhile: ipam check reports what is left
                }
            }
        }
        if (!released.isEmpty() || !kept.isEmpty()) {
            LOG.info("node {} was deleted: released its empty blocks {}; blocks still holding addresses: {}", node,
                    released, kept);
        }
        return new NodeRelease(released, kept);
    }

    /** Block name + "@" + node → that node's affinity to it. */
    private static Map<String, BlockAffinity> affinitiesByBlock(ResourceStore store) throws DatastoreException {
        Map<String, BlockAffinity> out = new java.util.HashMap<>();
        for (BlockAffinity a : store.list(ResourceKind.BLOCK_AFFINITY, null)) {
            try {
                out.put(BlockNames.block(Cidr.parse(a.spec().cidr())) + "@" + a.spec().node(), a);
            } catch (IllegalArgumentException | NullPointerException e) {
                // unreadable: ipam check reports it
            }
        }
        return out;
    }

    /** True if the block (and its affinity, when there is one) was deleted. */
    private static boolean release(ResourceStore store, IPAMBlock block, BlockAffinity affinity)
            throws DatastoreException, InvalidResourceException {
        List<ResourceWrite> writes = new ArrayList<>(2);
        writes.add(ResourceWrite.delete(block));
        if (affinity != null) {
            writes.add(ResourceWrite.delete(affinity));
        }
        try {
            store.commit(writes);
            return true;
        } catch (RevisionConflictException | KeyNotFoundException e) {
            return false; // an allocation, a claim or another releaser got there first: look again next time
        }
    }
}
