package io.weft.api.datastore;

/**
 * The store cannot be reached or is not running (etcd down, embedded store closed). The
 * message names the endpoint or directory and what to check.
 */
public class DatastoreUnavailableException extends DatastoreException {
    private static final long serialVersionUID = 1L;

    public DatastoreUnavailableException(String message) {
        super(message);
    }

    public DatastoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
