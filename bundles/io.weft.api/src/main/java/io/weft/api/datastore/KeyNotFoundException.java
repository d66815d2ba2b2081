package io.weft.api.datastore;

/** An update or delete named a key that does not exist. */
public class KeyNotFoundException extends DatastoreException {
    private static final long serialVersionUID = 1L;
    private final String key;

    public KeyNotFoundException(String key) {
        super("key " + key + " does not exist");
        this.key = key;
    }

    /** With a message in the caller's terms, e.g. "resource does not exist: IPPool(pool1)". */
    public KeyNotFoundException(String key, String message) {
        super(message);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
