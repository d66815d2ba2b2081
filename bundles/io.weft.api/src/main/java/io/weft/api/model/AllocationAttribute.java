package io.weft.api.model;

import java.util.Map;

/**
 * Who owns an allocation in an IPAM block; several allocations with the same owner share one
 * attribute entry.
 *
 * <p>On the wire the fields are {@code handle_id} and {@code secondary}, Calico's historical
 * snake-case names.
 *
 * @param handleId the handle the address was allocated under; null for addresses reserved
 *        without a handle
 * @param secondary owner details such as {@code node}, {@code namespace}, {@code pod} and
 *        {@code timestamp}, used by leak detection and {@code ipam show}
 */
public record AllocationAttribute(String handleId, Map<String, String> secondary) {

    public AllocationAttribute {
        secondary = Copies.stringMap(secondary);
    }
}
