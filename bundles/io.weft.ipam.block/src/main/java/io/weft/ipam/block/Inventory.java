package io.weft.ipam.block;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.weft.api.datastore.DatastoreException;
import io.weft.api.model.BlockAffinity;
import io.weft.api.model.IPAMBlock;
import io.weft.api.model.IPAMHandle;
import io.weft.api.model.Node;
import io.weft.api.model.ResourceKind;
import io.weft.api.resource.ResourceStore;

/**
 * Every IPAM resource read at once, for {@link IpamCheck} and repair: blocks by name, handles,
 * affinities, node names, and what the blocks say each handle holds.
 */
final class Inventory {

    final Map<String, IPAMBlock> blocks = new TreeMap<>();
    final Map<String, BlockState> states = new TreeMap<>();
    final Map<String, IPAMHandle> handles = new TreeMap<>();
    final Map<String, BlockAffinity> affinities = new TreeMap<>();
    final Set<String> nodes = new HashSet<>();
    /** Handle id → block CIDR → addresses the blocks hold for it. */
    final Map<String, Map<String, Integer>> held = new TreeMap<>();
    /** Blocks whose stored state cannot be parsed, by name, with the reason. */
    final Map<String, String> unreadable = new TreeMap<>();

    static Inventory read(ResourceStore store) throws DatastoreException {
        Inventory inv = new Inventory();
        // affinities before blocks: a claim writes the affinity first, so this order sees
        // fewer in-flight claims as broken
        for (BlockAffinity a : store.list(ResourceKind.BLOCK_AFFINITY, null)) {
            inv.affinities.put(a.metadata().name(), a);
        }
        for (IPAMHandle h : store.list(ResourceKind.IPAM_HANDLE, null)) {
            inv.handles.put(handleId(h), h);
        }
        List<IPAMBlock> blocks = store.list(ResourceKind.IPAM_BLOCK, null);
        for (IPAMBlock b : blocks) {
            inv.blocks.put(b.metadata().name(), b);
            try {
                BlockState state = BlockState.of(b.spec());
                inv.states.put(b.metadata().name(), state);
                state.countsByHandle().forEach((handle, n) -> {
                    if (handle != null) {
                        inv.held.computeIfAbsent(handle, k -> new HashMap<>()).put(state.cidr.toString(), n);
                    }
                });
            } catch (IllegalArgumentException e) {
                inv.unreadable.put(b.metadata().name(), e.getMessage());
            }
        }
        for (Node n : store.list(ResourceKind.NODE, null)) {
            inv.nodes.add(n.metadata().name());
        }
        return inv;
    }

    /** The handle id a handle resource stands for: spec.handleID, else its name. */
    static String handleId(IPAMHandle h) {
        return h.spec().handleID() != null && !h.spec().handleID().isEmpty() ? h.spec().handleID()
                : h.metadata().name();
    }

    Map<String, Integer> heldBy(String handleId) {
        return held.getOrDefault(handleId, Map.of());
    }

    /** Revision of a block by CIDR text, or "-" if there is no such block (for repair fingerprints). */
    String blockRevision(String cidr) {
        try {
            IPAMBlock b = blocks.get(BlockNames.block(io.weft.api.net.Cidr.parse(cidr)));
            return b == null ? "-" : b.metadata().resourceVersion();
        } catch (IllegalArgumentException e) {
            return "?";
        }
    }
}
