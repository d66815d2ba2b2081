package io.weft.datastore.etcd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.Snapshot;
import io.weft.api.datastore.WatchEvent;
import io.weft.api.datastore.WatchListener;

/**
 * One watch's queue of listener calls, drained by at most one pooled thread at a time: calls never
 * overlap, keep the order they were queued in, and a slow listener holds up neither Netty's event
 * loop nor other watches. Nothing is delivered until {@link #start()}, so a watch that fails to
 * start says nothing to its listener.
 */
final class OrderedDelivery {

    private static final Logger LOG = LoggerFactory.getLogger(OrderedDelivery.class);

    private final String prefix;
    private final WatchListener listener;
    private final Executor executor;
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private boolean started;
    private boolean draining;
    private boolean ended;

    OrderedDelivery(String prefix, WatchListener listener, Executor executor) {
        this.prefix = prefix;
        this.listener = listener;
        this.executor = executor;
    }

    synchronized void snapshot(Snapshot snapshot) {
        offer(snapshot);
    }

    /** A batch of events, in revision order; never empty. */
    synchronized void events(List<WatchEvent> events) {
        offer(events);
    }

    synchronized void start() {
        started = true;
        kick();
    }

    /** Drops what is still queued and delivers {@code onClosed(cause)} as the last call. */
    synchronized void end(DatastoreException cause) {
        if (ended) {
            return;
        }
        queue.clear();
        queue.addLast(new Ended(cause));
        ended = true;
        started = true;
        kick();
    }

    /** Ends without a word to the listener: the watch never started. */
    synchronized void abandon() {
        queue.clear();
        ended = true;
    }

    private void offer(Object item) {
        if (ended) {
            return;
        }
        queue.addLast(item);
        kick();
    }

    private void kick() {
        if (started && !draining && !queue.isEmpty()) {
            draining = true;
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                draining = false; // the store is shutting down; its watches were ended first
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void drain() {
        while (true) {
            Object item;
            List<WatchEvent> batch = null;
            synchronized (this) {
                item = queue.pollFirst();
                if (item == null) {
                    draining = false;
                    return;
                }
                if (item instanceof List<?> events) {
                    // merge consecutive batches: a busy store delivers fewer, larger calls
                    batch = new ArrayList<>((List<WatchEvent>) events);
                    while (queue.peekFirst() instanceof List<?> more) {
                        batch.addAll((List<WatchEvent>) queue.pollFirst());
                    }
                }
            }
            try {
                if (item instanceof Snapshot snapshot) {
                    listener.onSnapshot(snapshot);
                } else if (batch != null) {
                    listener.onEvents(batch);
                } else if (item instanceof Ended e) {
                    listener.onClosed(e.cause());
                }
            } catch (RuntimeException e) {
                // a failing listener must not stop its own later deliveries
                LOG.warn("watch listener on {} failed", prefix, e);
            }
        }
    }

    private record Ended(DatastoreException cause) {
    }
}
