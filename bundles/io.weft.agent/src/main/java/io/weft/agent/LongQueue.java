package io.weft.agent;

/** A growable FIFO of {@code long}s in one array (a ring): prefixes waiting for the kernel. */
final class LongQueue {

    private long[] items = new long[64];
    private int head;
    private int size;

    void add(long value) {
        if (size == items.length) {
            long[] bigger = new long[items.length * 2];
            int tail = items.length - head;
            System.arraycopy(items, head, bigger, 0, tail);
            System.arraycopy(items, 0, bigger, tail, head);
            items = bigger;
            head = 0;
        }
        items[(head + size) & (items.length - 1)] = value;
        size++;
    }

    long poll() {
        if (size == 0) {
            throw new java.util.NoSuchElementException("queue is empty");
        }
        long v = items[head];
        head = (head + 1) & (items.length - 1);
        size--;
        return v;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    void clear() {
        head = 0;
        size = 0;
        trim();
    }

    /** Gives back the memory a burst made an empty queue take. */
    void trim() {
        if (size == 0 && items.length > 64) {
            items = new long[64];
            head = 0;
        }
    }
}
