package io.weft.bgp.internal;

import java.lang.ref.WeakReference;
import java.util.WeakHashMap;

/**
 * Shares equal attribute sets. Weakly held: a set no RIB refers to any more is collected, so the
 * table does not grow with churn.
 */
final class AttributeInterner {
    private final WeakHashMap<PathAttributes, WeakReference<PathAttributes>> sets = new WeakHashMap<>();

    PathAttributes intern(PathAttributes attributes) {
        WeakReference<PathAttributes> ref = sets.get(attributes);
        PathAttributes existing = ref == null ? null : ref.get();
        if (existing != null) {
            return existing;
        }
        sets.put(attributes, new WeakReference<>(attributes));
        return attributes;
    }

    int size() {
        return sets.size();
    }
}
