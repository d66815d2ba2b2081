package io.weft.api.ipam;

/**
 * An IPAM request could not be satisfied. {@link #reason()} lets callers map the failure (the
 * CNI server returns "try again later" for {@link Reason#CONFLICT} after its retries, a plain
 * error otherwise); the message names the pool and the fix.
 */
public class IpamException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the request failed. */
    public enum Reason {
        /** No enabled pool of the requested family selects the node for this use. */
        NO_POOL,
        /** Every address of the eligible pools is in use, e.g. "pool 10.244.0.0/24 exhausted: 256 of 256 in use". */
        EXHAUSTED,
        /** The request itself is wrong: an address outside every pool, an unknown handle, a bad count. */
        INVALID_REQUEST,
        /** Concurrent writers kept winning the compare-and-swap past the retry limit. */
        CONFLICT,
        /** The datastore failed. */
        DATASTORE
    }

    private final Reason reason;

    public IpamException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public IpamException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
