package io.weft.api.resource;

import java.util.List;

/**
 * A resource failed validation. Each problem names the resource, the field and the fix, as in
 * {@code IPPool "default-ipv4": spec.blockSize 33 is out of range 20–32}.
 */
public class InvalidResourceException extends Exception {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    public InvalidResourceException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
