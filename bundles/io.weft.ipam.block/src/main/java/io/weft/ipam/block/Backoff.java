package io.weft.ipam.block;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Compare-and-swap retry policy. Calico retries a lost race on a block up to 100 times; the
 * random pause, growing with the attempt number, keeps writers that collided once from
 * colliding again in lock step.
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
