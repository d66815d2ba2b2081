package io.weft.api.model;

import java.util.List;

/**
 * @param reservedCIDRs networks or single addresses (as written) that IPAM must skip
 */
public record IPReservationSpec(List<String> reservedCIDRs) {

    public static final IPReservationSpec EMPTY = new IPReservationSpec(null);

    public IPReservationSpec {
        reservedCIDRs = Copies.list(reservedCIDRs);
    }
}
