package io.weft.bgp;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

import io.weft.api.net.Cidr;

/**
 * Import or export policy in the shape of Calico's BGPFilter rules, extended to a route's
 * communities and AS path: ordered rules, the first that matches decides (Accept or Reject), no
 * match means the default action. A rule matches when every condition it has holds; a rule
 * with no condition matches every route.
 *
 * <p>On import the rules see the route as the peer sent it; on export they see the best path as
 * this speaker holds it, before the export changes its attributes (our AS prepended toward eBGP,
 * the peer's export communities added).
 */
public record RouteFilter(List<Rule> rules, boolean acceptByDefault) {

    /** How a rule's CIDR matches a route's prefix (BGPFilter's matchOperator). */
    public enum Match { EQUAL, NOT_EQUAL, IN, NOT_IN }

    /**
     * @param cidr          the rule's CIDR, or {@code null} for a rule that looks at attributes only
     *                      (and then matches both families)
     * @param match         Equal / NotEqual / In / NotIn; required with a CIDR, {@code null} without
     * @param minLength     with {@code IN} / {@code NOT_IN}: shortest prefix length, or 0 for the CIDR's own
     * @param maxLength     with {@code IN} / {@code NOT_IN}: longest prefix length, or 0 for the family maximum
     * @param communities   the route carries every one of these (standard and large alike); empty: any
     * @param asPathPrefix  the route's AS path starts with these ASNs, in order (the neighbour's AS
     *                      first on import); empty: any
     * @param accept        Accept or Reject
     */
    public record Rule(Cidr cidr, Match match, int minLength, int maxLength, List<Community> communities,
            List<Long> asPathPrefix, boolean accept) {
        public Rule {
            communities = communities == null ? List.of() : List.copyOf(communities);
            asPathPrefix = asPathPrefix == null ? List.of() : List.copyOf(asPathPrefix);
            if (cidr == null) {
                if (match != null || minLength != 0 || maxLength != 0) {
                    throw new IllegalArgumentException("filter rule " + describe(match, communities, asPathPrefix)
                            + ": matchOperator and prefixLength need a cidr; set one, or drop them to match on attributes only");
                }
            } else {
                Objects.requireNonNull(match, "filter rule " + cidr + ": matchOperator (Equal, NotEqual, In or NotIn) is required with a cidr");
                int bits = cidr.addressBits();
                if (minLength < 0 || minLength > bits || maxLength < 0 || maxLength > bits
                        || (maxLength != 0 && minLength > maxLength)) {
                    throw new IllegalArgumentException("filter rule " + cidr + ": prefixLength min " + minLength + " max "
                            + maxLength + " must lie within 0-" + bits + " with min <= max");
                }
                if ((minLength != 0 || maxLength != 0) && (match == Match.EQUAL || match == Match.NOT_EQUAL)) {
                    throw new IllegalArgumentException("filter rule " + cidr + ": prefixLength only applies to In and NotIn; "
                            + match + " compares the prefix exactly");
                }
            }
            for (Long as : asPathPrefix) {
                if (as == null || as < 1 || as > 0xFFFFFFFFL) {
                    throw new IllegalArgumentException("filter rule " + describe(match, communities, asPathPrefix)
                            + ": asPathPrefix ASN " + as + " is out of range 1-4294967295");
                }
            }
        }

        /** A prefix rule, as BGPFilter has them. */
        public Rule(Cidr cidr, Match match, int minLength, int maxLength, boolean accept) {
            this(Objects.requireNonNull(cidr, "cidr"), match, minLength, maxLength, List.of(), List.of(), accept);
        }

        /** Matches routes carrying every one of {@code all}. */
        public static Rule communities(boolean accept, Community... all) {
            if (all.length == 0) {
                throw new IllegalArgumentException("a community rule needs at least one community");
            }
            return new Rule(null, null, 0, 0, List.of(all), List.of(), accept);
        }

        /** Matches routes whose AS path starts with {@code ases}. */
        public static Rule asPathPrefix(boolean accept, long... ases) {
            if (ases.length == 0) {
                throw new IllegalArgumentException("an AS path rule needs at least one ASN");
            }
            return new Rule(null, null, 0, 0, List.of(), Arrays.stream(ases).boxed().toList(), accept);
        }

        private static String describe(Match match, List<Community> communities, List<Long> asPathPrefix) {
            return "(" + (match == null ? "" : match + " ") + "communities " + communities + ", asPathPrefix "
                    + asPathPrefix + ")";
        }

        /**
         * Whether the rule matches a route. The speaker runs a compiled form of the same logic
         * on its own tables; this one is the reference.
         *
         * @param asPath the ASNs of the path's leading AS_SEQUENCE segments, up to its first AS_SET
         *               or confederation segment (a prefix cannot reach past a set)
         */
        public boolean matches(Cidr prefix, Collection<Community> routeCommunities, List<Long> asPath) {
            if (cidr != null) {
                if (prefix.isIpv4() != cidr.isIpv4()) {
                    return false;
                }
                boolean in = cidr.contains(prefix)
                        && prefix.prefixLength() >= (minLength == 0 ? cidr.prefixLength() : minLength)
                        && prefix.prefixLength() <= (maxLength == 0 ? cidr.addressBits() : maxLength);
                boolean equal = cidr.equals(prefix);
                boolean prefixMatches = switch (match) {
                    case EQUAL -> equal;
                    case NOT_EQUAL -> !equal;
                    case IN -> in;
                    case NOT_IN -> !in;
                };
                if (!prefixMatches) {
                    return false;
                }
            }
            return routeCommunities.containsAll(communities) && asPath.size() >= asPathPrefix.size()
                    && asPath.subList(0, asPathPrefix.size()).equals(asPathPrefix);
        }
    }

    public RouteFilter {
        rules = List.copyOf(rules);
    }

    /** Whether a route to {@code prefix} with no communities and an empty AS path passes. */
    public boolean accepts(Cidr prefix) {
        return accepts(prefix, List.of(), List.of());
    }

    /** Whether a route passes (the reference for the speaker's compiled form). */
    public boolean accepts(Cidr prefix, Collection<Community> communities, List<Long> asPath) {
        for (Rule r : rules) {
            if (r.matches(prefix, communities, asPath)) {
                return r.accept;
            }
        }
        return acceptByDefault;
    }
}
