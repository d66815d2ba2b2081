package io.weft.api.model;

/**
 * How an IP pool tunnels traffic between nodes: the value of an IPPool's {@code ipipMode}
 * and {@code vxlanMode}. {@code CrossSubnet} encapsulates only when the destination node is outside
 * the sending node's subnet.
 */
public enum EncapsulationMode {
    ALWAYS("Always"),
    CROSS_SUBNET("CrossSubnet"),
    NEVER("Never");

    private final String wireName;

    EncapsulationMode(String wireName) {
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
    public static EncapsulationMode parse(String text) {
        return WireNames.parse(EncapsulationMode.class, text, EncapsulationMode::wireName);
    }
}
