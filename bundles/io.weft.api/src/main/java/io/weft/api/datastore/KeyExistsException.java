package io.weft.api.datastore;

/** A create found the key already present. */
public class KeyExistsException extends DatastoreException {
    private static final long serialVersionUID = 1L;
    private final transient KeyValue existing;

    public KeyExistsException(KeyValue existing) {
        super("key " + existing.key() + " already exists (revision " + existing.modRevision() + ")");
        this.existing = existing;
    }

    /** With a message in the caller's terms, e.g. "resource already exists: IPPool(pool1)". */
    public KeyExistsException(KeyValue existing, String message) {
        super(message);
        this.existing = existing;
    }

    /** What is stored under the key now. */
    public KeyValue existing() {
        return existing;
    }
}
