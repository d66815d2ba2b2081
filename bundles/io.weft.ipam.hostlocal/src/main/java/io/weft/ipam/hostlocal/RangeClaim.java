package io.weft.ipam.hostlocal;

import java.util.Map;
import java.util.TreeMap;

import io.weft.api.model.IPAMHandle;
import io.weft.api.model.IPAMHandleSpec;
import io.weft.api.model.ObjectMeta;
import io.weft.api.net.Cidr;

/**
 * Who owns a range, stored as an {@code IPAMHandle} named after the range
 * ({@code hostlocal.range.10-244-1-0-24}), so that creating it is the compare-and-swap that gives
 * one node a range: of two nodes deriving the same range, one creates the claim and the other
 * sees it taken. A claim given up is kept with no owner (an update at the revision read, never
 * an unconditional delete), so a later owner takes it with a compare-and-swap as well.
 *
 * @param owner the owning node, or null when free
 */
record RangeClaim(Cidr range, String owner, IPAMHandle resource) {

    static final String NAME_PREFIX = "hostlocal.range.";

    static String name(Cidr range) {
        return NAME_PREFIX + range.toString().replace('.', '-').replace('/', '-');
    }

    static boolean isClaim(IPAMHandle h) {
        return h.metadata().name() != null && h.metadata().name().startsWith(NAME_PREFIX);
    }

    /**
     * @throws IllegalArgumentException if the handle is not a readable claim (hand-edited)
     */
    static RangeClaim of(IPAMHandle h) {
        String range = h.metadata().annotations().get(NodeRecord.RANGE);
        if (range == null) {
            throw new IllegalArgumentException("IPAMHandle \"" + h.metadata().name() + "\" lacks its "
                    + NodeRecord.RANGE + " annotation");
        }
        String owner = h.metadata().annotations().get(NodeRecord.NODE);
        return new RangeClaim(Cidr.parse(range), owner == null || owner.isEmpty() ? null : owner, h);
    }

    boolean free() {
        return owner == null;
    }

    RangeClaim withOwner(String node) {
        return new RangeClaim(range, node, resource);
    }

    IPAMHandle toResource() {
        Map<String, String> a = new TreeMap<>();
        if (resource != null) {
            a.putAll(resource.metadata().annotations());
        }
        a.put(NodeRecord.RANGE, range.toString());
        if (owner == null) {
            a.remove(NodeRecord.NODE);
        } else {
            a.put(NodeRecord.NODE, owner);
        }
        String name = name(range);
        ObjectMeta meta = resource == null ? ObjectMeta.named(name) : resource.metadata();
        return new IPAMHandle(meta.withAnnotations(a), new IPAMHandleSpec(name, Map.of(), false));
    }
}
