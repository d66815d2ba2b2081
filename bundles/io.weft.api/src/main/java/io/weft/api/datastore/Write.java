package io.weft.api.datastore;

import java.util.Objects;

/**
 * One compare-and-swap write of a {@link Datastore#commit} batch.
 *
 * @param type                what to do with the key
 * @param key                 the key
 * @param value               the new value ({@link Type#CREATE}, {@link Type#UPDATE}); null for a delete
 * @param expectedModRevision the revision the key must still have ({@link Type#UPDATE},
 *                            {@link Type#DELETE}); ignored for a create, whose condition is that the
 *                            key does not exist
 */
public record Write(Type type, String key, byte[] value, long expectedModRevision) {

    public enum Type { CREATE, UPDATE, DELETE }

    public Write {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
        if (type != Type.DELETE && value == null) {
            throw new IllegalArgumentException("value of " + key + " must not be null");
        }
    }

    /** Creates {@code key}, which must not exist (no lease). */
    public static Write create(String key, byte[] value) {
        return new Write(Type.CREATE, key, value, 0);
    }

    /** Replaces {@code key} if it is still at {@code expectedModRevision}. */
    public static Write update(String key, byte[] value, long expectedModRevision) {
        return new Write(Type.UPDATE, key, value, expectedModRevision);
    }

    /** Deletes {@code key} if it is still at {@code expectedModRevision}. */
    public static Write delete(String key, long expectedModRevision) {
        return new Write(Type.DELETE, key, null, expectedModRevision);
    }
}
