package io.weft.api.encap;

/** Programming the kernel failed; the message says what was attempted and the errno. */
public class DataplaneException extends Exception {
    private static final long serialVersionUID = 1L;

    public DataplaneException(String message) {
        super(message);
    }

    public DataplaneException(String message, Throwable cause) {
        super(message, cause);
    }
}
