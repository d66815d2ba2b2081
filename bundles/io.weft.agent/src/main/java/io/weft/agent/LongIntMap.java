package io.weft.agent;

import java.util.Arrays;

/**
 * {@code long → int} in two flat arrays (open addressing, linear probing, backward-shift
 * deletion): a learned route costs 12 bytes of payload and no object, where a {@code HashMap}
 * entry with boxed key and value costs about 80. Not thread-safe: the agent's loop thread owns it.
 */
final class LongIntMap {

    /** Marks a free slot; no prefix key (see {@link PrefixKeys}) is negative. */
    private static final long FREE = -1L;

    private long[] keys;
    private int[] values;
    private int size;
    private int mask;

    LongIntMap() {
        this(16);
    }

    LongIntMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 4 / 3 + 1) - 1) << 1;
        keys = new long[capacity];
        values = new int[capacity];
        Arrays.fill(keys, FREE);
        mask = capacity - 1;
    }

    int size() {
        return size;
    }

    private int slot(long key) {
        // Locality on purpose, as in the speaker's PrefixTable: consecutive prefixes of one length
        // (a table load is mostly that, in order) land in runs of 64 consecutive slots, so a
        // million of them touch each cache line several times instead of missing on every probe;
        // the 64-slot blocks are scattered by murmur3's finaliser, which keeps probe runs short.
        int length;
        int network;
        if ((key & PrefixKeys.IPV6) != 0) {
            network = (int) key; // an IPv6 prefix's number
            length = 0x100;
        } else {
            length = (int) key & 0xFF;
            network = length == 0 ? 0 : (int) (key >>> 8) >>> (32 - length);
        }
        int block = (network >>> 6) ^ length * 0x9E3779B9;
        block ^= block >>> 16;
        block *= 0x85EBCA6B;
        block ^= block >>> 13;
        block *= 0xC2B2AE35;
        block ^= block >>> 16;
        return ((network & 63) | (block << 6)) & mask;
    }

    /** The value for {@code key}, or {@code absent}. */
    int get(long key, int absent) {
        for (int i = slot(key);; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                return values[i];
            }
            if (k == FREE) {
                return absent;
            }
        }
    }

    boolean containsKey(long key) {
        for (int i = slot(key);; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                return true;
            }
            if (k == FREE) {
                return false;
            }
        }
    }

    /** Sets {@code key} to {@code value}; returns the previous value or {@code absent}. */
    int put(long key, int value, int absent) {
        for (int i = slot(key);; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                int old = values[i];
                values[i] = value;
                return old;
            }
            if (k == FREE) {
                keys[i] = key;
                values[i] = value;
                if (++size > (mask + 1) * 3 / 4) {
                    grow();
                }
                return absent;
            }
        }
    }

    /** Removes {@code key}; returns its value or {@code absent}. */
    int remove(long key, int absent) {
        for (int i = slot(key);; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == FREE) {
                return absent;
            }
            if (k == key) {
                int old = values[i];
                shiftBack(i);
                size--;
                return old;
            }
        }
    }

    /** Closes the gap at {@code gap} so every later key of the probe run stays reachable. */
    private void shiftBack(int gap) {
        for (int i = (gap + 1) & mask;; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == FREE) {
                keys[gap] = FREE;
                return;
            }
            int home = slot(k);
            // k may move into the gap only if its home is not between the gap and i (cyclically)
            boolean movable = gap <= i ? home <= gap || home > i : home <= gap && home > i;
            if (movable) {
                keys[gap] = k;
                values[gap] = values[i];
                gap = i;
            }
        }
    }

    void clear() {
        Arrays.fill(keys, FREE);
        size = 0;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        Arrays.fill(keys, FREE);
        mask = keys.length - 1;
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != FREE) {
                put(oldKeys[i], oldValues[i], 0);
            }
        }
    }

    /** Calls {@code action} for each entry; the map must not change meanwhile. */
    void forEach(Entry action) {
        long[] k = keys;
        int[] v = values;
        for (int i = 0; i < k.length; i++) {
            if (k[i] != FREE) {
                action.accept(k[i], v[i]);
            }
        }
    }

    /** Bytes held by the two arrays. */
    long footprint() {
        return (long) keys.length * (Long.BYTES + Integer.BYTES);
    }

    @FunctionalInterface
    interface Entry {
        void accept(long key, int value);
    }
}
