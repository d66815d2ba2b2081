package io.weft.api.model;

/**
 * What a policy rule does with matching traffic. {@code Pass} skips the remaining policies of the
 * current tier (on to the next tier, or to the endpoint's profiles if there is none);
 * {@code Log} records the packet and goes on with the next rule.
 */
public enum Action {
    ALLOW("Allow"),
    DENY("Deny"),
    LOG("Log"),
    PASS("Pass");

    private final String wireName;

    Action(String wireName) {
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
    public static Action parse(String text) {
        return WireNames.parse(Action.class, text, Action::wireName);
    }
}
