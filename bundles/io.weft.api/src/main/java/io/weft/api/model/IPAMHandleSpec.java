package io.weft.api.model;

import java.util.Map;

/**
 * The addresses allocated under one handle, counted per block.
 *
 * @param handleID the handle, also the resource's name in most datastores
 * @param block block CIDR to the number of addresses allocated from it under this handle
 * @param deleted set just before the handle is deleted, so that a concurrent writer's
 *        compare-and-swap fails instead of resurrecting it
 */
public record IPAMHandleSpec(String handleID, Map<String, Integer> block, boolean deleted) {

    public static final IPAMHandleSpec EMPTY = new IPAMHandleSpec(null, null, false);

    public IPAMHandleSpec {
        block = Copies.sortedMap(block);
    }

    public IPAMHandleSpec withBlock(Map<String, Integer> block) {
        return new IPAMHandleSpec(handleID, block, deleted);
    }
}
