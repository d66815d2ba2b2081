package io.weft.api.model;

/**
 * Cluster-wide IPAM policy.
 *
 * @param strictAffinity never borrow addresses from another node's block
 * @param autoAllocateBlocks claim new blocks when a node's blocks are full; may only be false
 *        together with strict affinity, or nodes could not get addresses at all
 * @param maxBlocksPerHost limit on blocks per node; null or 0 for no limit
 */
public record IPAMConfigSpec(boolean strictAffinity, boolean autoAllocateBlocks, Integer maxBlocksPerHost) {

    /** What Calico assumes when no IPAMConfig exists: borrowing allowed, blocks claimed on demand. */
    public static final IPAMConfigSpec DEFAULTS = new IPAMConfigSpec(false, true, null);

    public IPAMConfigSpec withStrictAffinity(boolean strictAffinity) {
        return new IPAMConfigSpec(strictAffinity, autoAllocateBlocks, maxBlocksPerHost);
    }
}
