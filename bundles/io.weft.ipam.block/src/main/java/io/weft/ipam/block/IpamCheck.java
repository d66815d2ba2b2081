package io.weft.ipam.block;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.weft.api.datastore.DatastoreException;
import io.weft.api.model.AffinityState;
import io.weft.api.model.BlockAffinity;
import io.weft.api.model.IPAMHandle;
import io.weft.api.net.Cidr;
import io.weft.api.resource.ResourceStore;

/**
 * What {@code ipam check} reports: IPAM data that does not add up. Data only; the console and
 * weftctl format it. Everything listed here is either repaired by {@link BlockIpam#repair()} or
 * says what an operator has to decide (a block whose node is gone).
 *
 * <p>The datastore is read kind by kind, not in one transaction, so a check taken while
 * allocations are in flight may list a handful of transient findings; repeat it to confirm.
 *
 * @param allocationsWithoutHandle addresses held under a handle that has no IPAMHandle
 *        (release by handle could not find them)
 * @param handleMismatches handles whose per-block counts differ from what the blocks hold
 *        (more: an interrupted allocation or release; fewer: an allocation the handle cannot release)
 * @param handlesBeingDeleted handles marked deleted but not yet removed (an interrupted release)
 * @param blocksWithoutNode blocks affine to a node that has no Node resource
 * @param affinityProblems block affinities in an intermediate state, or disagreeing with their block
 * @param blockProblems blocks whose own bookkeeping is broken (free list and allocations disagree)
 */
public record IpamCheck(
        List<Allocation> allocationsWithoutHandle,
        List<HandleMismatch> handleMismatches,
        List<String> handlesBeingDeleted,
        List<BlockOwner> blocksWithoutNode,
        List<AffinityProblem> affinityProblems,
        List<BlockProblem> blockProblems) {

    /** An address, the block it is in, and the handle it is held under. */
    public record Allocation(InetAddress address, Cidr block, String handleId) {
    }

    /** A handle that records {@code recorded} addresses in a block that holds {@code allocated} for it. */
    public record HandleMismatch(String handleId, Cidr block, int recorded, int allocated) {
    }

    /** A block and the node it is affine to. */
    public record BlockOwner(Cidr block, String node) {
    }

    /** A BlockAffinity (by name; null when the affinity is missing) and what is wrong with it. */
    public record AffinityProblem(String affinity, String node, Cidr block, String problem) {
    }

    /** A block (by name, since its CIDR may be unreadable) and what is wrong with it. */
    public record BlockProblem(String block, String problem) {
    }

    public IpamCheck {
        allocationsWithoutHandle = List.copyOf(allocationsWithoutHandle);
        handleMismatches = List.copyOf(handleMismatches);
        handlesBeingDeleted = List.copyOf(handlesBeingDeleted);
        blocksWithoutNode = List.copyOf(blocksWithoutNode);
        affinityProblems = List.copyOf(affinityProblems);
        blockProblems = List.copyOf(blockProblems);
    }

    /** True when nothing was found. */
    public boolean clean() {
        return allocationsWithoutHandle.isEmpty() && handleMismatches.isEmpty() && handlesBeingDeleted.isEmpty()
                && blocksWithoutNode.isEmpty() && affinityProblems.isEmpty() && blockProblems.isEmpty();
    }

    /** Reads every block, handle, affinity and node name and cross-checks them. */
    public static IpamCheck run(ResourceStore store) throws DatastoreException {
        return of(Inventory.read(store));
    }

    static IpamCheck of(Inventory inv) {
        List<Allocation> orphans = new ArrayList<>();
        List<HandleMismatch> mismatches = new ArrayList<>();
        List<String> deleting = new ArrayList<>();
        List<BlockOwner> nodeless = new ArrayList<>();
        List<AffinityProblem> affinities = new ArrayList<>();
        List<BlockProblem> blockProblems = new ArrayList<>();

        inv.unreadable.forEach((name, why) -> blockProblems.add(new BlockProblem(name, "cannot be read: " + why)));
        inv.states.forEach((name, state) -> {
            for (String p : state.selfCheck()) {
                blockProblems.add(new BlockProblem(name, p));
            }
            for (int i = 0; i < state.size(); i++) {
                String handle = state.allocated(i) ? state.handleAt(i) : null;
                if (handle != null && live(inv.handles.get(handle)) == null) {
                    orphans.add(new Allocation(state.address(i), state.cidr, handle));
                }
            }
        });

        for (Map.Entry<String, IPAMHandle> e : inv.handles.entrySet()) {
            IPAMHandle h = e.getValue();
            if (h.spec().deleted()) {
                deleting.add(e.getKey());
                continue;
            }
            Map<String, Integer> held = inv.heldBy(e.getKey());
            Set<String> blocks = new TreeSet<>(h.spec().block().keySet());
            blocks.addAll(held.keySet());
            for (String block : blocks) {
                int recorded = h.spec().block().getOrDefault(block, 0);
                int allocated = held.getOrDefault(block, 0);
                if (recorded != allocated) {
                    mismatches.add(new HandleMismatch(e.getKey(), parseOrNull(block), recorded, allocated));
                }
            }
        }

        inv.states.forEach((name, state) -> {
            var spec = inv.blocks.get(name).spec();
            spec.affineHost().ifPresent(node -> {
                if (!inv.nodes.contains(node)) {
                    nodeless.add(new BlockOwner(state.cidr, node));
                }
                String affinity = BlockNames.affinity(node, state.cidr);
                BlockAffinity a = inv.affinities.get(affinity);
                if (a == null) {
                    affinities.add(new AffinityProblem(null, node, state.cidr,
                            "block is affine to " + node + " but there is no BlockAffinity " + affinity));
                }
            });
        });
        for (BlockAffinity a : inv.affinities.values()) {
            String problem = affinityProblem(inv, a);
            if (problem != null) {
                affinities.add(new AffinityProblem(a.metadata().name(), a.spec().node(),
                        parseOrNull(a.spec().cidr()), problem));
            }
        }
        return new IpamCheck(orphans, mismatches, deleting, nodeless, affinities, blockProblems);
    }

    /** Null if the affinity is a confirmed claim on a block affine to its node. */
    static String affinityProblem(Inventory inv, BlockAffinity a) {
        AffinityState state = a.spec().state();
        if (a.spec().deleted() || state == AffinityState.PENDING_DELETION) {
            return "release interrupted (" + (a.spec().deleted() ? "deleted" : "pendingDeletion") + ")";
        }
        Cidr cidr = parseOrNull(a.spec().cidr());
        BlockState block = cidr == null ? null : inv.states.get(BlockNames.block(cidr));
        if (state != AffinityState.CONFIRMED) {
            return "claim interrupted (" + (state == null ? "no state" : state.wireName()) + ", block "
                    + (block == null ? "missing" : "present") + ")";
        }
        if (block == null) {
            return "confirmed but the block does not exist";
        }
        if (!block.affineTo(a.spec().node())) {
            String affinity = inv.blocks.get(BlockNames.block(cidr)).spec().affinity();
            return "confirmed but the block is affine to " + (affinity == null ? "no node" : affinity);
        }
        return null;
    }

    private static IPAMHandle live(IPAMHandle h) {
        return h == null || h.spec().deleted() ? null : h;
    }

    private static Cidr parseOrNull(String text) {
        try {
            return Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
