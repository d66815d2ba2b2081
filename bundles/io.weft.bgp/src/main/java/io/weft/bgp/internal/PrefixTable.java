package io.weft.bgp.internal;

import java.util.Arrays;

/**
 * Open-addressing map from a prefix key ({@link Prefixes}) to an object, with an optional int
 * column. One table holds a whole RIB without an object per prefix: a slot costs 8 bytes of key,
 * 4 of reference and, when asked for, 4 of int, divided by the load factor.
 */
final class PrefixTable {
    static final long EMPTY = -1L;
    private static final float LOAD = 0.7f;

    private long[] keys;
    private Object[] values;
    private int[] ints;
    private final boolean withInts;
    private int size;
    private int mask;
    private int limit;

    PrefixTable(int expected, boolean withInts) {
        this.withInts = withInts;
        int cap = Integer.highestOneBit(Math.max(16, (int) (expected / LOAD)) - 1) << 1;
        allocate(cap);
    }

    private void allocate(int cap) {
        keys = new long[cap];
        Arrays.fill(keys, EMPTY);
        values = new Object[cap];
        ints = withInts ? new int[cap] : null;
        mask = cap - 1;
        limit = (int) (cap * LOAD);
    }

    int size() {
        return size;
    }

    private static int hash(long key) {
        // Locality on purpose: runs of consecutive prefixes of one length (a table dump is mostly
        // that) land in runs of 64 consecutive slots, so a million inserts touch each cache line
        // eight times instead of missing on every probe; the 64-slot blocks themselves are
        // scattered by murmur3's finaliser, which keeps probe runs short for any mix of prefixes.
        int length = (int) key & 0xFF;
        int network;
        if (key >= Prefixes.V6_TAG) {
            network = (int) (key - Prefixes.V6_TAG); // registered IPv6 prefixes: their id
            length = 0x100;
        } else {
            int address = (int) (key >>> 8);
            network = length == 0 ? 0 : address >>> (32 - length);
        }
        int block = (network >>> 6) ^ length * 0x9E3779B9;
        block ^= block >>> 16;
        block *= 0x85EBCA6B;
        block ^= block >>> 13;
        block *= 0xC2B2AE35;
        block ^= block >>> 16;
        return (network & 63) | (block << 6);
    }

    private int slot(long key) {
        int i = hash(key) & mask;
        while (true) {
            long k = keys[i];
            if (k == key) {
                return i;
            }
            if (k == EMPTY) {
                return -1 - i;
            }
            i = (i + 1) & mask;
        }
    }

    /** The slot holding {@code key}, or a negative number; read it with {@link #valueAt}/{@link #intAt}. */
    int indexOf(long key) {
        return slot(key);
    }

    Object valueAt(int index) {
        return values[index];
    }

    int intAt(int index) {
        return ints[index];
    }

    Object get(long key) {
        int s = slot(key);
        return s >= 0 ? values[s] : null;
    }

    int getInt(long key, int absent) {
        int s = slot(key);
        return s >= 0 ? ints[s] : absent;
    }

    boolean containsKey(long key) {
        return slot(key) >= 0;
    }

    /** Stores and returns the previous value (null when new). */
    Object put(long key, Object value) {
        return put(key, value, 0);
    }

    Object put(long key, Object value, int intValue) {
        int s = slot(key);
        if (s >= 0) {
            Object old = values[s];
            values[s] = value;
            if (withInts) {
                ints[s] = intValue;
            }
            return old;
        }
        s = -1 - s;
        keys[s] = key;
        values[s] = value;
        if (withInts) {
            ints[s] = intValue;
        }
        if (++size > limit) {
            grow();
        }
        return null;
    }

    /** Stores only when the key is absent, in one probe; returns whether it stored. */
    boolean putIfAbsent(long key, Object value, int intValue) {
        int s = slot(key);
        if (s >= 0) {
            return false;
        }
        s = -1 - s;
        keys[s] = key;
        values[s] = value;
        if (withInts) {
            ints[s] = intValue;
        }
        if (++size > limit) {
            grow();
        }
        return true;
    }

    /** Removes and returns the value, or null when absent. */
    Object remove(long key) {
        int s = slot(key);
        if (s < 0) {
            return null;
        }
        Object old = values[s];
        // backward-shift deletion keeps probe chains intact without tombstones
        int hole = s;
        int i = (s + 1) & mask;
        while (keys[i] != EMPTY) {
            int home = hash(keys[i]) & mask;
            boolean move = hole <= i ? (home <= hole || home > i) : (home <= hole && home > i);
            if (move) {
                keys[hole] = keys[i];
                values[hole] = values[i];
                if (withInts) {
                    ints[hole] = ints[i];
                }
                hole = i;
            }
            i = (i + 1) & mask;
        }
        keys[hole] = EMPTY;
        values[hole] = null;
        size--;
        return old;
    }

    private void grow() {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        int[] oldInts = ints;
        allocate(keys.length * 2);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                put(oldKeys[i], oldValues[i], withInts ? oldInts[i] : 0);
            }
        }
    }

    void clear() {
        Arrays.fill(keys, EMPTY);
        Arrays.fill(values, null);
        size = 0;
    }

    /** Visits every entry; the visitor must not modify this table. */
    void forEach(Visitor visitor) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != EMPTY) {
                visitor.visit(keys[i], values[i], withInts ? ints[i] : 0);
            }
        }
    }

    /** Copies the keys out, for walks that modify the table. */
    LongList keys() {
        LongList out = new LongList(size);
        for (long k : keys) {
            if (k != EMPTY) {
                out.add(k);
            }
        }
        return out;
    }

    interface Visitor {
        void visit(long key, Object value, int intValue);
    }
}
