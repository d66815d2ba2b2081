package io.weft.datastore.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.Snapshot;
import io.weft.api.datastore.WatchEvent;
import io.weft.api.datastore.WatchListener;

/**
 * Records what a watch delivers, in order, and checks the listener contract as it goes: calls
 * never overlap and event batches are never empty.
 */
public final class WatchRecorder implements WatchListener {

    /** How long to wait for a delivery that must come. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** A recorded {@link WatchListener#onClosed} call. */
    public record Closed(DatastoreException cause) {
    }

    private final BlockingQueue<Object> calls = new LinkedBlockingQueue<>();
    private final AtomicBoolean inCall = new AtomicBoolean();
    private volatile String violation;

    @Override
    public void onSnapshot(Snapshot snapshot) {
        record(snapshot);
    }

    @Override
    public void onEvents(List<WatchEvent> events) {
        if (events.isEmpty()) {
            violation = "onEvents was called with an empty batch";
        }
        record(List.copyOf(events));
    }

    @Override
    public void onClosed(DatastoreException cause) {
        record(new Closed(cause));
    }

    private void record(Object call) {
        if (!inCall.compareAndSet(false, true)) {
            violation = "two listener calls overlapped";
        }
        try {
            Thread.sleep(1); // widen the window in which an overlapping call would be caught
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        calls.add(call);
        inCall.set(false);
    }

    private Object next(String expected) throws InterruptedException {
        Object call = calls.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertNull(violation, violation);
        assertNotNull(call, "no " + expected + " within " + TIMEOUT);
        return call;
    }

    /** The next call, which must be {@code onSnapshot}. */
    public Snapshot nextSnapshot() throws InterruptedException {
        Object call = next("snapshot");
        return assertInstanceOf(Snapshot.class, call, "expected a snapshot, got " + call);
    }

    /**
     * The next {@code count} events, however the store batched them; fails on a snapshot or close
     * in between, or on a batch that runs past {@code count}.
     */
    public List<WatchEvent> nextEvents(int count) throws InterruptedException {
        List<WatchEvent> events = new ArrayList<>();
        while (events.size() < count) {
            Object call = next(count + " events (have " + describe(events) + ")");
            if (!(call instanceof List<?> batch)) {
                fail("expected events, got " + call + " after " + describe(events));
                return events;
            }
            for (Object e : batch) {
                events.add((WatchEvent) e);
            }
        }
        assertEquals(count, events.size(), "more events than expected: " + describe(events));
        return events;
    }

    /** The next {@code count} events, each as {@link #describe(WatchEvent)} writes it. */
    public List<String> nextEventLines(int count) throws InterruptedException {
        return describe(nextEvents(count));
    }

    /** The next call, which must be {@code onClosed}. */
    public Closed nextClose() throws InterruptedException {
        Object call = next("onClosed");
        return assertInstanceOf(Closed.class, call, "expected onClosed, got " + call);
    }

    /** Fails if anything is delivered within {@code quiet}. */
    public void assertNothingMore(Duration quiet) throws InterruptedException {
        Object call = calls.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
        assertNull(violation, violation);
        assertNull(call, () -> "unexpected delivery: " + (call instanceof List<?> l ? describeAny(l) : call));
    }

    /** {@code PUT /k=value @rev} or {@code DELETE /k @rev}: one line a test can compare. */
    public static String describe(WatchEvent e) {
        return e.type() == WatchEvent.Type.PUT
                ? "PUT " + e.key() + "=" + e.current().valueAsString() + " @" + e.revision()
                : "DELETE " + e.key() + " @" + e.revision();
    }

    public static List<String> describe(List<WatchEvent> events) {
        List<String> lines = new ArrayList<>();
        for (WatchEvent e : events) {
            lines.add(describe(e));
        }
        return lines;
    }

    private static List<String> describeAny(List<?> events) {
        List<String> lines = new ArrayList<>();
        for (Object e : events) {
            lines.add(describe((WatchEvent) e));
        }
        return lines;
    }
}
