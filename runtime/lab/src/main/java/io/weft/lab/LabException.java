package io.weft.lab;

/** Something the lab could not do, said so that the user knows what to check or fix. */
class LabException extends Exception {
    private static final long serialVersionUID = 1L;

    LabException(String message) {
        super(message);
    }

    LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
