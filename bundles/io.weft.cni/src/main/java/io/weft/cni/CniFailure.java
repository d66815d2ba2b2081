package io.weft.cni;

/**
 * A CNI error result: the code the runtime sees (CNI spec "Error" section), a short message and
 * details that say what to fix. Thrown anywhere in request handling; the server turns it into the
 * error JSON and exit code.
 */
final class CniFailure extends Exception {

    static final int INCOMPATIBLE_VERSION = 1;
    static final int UNSUPPORTED_FIELD = 2;
    static final int UNKNOWN_CONTAINER = 3;
    static final int INVALID_ENVIRONMENT = 4;
    static final int IO_FAILURE = 5;
    static final int DECODING_FAILURE = 6;
    static final int INVALID_NETWORK_CONFIG = 7;
    static final int TRY_AGAIN_LATER = 11;
    /** CNI 1.1 STATUS: the plugin cannot serve ADD now. */
    static final int PLUGIN_NOT_AVAILABLE = 50;
    /** Weft-specific (100+): IPAM could not hand out an address (pool exhausted, no pool). */
    static final int IPAM_FAILURE = 100;
    /** Weft-specific: the kernel refused part of the wiring. */
    static final int DATAPLANE_FAILURE = 101;
    /** Weft-specific: CHECK found the pod's network differs from what ADD set up. */
    static final int CHECK_FAILED = 102;
    /** Weft-specific: the datastore refused or could not be reached. */
    static final int DATASTORE_FAILURE = 103;

    private final int code;
    private final String details;

    CniFailure(int code, String message, String details) {
        super(message);
        this.code = code;
        this.details = details == null ? "" : details;
    }

    CniFailure(int code, String message, String details, Throwable cause) {
        this(code, message, details);
        initCause(cause);
    }

    int code() {
        return code;
    }

    String details() {
        return details;
    }
}
