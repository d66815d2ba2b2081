package io.weft.api.model;

/**
 * What Felix does with traffic from a workload to its own host after policy has run
 * ({@code FelixConfiguration.spec.defaultEndpointToHostAction}). {@code Return} hands it on to the
 * host's own iptables rules; {@code Accept} skips them.
 */
public enum EndpointToHostAction {
    DROP("Drop"),
    RETURN("Return"),
    ACCEPT("Accept");

    private final String wireName;

    EndpointToHostAction(String wireName) {
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
    public static EndpointToHostAction parse(String text) {
        return WireNames.parse(EndpointToHostAction.class, text, EndpointToHostAction::wireName);
    }
}
