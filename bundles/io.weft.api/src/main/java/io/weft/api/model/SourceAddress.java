package io.weft.api.model;

/**
 * Which source address a BGP session uses ({@code BGPPeer.spec.sourceAddress}). {@code UseNodeIP}
 * (the default) binds it to the node's BGP address; {@code None} leaves the choice to the kernel's
 * routing table.
 */
public enum SourceAddress {
    USE_NODE_IP("UseNodeIP"),
    NONE("None");

    private final String wireName;

    SourceAddress(String wireName) {
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
    public static SourceAddress parse(String text) {
        return WireNames.parse(SourceAddress.class, text, SourceAddress::wireName);
    }
}
