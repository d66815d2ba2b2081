package io.weft.api.model;

import java.util.List;

/**
 * Direction a network policy applies to ({@code spec.types}).
 */
public enum PolicyType {
    INGRESS("Ingress"),
    EGRESS("Egress");

    private final String wireName;

    PolicyType(String wireName) {
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
    public static PolicyType parse(String text) {
        return WireNames.parse(PolicyType.class, text, PolicyType::wireName);
    }

    /**
     * Calico's default for a policy written without {@code types}: Ingress, unless there are
     * egress rules, in which case Egress, plus Ingress if there are ingress rules too. A policy
     * with no rules at all is therefore an ingress deny-all, never an egress one.
     */
    static List<PolicyType> inferred(List<Rule> ingress, List<Rule> egress) {
        if (egress.isEmpty()) {
            return List.of(INGRESS);
        }
        return ingress.isEmpty() ? List.of(EGRESS) : List.of(INGRESS, EGRESS);
    }
}
