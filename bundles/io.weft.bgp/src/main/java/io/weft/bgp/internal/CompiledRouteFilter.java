package io.weft.bgp.internal;

import java.util.IdentityHashMap;
import java.util.List;

import io.weft.bgp.Community;
import io.weft.bgp.RouteFilter;

/**
 * A {@link RouteFilter} compiled for the RIB's own representation: prefixes are matched on their
 * long keys (no {@code Cidr} per route) and the attribute conditions (communities, AS path) are
 * evaluated once per interned attribute set, giving a bit per rule, which every prefix sharing
 * the set reuses. Filtering a table allocates only per distinct attribute set. Event-loop only.
 */
final class CompiledRouteFilter implements RoutePolicyHook {
    /** Attribute sets remembered; past this the memory starts afresh (sets come and go with churn). */
    private static final int MASK_CACHE_LIMIT = 50_000;

    private final Prefixes prefixes;
    private final CompiledRule[] rules;
    private final boolean acceptByDefault;
    private final boolean attributeConditions;
    private final IdentityHashMap<PathAttributes, long[]> masks = new IdentityHashMap<>();
    private PathAttributes lastAttributes;
    private long[] lastMask;

    CompiledRouteFilter(RouteFilter filter, Prefixes prefixes) {
        this.prefixes = prefixes;
        this.acceptByDefault = filter.acceptByDefault();
        List<RouteFilter.Rule> source = filter.rules();
        rules = new CompiledRule[source.size()];
        boolean any = false;
        for (int i = 0; i < rules.length; i++) {
            rules[i] = new CompiledRule(source.get(i));
            any |= rules[i].hasAttributeConditions();
        }
        attributeConditions = any;
    }

    @Override
    public boolean accept(long key, PathAttributes attributes) {
        long[] mask = attributeConditions ? maskFor(attributes) : null;
        CompiledRule[] rs = rules;
        for (int i = 0; i < rs.length; i++) {
            if (mask != null && (mask[i >>> 6] & (1L << i)) == 0) {
                continue;
            }
            if (rs[i].hasCidr && !rs[i].prefixMatches(key, prefixes)) {
                continue;
            }
            return rs[i].accept;
        }
        return acceptByDefault;
    }

    /** Bit i: rule i's attribute conditions hold for {@code a}. */
    private long[] maskFor(PathAttributes a) {
        if (a == lastAttributes) { // a table arrives and leaves in runs of one set
            return lastMask;
        }
        long[] mask = masks.get(a);
        if (mask == null) {
            mask = new long[(rules.length + 63) >>> 6];
            for (int i = 0; i < rules.length; i++) {
                if (rules[i].attributesMatch(a)) {
                    mask[i >>> 6] |= 1L << i;
                }
            }
            if (masks.size() >= MASK_CACHE_LIMIT) {
                masks.clear();
            }
            masks.put(a, mask);
        }
        lastAttributes = a;
        lastMask = mask;
        return mask;
    }

    private static final class CompiledRule {
        final boolean accept;
        final boolean hasCidr;
        final boolean v6;
        final RouteFilter.Match match;
        final int cidrLength;
        final int v4Network;
        final byte[] v6Network;
        /** Prefix lengths that count as "in" (RouteFilter.Rule's minLength/maxLength resolved). */
        final int shortest, longest;
        final int[] standard;
        /** Large communities as triples. */
        final int[] large;
        final int[] asPathPrefix;

