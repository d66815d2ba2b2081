package io.weft.bgp.internal;

import java.util.Arrays;

/** A growable list of primitive longs (prefix keys) without boxing. */
final class LongList {
    private long[] items;
    private int size;

    LongList(int capacity) {
        items = new long[Math.max(4, capacity)];
    }

    void add(long value) {
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        items[size++] = value;
    }

    long get(int index) {
        return items[index];
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void clear() {
        size = 0;
    }

    /** Runs the decision process for each key (after a peer's table was swapped out). */
    void forEachDecide(Rib rib) {
        for (int i = 0; i < size; i++) {
            rib.decide(items[i]);
        }
    }
}
