package io.weft.ipam.hostlocal;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Compare-and-swap retry policy, as the block allocator's: a bounded number of attempts with a
 * random pause growing with the attempt, so writers that collided once do not collide again in
 * lock step. All of a node's allocations are one resource, so its own concurrent requests are
 * what usually collide.
 */
final class Backoff {

    /** Attempts per write before giving up with {@code CONFLICT}. */
    static final int MAX_ATTEMPTS = 100;

    private static final long BASE_MICROS = 50;
    private static final long CAP_MICROS = 5_000;

    private Backoff() {
    }

    /** Sleeps a random time in [0, min(50µs·2^attempt, 5ms)]. */
    static void pause(int attempt) {
        long bound = Math.min(BASE_MICROS << Math.min(attempt, 10), CAP_MICROS);
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(bound + 1) * 1_000L);
    }
}
