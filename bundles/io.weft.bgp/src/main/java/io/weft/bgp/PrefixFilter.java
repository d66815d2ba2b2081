package io.weft.bgp;

import java.util.List;
import java.util.Objects;

import io.weft.api.net.Cidr;

/**
 * An ordered prefix list in the shape of Calico's BGPFilter rules: the first rule that matches
 * decides; no match means the default action.
 */
public record PrefixFilter(List<Rule> rules, boolean acceptByDefault) {

    /** How a rule's CIDR matches a route's prefix. */
    public enum Match { EQUAL, NOT_EQUAL, IN, NOT_IN }

    /**
     * @param cidr       the rule's CIDR
     * @param match      Equal / NotEqual / In / NotIn, as BGPFilter's matchOperator
     * @param minLength  with {@code IN}: shortest prefix length matched, or 0 for the CIDR's own
     * @param maxLength  with {@code IN}: longest prefix length matched, or 0 for the family maximum
     * @param accept     Accept or Reject
     */
    public record Rule(Cidr cidr, Match match, int minLength, int maxLength, boolean accept) {
        public Rule {
            Objects.requireNonNull(cidr, "cidr");
            Objects.requireNonNull(match, "match");
            int bits = cidr.addressBits();
            if (minLength < 0 || minLength > bits || maxLength < 0 || maxLength > bits
                    || (maxLength != 0 && minLength > maxLength)) {
                throw new IllegalArgumentException("filter rule " + cidr + ": prefixLength min " + minLength + " max "
                        + maxLength + " must lie within 0-" + bits + " with min <= max");
            }
        }

        boolean matches(Cidr prefix) {
            if (prefix.isIpv4() != cidr.isIpv4()) {
                return false;
            }
            boolean in = cidr.contains(prefix)
                    && prefix.prefixLength() >= (minLength == 0 ? cidr.prefixLength() : minLength)
                    && prefix.prefixLength() <= (maxLength == 0 ? cidr.addressBits() : maxLength);
            boolean equal = cidr.equals(prefix);
            return switch (match) {
                case EQUAL -> equal;
                case NOT_EQUAL -> !equal;
                case IN -> in;
                case NOT_IN -> !in;
            };
        }
    }

    public PrefixFilter {
        rules = List.copyOf(rules);
    }

    /** Whether a route to {@code prefix} passes. */
    public boolean accepts(Cidr prefix) {
        for (Rule r : rules) {
            if (r.matches(prefix)) {
                return r.accept;
            }
        }
        return acceptByDefault;
    }
}
