package io.weft.ipam.hostlocal;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

import io.weft.api.model.IPAMHandle;
import io.weft.api.model.IPAMHandleSpec;
import io.weft.api.model.ObjectMeta;
import io.weft.api.net.Cidr;

/**
 * One node's range and everything allocated from it, stored as one {@code IPAMHandle} named
 * {@code hostlocal.node.<node>}. Its {@code spec.block} stays empty, so the block allocator's
 * check and repair, which compare handles' per-block counts with the blocks, find nothing to
 * correct; the range and the allocations are annotations:
 *
 * <pre>
 * hostlocal.weft.io/node: n1
 * hostlocal.weft.io/range: 10.244.1.0/24
 * hostlocal.weft.io/last: 10.244.1.7                     (the last address handed out)
 * ip.hostlocal.weft.io/10.244.1.5: handle=k8s-pod-network.0a1b&amp;namespace=default&amp;pod=web-0
 * </pre>
 *
 * <p>Every change is an update at the revision read, so two writers never both get an address.
 *
 * @param resource the stored handle (its resourceVersion makes the next update a
 *        compare-and-swap); null for a record not written yet
 */
record NodeRecord(String node, Cidr range, InetAddress last, SortedMap<InetAddress, Allocation> allocations,
        IPAMHandle resource) {

    static final String NAME_PREFIX = "hostlocal.node.";
    static final String NODE = "hostlocal.weft.io/node";
    static final String RANGE = "hostlocal.weft.io/range";
    static final String LAST = "hostlocal.weft.io/last";
    static final String IP_PREFIX = "ip.hostlocal.weft.io/";

    /** IPv4 addresses in numeric order. */
    static final Comparator<InetAddress> ORDER = (a, b) -> Arrays.compareUnsigned(a.getAddress(), b.getAddress());

    private static final Pattern DNS_SUBDOMAIN = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    /** Who holds an address: the handle it is released by, and what the caller recorded with it. */
    record Allocation(String handleId, Map<String, String> attributes) {

        Allocation {
            attributes = attributes == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(attributes));
        }

        /** {@code handle=<id>&key=value...}, URL-encoded: readable with {@code weft:get ipamhandle -o yaml}. */
        String encode() {
            StringBuilder sb = new StringBuilder("handle=").append(enc(handleId));
            attributes.forEach((k, v) -> sb.append('&').append(enc(k)).append('=').append(enc(v)));
            return sb.toString();
        }

        static Allocation decode(String text) {
            String handle = null;
            Map<String, String> attributes = new LinkedHashMap<>();
            for (String pair : text.split("&")) {
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (handle == null && k.equals("handle")) {
                    handle = v;
                } else {
                    attributes.put(k, v);
                }
            }
            if (handle == null || handle.isEmpty()) {
                throw new IllegalArgumentException("allocation '" + text + "' names no handle");
            }
            return new Allocation(handle, attributes);
        }

        private static String enc(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }
    }

    NodeRecord {
        TreeMap<InetAddress, Allocation> copy = new TreeMap<>(ORDER);
        copy.putAll(allocations);
        allocations = Collections.unmodifiableSortedMap(copy);
    }

    /** A node's record before its first write. */
    static NodeRecord fresh(String node, Cidr range) {
        return new NodeRecord(node, range, null, new TreeMap<>(ORDER), null);
    }

    /**
     * The record's resource name. Node names are DNS subdomains in Kubernetes, so they are used
     * as they are; anything else (upper case, too long) is replaced by a digest, and the
     * {@link #NODE} annotation keeps the real name.
     */
    static String name(String node) {
        if (node.length() <= 200 && DNS_SUBDOMAIN.matcher(node).matches()) {
            return NAME_PREFIX + node;
        }
        return NAME_PREFIX + "x-" + HexFormat.of().formatHex(sha256(node), 0, 16);
    }

    static boolean isRecord(IPAMHandle h) {
        return h.metadata().name() != null && h.metadata().name().startsWith(NAME_PREFIX);
    }

    /**
     * @throws IllegalArgumentException if the handle is not a readable node record (hand-edited)
     */
    static NodeRecord of(IPAMHandle h) {
        Map<String, String> a = h.metadata().annotations();
        String node = a.get(NODE);
        String range = a.get(RANGE);
        if (node == null || node.isEmpty() || range == null) {
            throw new IllegalArgumentException("IPAMHandle \"" + h.metadata().name() + "\" lacks its " + NODE
                    + " or " + RANGE + " annotation");
        }
        try {
            TreeMap<InetAddress, Allocation> allocations = new TreeMap<>(ORDER);
            for (Map.Entry<String, String> e : a.entrySet()) {
                if (e.getKey().startsWith(IP_PREFIX)) {
                    allocations.put(Cidr.parseAddress(e.getKey().substring(IP_PREFIX.length())),
                            Allocation.decode(e.getValue()));
                }
            }
            String last = a.get(LAST);
            return new NodeRecord(node, Cidr.parse(range), last == null ? null : Cidr.parseAddress(last),
                    allocations, h);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("IPAMHandle \"" + h.metadata().name() + "\" cannot be read: "
                    + e.getMessage(), e);
        }
    }

    IPAMHandle toResource() {
        Map<String, String> a = new TreeMap<>();
        if (resource != null) {
            // keep annotations others put there (an operator's note), replace ours
            resource.metadata().annotations().forEach((k, v) -> {
                if (!k.equals(NODE) && !k.equals(RANGE) && !k.equals(LAST) && !k.startsWith(IP_PREFIX)) {
                    a.put(k, v);
                }
            });
        }
        a.put(NODE, node);
        a.put(RANGE, range.toString());
        if (last != null) {
            a.put(LAST, Cidr.format(last));
        }
        allocations.forEach((ip, alloc) -> a.put(IP_PREFIX + Cidr.format(ip), alloc.encode()));
        String name = name(node);
        ObjectMeta meta = resource == null ? ObjectMeta.named(name) : resource.metadata();
        return new IPAMHandle(meta.withAnnotations(a), new IPAMHandleSpec(name, Map.of(), false));
    }

    NodeRecord withRange(Cidr newRange) {
        return new NodeRecord(node, newRange, last, allocations, resource);
    }

    /** Adds allocations; {@code last} moves to the highest-placed one in the round-robin order. */
    NodeRecord withAllocated(Collection<InetAddress> addresses, Allocation allocation, InetAddress newLast) {
        TreeMap<InetAddress, Allocation> copy = new TreeMap<>(allocations);
        for (InetAddress a : addresses) {
            copy.put(a, allocation);
        }
        return new NodeRecord(node, range, newLast == null ? last : newLast, copy, resource);
    }

    NodeRecord without(Collection<InetAddress> addresses) {
        TreeMap<InetAddress, Allocation> copy = new TreeMap<>(allocations);
        copy.keySet().removeAll(addresses);
        return new NodeRecord(node, range, last, copy, resource);
    }

    /** Number of allocations inside the current range (some may be in a former one). */
    int inUse() {
        return (int) allocations.keySet().stream().filter(range::contains).count();
    }

    static boolean isIpv4(InetAddress a) {
        return a instanceof Inet4Address;
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
