package io.weft.api.model;

/**
 * A node's claim on a block.
 *
 * @param type {@code host} for node affinities; null is read as {@code host}
 * @param deleted set just before the affinity is deleted, so that a concurrent writer's
 *        compare-and-swap fails instead of resurrecting it. Calico writes this field as the
 *        string {@code "true"}/{@code "false"} for compatibility with old releases
 */
public record BlockAffinitySpec(AffinityState state, String node, String type, String cidr, boolean deleted) {

    public static final String TYPE_HOST = "host";

    public static final BlockAffinitySpec EMPTY = new BlockAffinitySpec(null, null, null, null, false);

    public BlockAffinitySpec withState(AffinityState state) {
        return new BlockAffinitySpec(state, node, type, cidr, deleted);
    }

    public BlockAffinitySpec withDeleted(boolean deleted) {
        return new BlockAffinitySpec(state, node, type, cidr, deleted);
    }
}
