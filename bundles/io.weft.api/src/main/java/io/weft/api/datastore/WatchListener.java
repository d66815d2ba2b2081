package io.weft.api.datastore;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives a watch's snapshot and deltas. Calls for one watch never overlap and arrive in
 * revision order; they come from a provider thread, so a listener hands slow work elsewhere.
 */
@ConsumerType
public interface WatchListener {

    /**
     * The full state under the watched prefix. Sent first when the watch started from
     * {@link Datastore#FROM_SNAPSHOT}, and again whenever the provider could not deliver every
     * delta since the last call (an etcd compaction, a long disconnect): the listener then
     * replaces its whole view with this one.
     */
    void onSnapshot(Snapshot snapshot);

    /** Changes after the last snapshot or batch, in revision order, never empty. */
    void onEvents(List<WatchEvent> events);

    /**
     * The watch ended and no more calls follow: closed by its owner ({@code cause == null}), or
     * ended by the provider (store stopped, unrecoverable error). Watching again is the caller's
     * decision.
     */
    default void onClosed(DatastoreException cause) {
    }
}
