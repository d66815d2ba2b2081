package io.weft.api.status;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The stored form of the status values components publish in the datastore: one {@code key=value}
 * line per field, readable with {@code etcdctl get} and by any version that knows the field names.
 * Reading names the subject ("agent status of node-1") and the field in every error.
 *
 * @since 0.3.0
 */
public final class StatusLines {

    private final String subject;
    private final Map<String, String> fields;

    private StatusLines(String subject, Map<String, String> fields) {
        this.subject = subject;
        this.fields = fields;
    }

    /** {@code fields} as lines, in their order; line breaks inside values become spaces. */
    public static byte[] encode(Map<String, String> fields) {
        StringBuilder text = new StringBuilder();
        fields.forEach((k, v) -> text.append(k).append('=').append(v.replace('\r', ' ').replace('\n', ' ')).append('\n'));
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads stored lines. {@code kind} ("agent status") and the {@code node=} field name the value
     * in errors.
     *
     * @throws IllegalArgumentException when there is no {@code node=} line
     */
    public static StatusLines decode(byte[] stored, String kind) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : new String(stored, StandardCharsets.UTF_8).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                fields.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        String node = fields.get("node");
        if (node == null || node.isEmpty()) {
            throw new IllegalArgumentException(kind + " has no node= line");
        }
        return new StatusLines(kind + " of " + node, Collections.unmodifiableMap(fields));
    }

    /** The {@code node=} field. */
    public String node() {
        return fields.get("node");
    }

    /** A field as stored, or null when absent. */
    public String get(String field) {
        return fields.get(field);
    }

    /** A field as stored, or {@code otherwise} when absent. */
    public String getOrDefault(String field, String otherwise) {
        return fields.getOrDefault(field, otherwise);
    }

    /** A field that must be present and not empty. */
    public String required(String field) {
        String v = fields.get(field);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException(subject + ": " + field + " is missing");
        }
        return v;
    }

    /** A whole number; {@code otherwise} when absent or empty. */
    public long number(String field, long otherwise) {
        String v = fields.getOrDefault(field, "");
        if (v.isEmpty()) {
            return otherwise;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(subject + ": " + field + "=" + v + " is not a number");
        }
    }

    /** A whole number that must be present. */
    public long number(String field) {
        required(field);
        return number(field, 0);
    }

    /** An ISO-8601 instant; null when absent or empty. */
    public Instant instant(String field) {
        String v = fields.getOrDefault(field, "");
        if (v.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(subject + ": " + field + "=" + v + " is not an ISO-8601 instant");
        }
    }

    /** "agent status of node-1": for errors about this value. */
    public String subject() {
        return subject;
    }
}
