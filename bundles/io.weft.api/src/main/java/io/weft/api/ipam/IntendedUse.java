package io.weft.api.ipam;

/** What an address is for; pools restrict uses through {@code allowedUses}. */
public enum IntendedUse {
    /** A pod's address. */
    WORKLOAD,
    /** A node's IPIP or VXLAN tunnel device address. */
    TUNNEL
}
