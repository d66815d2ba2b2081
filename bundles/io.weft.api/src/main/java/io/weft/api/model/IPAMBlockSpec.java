package io.weft.api.model;

import io.weft.api.net.Cidr;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The allocation state of one block.
 *
 * <p>{@code allocations} has one entry per address (ordinal = offset from the block's first
 * address): null if the address is free, otherwise an index into {@code attributes}.
 * {@code unallocated} lists the free ordinals in the order they will be handed out, which is
 * ascending for a fresh block and puts released addresses at the back, so a just-freed address is
 * not reused at once.
 *
 * @param affinity {@code host:<node>} when the block belongs to a node; null for none
 * @param strictAffinity deprecated in Calico (IPAMConfig decides); kept for round-tripping
 * @param allocations one entry per address, null entries for free addresses
 * @param deleted set just before the block is deleted, so that a concurrent writer's
 *        compare-and-swap fails instead of resurrecting it
 * @param sequenceNumber bumped on every write of the block
 * @param sequenceNumberForAllocation ordinal (as a string: Kubernetes map keys are strings) to
 *        the block's sequence number when it was allocated, so a release can tell whether the
 *        address has been released and re-allocated since the caller looked
 */
public record IPAMBlockSpec(
        String cidr,
        String affinity,
        boolean strictAffinity,
        List<Integer> allocations,
        List<Integer> unallocated,
        List<AllocationAttribute> attributes,
        boolean deleted,
        long sequenceNumber,
        Map<String, Long> sequenceNumberForAllocation) {

    /** Prefix of {@link #affinity()} for blocks owned by a node. */
    public static final String HOST_AFFINITY_PREFIX = "host:";

    public static final IPAMBlockSpec EMPTY = new IPAMBlockSpec(null, null, false, null, null, null, false, 0L, null);

    public IPAMBlockSpec {
        allocations = Copies.listWithNulls(allocations);
        unallocated = Copies.list(unallocated);
        attributes = Copies.list(attributes);
        sequenceNumberForAllocation = Copies.sortedMap(sequenceNumberForAllocation);
    }

    /** The affinity string for a block owned by {@code node}: {@code host:<node>}. */
    public static String hostAffinity(String node) {
        return HOST_AFFINITY_PREFIX + node;
    }

    /** The node this block is affine to, if its affinity is of the {@code host:} form. */
    public Optional<String> affineHost() {
        if (affinity == null || !affinity.startsWith(HOST_AFFINITY_PREFIX)) {
            return Optional.empty();
        }
        return Optional.of(affinity.substring(HOST_AFFINITY_PREFIX.length()));
    }

    /**
     * The block's CIDR, parsed.
     *
     * @throws IllegalArgumentException if {@link #cidr()} is missing or malformed
     */
    public Cidr parsedCidr() {
        return Cidr.parse(cidr);
    }
}
