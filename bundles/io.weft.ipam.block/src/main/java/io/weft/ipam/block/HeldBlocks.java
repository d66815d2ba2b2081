package io.weft.ipam.block;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import io.weft.api.net.Cidr;
import io.weft.api.resource.ResourceStore;

/**
 * The blocks each node held (confirmed affinity) at its last full assignment pass, remembered
 * per {@link BlockIpam} and per store. A pod start tries these first, so that the common case
 * reads only its own blocks instead of listing every node's BlockAffinities, which grows with
 * the cluster (Calico's etcd mode reads the node's affinities by key prefix for the same reason).
 *
 * <p>Only a hint: every allocation re-reads the block and takes from it only if the block still
 * says it is affine to the node, and anything a hint cannot serve goes through the full pass,
 * which lists the affinities, completes interrupted claims and refreshes the hint.
 */
final class HeldBlocks {

    final ResourceStore store;
    private final ConcurrentMap<String, List<Cidr>> byNode = new ConcurrentHashMap<>();

    HeldBlocks(ResourceStore store) {
        this.store = store;
    }

    /** The node's blocks, lowest first; empty before its first full pass. */
    List<Cidr> of(String node) {
        return byNode.getOrDefault(node, List.of());
    }

    void remember(String node, Collection<Cidr> blocks) {
        byNode.put(node, blocks.stream().distinct().sorted().toList());
    }
}
