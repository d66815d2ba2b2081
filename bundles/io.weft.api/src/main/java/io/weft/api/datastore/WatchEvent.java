package io.weft.api.datastore;

import java.util.Objects;

/**
 * One change to a key, delivered to watchers in revision order.
 *
 * @param type     whether the key was written or deleted
 * @param current  for {@link Type#PUT} the new key-value; for {@link Type#DELETE} the key with an
 *                 empty value, whose {@code modRevision} is the revision of the deletion
 * @param previous the key-value before the change, or {@code null} when it did not exist or the
 *                 provider cannot tell (etcd only reports it when asked)
 */
public record WatchEvent(Type type, KeyValue current, KeyValue previous) {

    public enum Type { PUT, DELETE }

    public WatchEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(current, "current");
    }

    public String key() {
        return current.key();
    }

    /** The store revision at which this change happened. */
    public long revision() {
        return current.modRevision();
    }
}
