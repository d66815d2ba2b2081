package io.weft.api.datastore;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One stored key with its value and revisions, as etcd v3 models them.
 *
 * @param key            the full key, e.g. {@code /weft/v3/ippools/default-ipv4}
 * @param value          the stored bytes; never modified after construction, so callers must not
 *                       modify the array either (it is shared to avoid copies on hot paths)
 * @param createRevision the store revision at which the key was created
 * @param modRevision    the store revision of the last change; the token for compare-and-swap
 * @param version        number of changes since creation (1 after create)
 * @param leaseId        the lease the key is attached to, or {@link Datastore#NO_LEASE}
 */
public record KeyValue(String key, byte[] value, long createRevision, long modRevision, long version, long leaseId) {

    public KeyValue {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    /** The value decoded as UTF-8, for text values such as JSON. */
    public String valueAsString() {
        return new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyValue other
                && key.equals(other.key)
                && java.util.Arrays.equals(value, other.value)
                && createRevision == other.createRevision
                && modRevision == other.modRevision
                && version == other.version
                && leaseId == other.leaseId;
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, modRevision);
    }

    @Override
    public String toString() {
        return "KeyValue[" + key + " @" + modRevision + ", " + value.length + " bytes]";
    }
}
