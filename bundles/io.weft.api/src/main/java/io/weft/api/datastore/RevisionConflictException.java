package io.weft.api.datastore;

/**
 * A compare-and-swap lost: the key changed since the caller read it. The usual answer is to
 * re-read {@link #current()}, re-apply the change and try again (bounded).
 */
public class RevisionConflictException extends DatastoreException {
    private static final long serialVersionUID = 1L;
    private final transient KeyValue current;
    private final long expectedRevision;

    public RevisionConflictException(KeyValue current, long expectedRevision) {
        super("key " + current.key() + " is at revision " + current.modRevision()
                + ", not the expected " + expectedRevision + "; re-read it and retry");
        this.current = current;
        this.expectedRevision = expectedRevision;
    }

    /** What is stored under the key now. */
    public KeyValue current() {
        return current;
    }

    public long expectedRevision() {
        return expectedRevision;
    }
}
