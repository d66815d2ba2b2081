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
        // Locality-preserving on purpose: consecutive prefixes of one length (a peer's table is
        // mostly that) land in neighbouring slots, so a million inserts walk memory nearly in
        // order instead of missing the cache on every probe. x ^ x>>>8 ^ x>>>16 ^ x>>>24 is a
        // bijection that folds every address byte into the low bits; the length and the IPv6
        // tag are spread by odd multipliers.
        int x = (int) (key >>> 8);
        return x ^ (x >>> 8) ^ (x >>> 16) ^ (x >>> 24) ^ ((int) key & 0xFF) * 0x9E3779B9
                ^ (int) (key >>> 40) * 0x85EBCA6B;
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