        CompiledRule(RouteFilter.Rule r) {
            accept = r.accept();
            hasCidr = r.cidr() != null;
            match = r.match();
            if (hasCidr) {
                v6 = !r.cidr().isIpv4();
                cidrLength = r.cidr().prefixLength();
                byte[] net = r.cidr().network().getAddress();
                v6Network = v6 ? net : null;
                v4Network = v6 ? 0 : ((net[0] & 0xFF) << 24) | ((net[1] & 0xFF) << 16) | ((net[2] & 0xFF) << 8) | (net[3] & 0xFF);
                shortest = r.minLength() == 0 ? cidrLength : r.minLength();
                longest = r.maxLength() == 0 ? r.cidr().addressBits() : r.maxLength();
            } else {
                v6 = false;
                cidrLength = 0;
                v6Network = null;
                v4Network = 0;
                shortest = 0;
                longest = 0;
            }
            int standardCount = 0;
            for (Community c : r.communities()) {
                standardCount += c.large() ? 0 : 1;
            }
            standard = new int[standardCount];
            large = new int[(r.communities().size() - standardCount) * 3];
            int s = 0;
            int l = 0;
            for (Community c : r.communities()) {
                if (c.large()) {
                    large[l++] = (int) c.global();
                    large[l++] = (int) c.local1();
                    large[l++] = (int) c.local2();
                } else {
                    standard[s++] = c.standardValue();
                }
            }
            asPathPrefix = r.asPathPrefix().stream().mapToInt(Long::intValue).toArray();
        }

        boolean hasAttributeConditions() {
            return standard.length > 0 || large.length > 0 || asPathPrefix.length > 0;
        }

        boolean prefixMatches(long key, Prefixes prefixes) {
            if (Prefixes.isV6(key) != v6) {
                return false;
            }
            int length;
            boolean within;
            if (!v6) {
                length = Prefixes.length(key);
                int address = Prefixes.v4Address(key);
                within = length >= cidrLength && (cidrLength == 0 || ((address ^ v4Network) >>> (32 - cidrLength)) == 0);
            } else {
                length = prefixes.v6Length(key);
                within = length >= cidrLength && sameLeadingBits(prefixes.v6Address(key), v6Network, cidrLength);
            }
            boolean equal = within && length == cidrLength;
            boolean in = within && length >= shortest && length <= longest;
            return switch (match) {
                case EQUAL -> equal;
                case NOT_EQUAL -> !equal;
                case IN -> in;
                case NOT_IN -> !in;
            };
        }

        private static boolean sameLeadingBits(byte[] a, byte[] b, int bits) {
            int whole = bits >>> 3;
            for (int i = 0; i < whole; i++) {
                if (a[i] != b[i]) {
                    return false;
                }
            }
            int rest = bits & 7;
            return rest == 0 || ((a[whole] ^ b[whole]) & (0xFF << (8 - rest)) & 0xFF) == 0;
        }

        boolean attributesMatch(PathAttributes a) {
            for (int c : standard) {
                if (!contains(a.communities, c)) {
                    return false;
                }
            }
            for (int i = 0; i < large.length; i += 3) {
                if (!containsLarge(a.largeCommunities, large[i], large[i + 1], large[i + 2])) {
                    return false;
                }
            }
            return asPathPrefix.length == 0 || pathStartsWith(a.asPath, asPathPrefix);
        }

        private static boolean contains(int[] values, int v) {
            if (values != null) {
                for (int x : values) {
                    if (x == v) {
                        return true;
                    }
                }
            }
            return false;
        }

        private static boolean containsLarge(int[] triples, int g, int l1, int l2) {
            if (triples != null) {
                for (int i = 0; i + 2 < triples.length; i += 3) {
                    if (triples[i] == g && triples[i + 1] == l1 && triples[i + 2] == l2) {
                        return true;
                    }
                }
            }
            return false;
        }

        /** Over the leading AS_SEQUENCE segments only: a set or confederation segment ends the walk. */
        private static boolean pathStartsWith(int[] path, int[] prefix) {
            int matched = 0;
            for (int i = 0; i < path.length && matched < prefix.length; i += 2 + path[i + 1]) {
                if (path[i] != PathAttributes.AS_SEQUENCE) {
                    return false;
                }
                for (int j = 0; j < path[i + 1] && matched < prefix.length; j++) {
                    if (path[i + 2 + j] != prefix[matched++]) {
                        return false;
                    }
                }
            }
            return matched == prefix.length;
        }
    }
}
