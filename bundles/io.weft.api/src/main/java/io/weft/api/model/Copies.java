package io.weft.api.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Defensive copies for record components: absent collections become empty ones so callers never
 * null-check, and maps are sorted by key because Go (and so calicoctl and etcd values written by
 * Calico) always emits map keys in sorted order.
 */
final class Copies {

    private Copies() {
    }

    static <T> List<T> list(List<T> source) {
        return source == null ? List.of() : List.copyOf(source);
    }

    /** For lists where a null element carries meaning, such as a free slot in a block's allocations. */
    static <T> List<T> listWithNulls(List<T> source) {
        return source == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(source));
    }

    static <V> Map<String, V> sortedMap(Map<String, V> source) {
        if (source == null || source.isEmpty()) {
            return Map.of();
        }
        // a sorted view, so that copying it again (a block's sequence numbers on every write) is
        // TreeMap's linear build from sorted input, not one insertion per key
        return Collections.unmodifiableSortedMap(new TreeMap<>(source));
    }

    /**
     * For labels and annotations: YAML {@code key:} with no value reads as null, which Kubernetes
     * (a Go map of strings) stores as the empty string.
     */
    static Map<String, String> stringMap(Map<String, String> source) {
        if (source == null || source.isEmpty()) {
            return Map.of();
        }
        TreeMap<String, String> copy = new TreeMap<>();
        source.forEach((k, v) -> copy.put(k, v == null ? "" : v));
        return Collections.unmodifiableSortedMap(copy);
    }
}
