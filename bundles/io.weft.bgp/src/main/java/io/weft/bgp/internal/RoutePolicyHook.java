package io.weft.bgp.internal;

/** The internal form of an import or export policy: decides on a prefix key and its attributes. */
interface RoutePolicyHook {
    boolean accept(long prefix, PathAttributes attributes);
}
