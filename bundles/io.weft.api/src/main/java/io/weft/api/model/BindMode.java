package io.weft.api.model;

/**
 * Which addresses the BGP speaker accepts connections on ({@code BGPConfiguration.spec.bindMode}):
 * all of them ({@code None}), or only the node's own BGP address ({@code NodeIP}).
 */
public enum BindMode {
    NONE("None"),
    NODE_IP("NodeIP");

    private final String wireName;

    BindMode(String wireName) {
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
    public static BindMode parse(String text) {
        return WireNames.parse(BindMode.class, text, BindMode::wireName);
    }
}
