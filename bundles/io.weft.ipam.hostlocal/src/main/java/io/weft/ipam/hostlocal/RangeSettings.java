package io.weft.ipam.hostlocal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import io.weft.api.net.Cidr;

/**
 * The parsed configuration: fixed ranges by node and the prefix length of derived ranges.
 * Parsing fails with a message naming the entry and the fix, which every IPAM call then
 * repeats, so a typo in the file is visible where addresses are asked for.
 */
record RangeSettings(Map<String, Cidr> fixed, int prefixLength) {

    static final int DEFAULT_PREFIX_LENGTH = 24;
    /**
     * A node's allocations live in one resource, whose annotations are limited to 256 KiB: a /22
     * (1022 addresses at about 200 bytes each) is the largest range that fits.
     */
    static final int LONGEST_RANGE = 22;
    static final int SHORTEST_DERIVED_RANGE = 30;

    static final RangeSettings DEFAULTS = new RangeSettings(Map.of(), DEFAULT_PREFIX_LENGTH);

    RangeSettings {
        fixed = Collections.unmodifiableMap(new LinkedHashMap<>(fixed));
    }

    static RangeSettings of(HostLocalConfig config) {
        return parse(config.ranges(), config.rangePrefixLength());
    }

    /**
     * @throws IllegalArgumentException naming the bad entry and the fix
     */
    static RangeSettings parse(String ranges, int prefixLength) {
        String where = "configuration " + HostLocalConfig.PID + ": ";
        if (prefixLength < LONGEST_RANGE || prefixLength > SHORTEST_DERIVED_RANGE) {
            throw new IllegalArgumentException(where + "rangePrefixLength " + prefixLength + " is out of range "
                    + LONGEST_RANGE + "–" + SHORTEST_DERIVED_RANGE + "; use e.g. 24");
        }
        Map<String, Cidr> fixed = new LinkedHashMap<>();
        if (ranges != null) {
            for (String entry : ranges.split("[,\\s]+")) {
                if (entry.isEmpty()) {
                    continue;
                }
                int eq = entry.indexOf('=');
                String node = eq < 0 ? "" : entry.substring(0, eq).trim();
                String text = eq < 0 ? "" : entry.substring(eq + 1).trim();
                if (node.isEmpty() || text.isEmpty()) {
                    throw new IllegalArgumentException(where + "ranges entry '" + entry
                            + "' is not node=cidr; write e.g. node1=10.244.1.0/24");
                }
                Cidr cidr;
                try {
                    cidr = Cidr.parse(text);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + "ranges entry '" + entry + "': " + e.getMessage(), e);
                }
                if (text.indexOf('/') < 0 || !cidr.isIpv4()) {
                    throw new IllegalArgumentException(where + "ranges entry '" + entry
                            + "' must be an IPv4 network with a prefix length, e.g. " + node + "=10.244.1.0/24");
                }
                if (cidr.prefixLength() < LONGEST_RANGE) {
                    throw new IllegalArgumentException(where + "ranges entry '" + entry + "': a range holds at most a /"
                            + LONGEST_RANGE + " (1022 addresses); split it or give the node a smaller one");
                }
                if (!cidr.toString().equals(text)) {
                    throw new IllegalArgumentException(where + "ranges entry '" + entry + "' has host bits set; use "
                            + node + "=" + cidr);
                }
                if (fixed.containsKey(node)) {
                    throw new IllegalArgumentException(where + "node " + node + " has two ranges (" + fixed.get(node)
                            + ", " + cidr + "); keep one");
                }
                for (Map.Entry<String, Cidr> other : fixed.entrySet()) {
                    if (other.getValue().overlaps(cidr)) {
                        throw new IllegalArgumentException(where + "ranges of " + other.getKey() + " ("
                                + other.getValue() + ") and " + node + " (" + cidr + ") overlap; give each node its own");
                    }
                }
                fixed.put(node, cidr);
            }
        }
        return new RangeSettings(fixed, prefixLength);
    }
}
