package io.weft.core;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

import io.weft.api.datastore.KeyValue;
import io.weft.api.model.Resource;

/**
 * Resources decoded from stored bytes, by key, so that reading a value that has not changed
 * since it was last read or written does not decode it again (an IPAM allocation reads the block
 * its previous allocation wrote). An entry is used only when the key's modRevision and its bytes
 * are exactly those it was made from, so a swapped datastore whose revisions collide, or any
 * other writer, can never make it answer with stale content. Bounded: when full it starts over.
 */
final class DecodedResources {

    private record Entry(long modRevision, byte[] bytes, Resource resource) {
    }

    private final int capacity;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    DecodedResources(int capacity) {
        this.capacity = capacity;
    }

    /** The resource decoded from exactly {@code kv}'s bytes at its revision, or null. */
    Resource get(KeyValue kv) {
        Entry e = entries.get(kv.key());
        if (e == null || e.modRevision != kv.modRevision() || !Arrays.equals(e.bytes, kv.value())) {
            return null;
        }
        return e.resource;
    }

    /** Remembers what {@code bytes} at {@code modRevision} decode to (with that resourceVersion). */
    void put(String key, long modRevision, byte[] bytes, Resource resource) {
        if (entries.size() >= capacity) {
            entries.clear(); // rare (a large cluster's listing): simpler than an LRU and still bounded
        }
        entries.put(key, new Entry(modRevision, bytes, resource));
    }

    void forget(String key) {
        entries.remove(key);
    }

    int size() {
        return entries.size();
    }
}
