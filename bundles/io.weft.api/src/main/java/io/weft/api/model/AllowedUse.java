package io.weft.api.model;

/**
 * What addresses from an IP pool may be used for ({@code IPPool.spec.allowedUses}).
 */
public enum AllowedUse {
    WORKLOAD("Workload"),
    TUNNEL("Tunnel"),
    LOAD_BALANCER("LoadBalancer");

    private final String wireName;

    AllowedUse(String wireName) {
        this.wireName = wireName;
    }

    /** The exact spelling Calico uses in resources and on the wire. */
    public String wireName() {
        return wireName;
    }

    /**
     * Parses Calico's spelling, case-sensitively as Calico does.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static AllowedUse parse(String text) {
        return WireNames.parse(AllowedUse.class, text, AllowedUse::wireName);
    }
}
