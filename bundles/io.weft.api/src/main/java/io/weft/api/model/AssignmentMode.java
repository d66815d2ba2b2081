package io.weft.api.model;

/**
 * Whether IPAM may pick addresses from an IP pool on its own ({@code Automatic}), or only when a
 * workload asks for the pool or an address in it by name ({@code Manual}).
 */
public enum AssignmentMode {
    AUTOMATIC("Automatic"),
    MANUAL("Manual");

    private final String wireName;

    AssignmentMode(String wireName) {
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
    public static AssignmentMode parse(String text) {
        return WireNames.parse(AssignmentMode.class, text, AssignmentMode::wireName);
    }
}
