package io.weft.api.model;

/**
 * Life cycle of a block affinity. A node claims a block as {@code pending}, creates the block,
 * then marks the claim {@code confirmed}; the two steps let a crashed claim be detected and undone.
 * Release goes through {@code pendingDeletion} for the same reason. The wire names are lower camel
 * case, unlike most Calico enums.
 */
public enum AffinityState {
    PENDING("pending"),
    CONFIRMED("confirmed"),
    PENDING_DELETION("pendingDeletion");

    private final String wireName;

    AffinityState(String wireName) {
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
    public static AffinityState parse(String text) {
        return WireNames.parse(AffinityState.class, text, AffinityState::wireName);
    }
}
