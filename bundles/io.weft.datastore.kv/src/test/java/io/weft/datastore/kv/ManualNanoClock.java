package io.weft.datastore.kv;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A nano clock that moves only when a test says so, for {@link RevisionedStore}'s lease TTLs.
 * Starts near {@code Long.MAX_VALUE} so TTL arithmetic that is not overflow-safe shows up.
 */
public final class ManualNanoClock implements LongSupplier {
    private final AtomicLong now = new AtomicLong(Long.MAX_VALUE - Duration.ofHours(1).toNanos());

    @Override
    public long getAsLong() {
        return now.get();
    }

    public void advance(Duration time) {
        now.addAndGet(time.toNanos());
    }
}
