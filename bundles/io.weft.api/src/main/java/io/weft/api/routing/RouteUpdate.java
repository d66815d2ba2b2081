package io.weft.api.routing;

import java.util.List;

import io.weft.api.net.Cidr;

/**
 * A change to the routes one origin offers.
 *
 * @param origin      who offers them, e.g. {@code bgp} or {@code agent}
 * @param fullTable   true when {@code upserts} is the origin's whole table (the receiver drops
 *                    what is not in it); false for a delta
 * @param upserts     routes added or changed
 * @param withdrawals destinations no longer offered
 */
public record RouteUpdate(String origin, boolean fullTable, List<Route> upserts, List<Cidr> withdrawals) {
    public RouteUpdate {
        upserts = List.copyOf(upserts);
        withdrawals = List.copyOf(withdrawals);
    }
}
