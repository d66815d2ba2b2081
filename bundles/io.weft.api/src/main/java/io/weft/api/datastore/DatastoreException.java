package io.weft.api.datastore;

/**
 * A datastore operation failed. Subclasses say why in a way callers can act on: retry a
 * compare-and-swap, treat a missing key as done, or report the store unreachable.
 */
public class DatastoreException extends Exception {
    private static final long serialVersionUID = 1L;

    public DatastoreException(String message) {
        super(message);
    }

    public DatastoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
