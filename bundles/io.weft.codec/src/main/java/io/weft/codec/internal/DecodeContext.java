package io.weft.codec.internal;

import java.util.ArrayList;
import java.util.List;

/** Problems found while mapping documents onto the model, each prefixed with the resource it is about. */
final class DecodeContext {

    /** False for the datastore's own values: fields from a newer Weft are skipped, not fatal. */
    final boolean rejectUnknownFields;
    private final List<String> problems = new ArrayList<>();
    private String subject = "";

    DecodeContext(boolean rejectUnknownFields) {
        this.rejectUnknownFields = rejectUnknownFields;
    }

    /** Who the following problems are about, e.g. {@code IPPool "pool1"}. */
    void subject(String subject) {
        this.subject = subject;
    }

    void add(String message) {
        problems.add(subject.isEmpty() ? message : subject + ": " + message);
    }

    int count() {
        return problems.size();
    }

    List<String> problems() {
        return problems;
    }
}
