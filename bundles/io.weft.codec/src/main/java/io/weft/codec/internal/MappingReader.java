package io.weft.codec.internal;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the fields of one YAML/JSON mapping with Go's encoding rules and remembers which ones were
 * asked for, so that {@link #finish()} can report every field nobody asked for as unknown — with
 * the closest known name when one is within two edits.
 *
 * <p>An absent or null mapping reads like an empty one. Zero values ({@code ""}, and absent
 * fields) read as null, because Go cannot tell them apart either.
 */
final class MappingReader {

    private static final Pattern ACCEPTED = Pattern.compile("\\(accepted values: (.*)\\)");
    private static final BigInteger MAX_UINT32 = BigInteger.valueOf(4_294_967_295L);

    private final DecodeContext context;
    private final WireNode.Mapping node;
    private final String path;
    private final Set<String> unsupported;
    private final Set<String> known = new LinkedHashSet<>();
    private final Set<String> ignored = new LinkedHashSet<>();

    private MappingReader(DecodeContext context, WireNode.Mapping node, String path, String unsupportedKey) {
        this.context = context;
        this.node = node;
        this.path = path;
        this.unsupported = unsupportedKey == null ? Set.of()
                : CalicoKinds.UNSUPPORTED_FIELDS.getOrDefault(unsupportedKey, Set.of());
    }

    /**
     * A reader over {@code node}, which should be a mapping; anything else but an empty value is
     * reported and then read as absent.
     *
     * @param unsupportedKey key into {@link CalicoKinds#UNSUPPORTED_FIELDS}, or null
     */
    static MappingReader of(DecodeContext context, WireNode node, String path, String unsupportedKey) {
        if (node instanceof WireNode.Mapping mapping) {
            return new MappingReader(context, mapping, path, unsupportedKey);
        }
        if (node != null && !(node instanceof WireNode.Scalar scalar && scalar.isEmpty())) {
            context.add(path + " must be a mapping (key: value lines), not " + describe(node));
        }
        return new MappingReader(context, null, path, unsupportedKey);
    }

    boolean present() {
        return node != null;
    }

    String path() {
        return path;
    }

    String pathOf(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    /** The raw node of a field; marks the field as known. */
    WireNode raw(String field) {
        known.add(field);
        return node == null ? null : node.fields().get(field);
    }

    /** Fields that are accepted and dropped (server-set metadata). */
    void ignore(Set<String> fields) {
        ignored.addAll(fields);
    }

    /** Text of a scalar field; numbers and booleans are taken as written. Null when absent or empty. */
    String string(String field) {
        WireNode value = raw(field);
        if (value == null) {
            return null;
        }
        if (value instanceof WireNode.Scalar scalar) {
            return scalar.isEmpty() ? null : scalar.text();
        }
        context.add(pathOf(field) + " must be a single value, not " + describe(value));
        return null;
    }

    Boolean bool(String field) {
        WireNode value = raw(field);
        if (value == null || (value instanceof WireNode.Scalar scalar && scalar.isNull())) {
            return null;
        }
        if (value instanceof WireNode.Scalar scalar && scalar.type() == WireNode.Scalar.Type.BOOLEAN) {
            return scalar.isTrue();
        }
        context.add(pathOf(field) + " must be true or false, not " + describe(value));
        return null;
    }

    boolean flag(String field) {
        return Boolean.TRUE.equals(bool(field));
    }

    Long longValue(String field, long min, long max) {
        WireNode value = raw(field);
        if (value == null || (value instanceof WireNode.Scalar scalar && scalar.isNull())) {
            return null;
        }
        if (value instanceof WireNode.Scalar scalar && scalar.type() == WireNode.Scalar.Type.INT) {
            BigInteger n = scalar.integer();
            if (n.compareTo(BigInteger.valueOf(min)) < 0 || n.compareTo(BigInteger.valueOf(max)) > 0) {
                context.add(pathOf(field) + " " + n + " is out of range " + min + "–" + max);
                return null;
            }
            return n.longValue();
        }
        context.add(pathOf(field) + " must be a whole number, not " + describe(value));
        return null;
    }

    Integer integer(String field, long min, long max) {
        Long n = longValue(field, min, max);
        return n == null ? null : n.intValue();
    }

    /** A Go number where 0 means "not set" ({@code omitempty} on a non-pointer). */
    Integer integerZeroIsUnset(String field, long min, long max) {
        Integer n = integer(field, min, max);
        return n == null || n == 0 ? null : n;
    }

    Double decimal(String field) {
        WireNode value = raw(field);
        if (value == null || (value instanceof WireNode.Scalar scalar && scalar.isNull())) {
            return null;
        }
        if (value instanceof WireNode.Scalar scalar && (scalar.type() == WireNode.Scalar.Type.INT
                || scalar.type() == WireNode.Scalar.Type.FLOAT)) {
            try {
                double d = scalar.type() == WireNode.Scalar.Type.INT ? scalar.integer().doubleValue()
                        : Double.parseDouble(scalar.text());
                if (Double.isFinite(d)) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        context.add(pathOf(field) + " must be a number, not " + describe(value));
        return null;
    }

    /**
     * An AS number: a plain number 0–4294967295, or Calico's dotted {@code <high>.<low>} form
     * ({@code 1.10} is 65546), quoted or not.
     */
    Long asNumber(String field) {
        WireNode value = raw(field);
        if (value == null || (value instanceof WireNode.Scalar scalar && scalar.isEmpty())) {
            return null;
        }
        if (value instanceof WireNode.Scalar scalar) {
            if (scalar.type() == WireNode.Scalar.Type.INT) {
                BigInteger n = scalar.integer();
                if (n.signum() < 0 || n.compareTo(MAX_UINT32) > 0) {
                    context.add(pathOf(field) + " " + n + " is out of range 0–4294967295");
                    return null;
                }
                return n.longValue();
            }
            if (scalar.type() == WireNode.Scalar.Type.FLOAT || scalar.type() == WireNode.Scalar.Type.STRING) {
                Long parsed = parseAsNumber(scalar.text());
                if (parsed != null) {
                    return parsed;
                }
            }
        }
        context.add(pathOf(field) + " " + describe(value)
                + " is not an AS number: use 0–4294967295 or the dotted form <0–65535>.<0–65535>, e.g. 64512 or 1.10");
        return null;
    }

    /** {@code 65001} or dotted {@code 1.10} → 65546; null if neither. */
    static Long parseAsNumber(String text) {
        if (text.matches("[0-9]{1,10}")) {
            long n = Long.parseLong(text);
            return n <= 4_294_967_295L ? n : null;
        }
        Matcher dotted = Pattern.compile("([0-9]{1,5})\\.([0-9]{1,5})").matcher(text);
        if (dotted.matches()) {
            long high = Long.parseLong(dotted.group(1));
            long low = Long.parseLong(dotted.group(2));
            if (high <= 65535 && low <= 65535) {
                return (high << 16) + low;
            }
        }
        return null;
    }

    Duration duration(String field) {
        WireNode value = raw(field);
        if (value == null || (value instanceof WireNode.Scalar scalar && scalar.isEmpty())) {
            return null;
        }
        if (value instanceof WireNode.Scalar scalar && scalar.type() == WireNode.Scalar.Type.STRING) {
            try {
                return GoDuration.parse(scalar.text());
            } catch (IllegalArgumentException e) {
                context.add(pathOf(field) + ": " + e.getMessage());
                return null;
            }
        }
        if (value instanceof WireNode.Scalar scalar && scalar.type() == WireNode.Scalar.Type.INT) {
            context.add(pathOf(field) + " " + scalar.text() + " has no unit; write it as a duration, e.g. "
                    + scalar.text() + "s");
            return null;
        }
        context.add(pathOf(field) + " must be a duration such as 120s or 2m0s, not " + describe(value));
        return null;
    }

    /** An enum by its Calico spelling; a wrong case gets "did you mean". */
    <E> E enumeration(String field, Function<String, E> parse) {
        String text = string(field);
        return text == null ? null : enumValue(pathOf(field), text, parse);
    }

    <E> E enumValue(String fieldPath, String text, Function<String, E> parse) {
        try {
            return parse.apply(text);
        } catch (IllegalArgumentException e) {
            String message = fieldPath + " '" + text + "' is not valid";
            Matcher accepted = ACCEPTED.matcher(e.getMessage() == null ? "" : e.getMessage());
            if (accepted.find()) {
                List<String> values = List.of(accepted.group(1).split(", "));
                message += " (accepted values: " + accepted.group(1) + ")";
                for (String v : values) {
                    if (v.equalsIgnoreCase(text)) {
                        message += "; did you mean " + v + "?";
                    }
                }
            }
            context.add(message);
            return null;
        }
    }

    /** A list of single values; null when absent. */
    List<String> strings(String field) {
        List<WireNode> items = sequence(field);
        if (items == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            WireNode item = items.get(i);
            if (item instanceof WireNode.Scalar scalar && !scalar.isNull()) {
                out.add(scalar.text());
            } else {
                context.add(pathOf(field) + "[" + i + "] must be a single value, not " + describe(item));
            }
        }
        return out;
    }

    /** The items of a list field; null when absent; an error when not a list. */
    List<WireNode> sequence(String field) {
        WireNode value = raw(field);
        if (value == null || (value instanceof WireNode.Scalar scalar && scalar.isEmpty())) {
            return null;
        }
        if (value instanceof WireNode.Sequence sequence) {
            return sequence.items();
        }
        context.add(pathOf(field) + " must be a list (lines starting with '- '), not " + describe(value));
        return null;
    }

    /** A string-to-string map such as labels; {@code key:} with no value reads as "". */
    Map<String, String> stringMap(String field) {
        WireNode value = raw(field);
        if (value == null || (value instanceof WireNode.Scalar scalar && scalar.isEmpty())) {
            return null;
        }
        if (!(value instanceof WireNode.Mapping mapping)) {
            context.add(pathOf(field) + " must be a mapping of names to values, not " + describe(value));
            return null;
        }
        reportDuplicates(pathOf(field), mapping);
        Map<String, String> out = new LinkedHashMap<>();
        mapping.fields().forEach((key, v) -> {
            if (v instanceof WireNode.Scalar scalar) {
                out.put(key, scalar.isNull() ? "" : scalar.text());
            } else {
                context.add(pathOf(field) + "." + key + " must be a single value, not " + describe(v));
            }
        });
        return out;
    }

    /** A map of names to whole numbers in {@code [min, max]}. */
    Map<String, Long> numberMap(String field, long min, long max) {
        WireNode value = raw(field);
        if (value == null || (value instanceof WireNode.Scalar scalar && scalar.isEmpty())) {
            return null;
        }
        if (!(value instanceof WireNode.Mapping mapping)) {
            context.add(pathOf(field) + " must be a mapping of names to numbers, not " + describe(value));
            return null;
        }
        reportDuplicates(pathOf(field), mapping);
        Map<String, Long> out = new LinkedHashMap<>();
        mapping.fields().forEach((key, v) -> {
            if (v instanceof WireNode.Scalar scalar && scalar.type() == WireNode.Scalar.Type.INT
                    && scalar.integer().compareTo(BigInteger.valueOf(min)) >= 0
                    && scalar.integer().compareTo(BigInteger.valueOf(max)) <= 0) {
                out.put(key, scalar.integer().longValue());
            } else {
                context.add(pathOf(field) + "." + key + " must be a whole number " + min + "–" + max + ", not "
                        + describe(v));
            }
        });
        return out;
    }

    MappingReader mapping(String field, String unsupportedKey) {
        return of(context, raw(field), pathOf(field), unsupportedKey);
    }

    /** Each item of a list of mappings; null when the field is absent. */
    List<MappingReader> mappings(String field, String unsupportedKey) {
        List<WireNode> items = sequence(field);
        if (items == null) {
            return null;
        }
        List<MappingReader> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            WireNode item = items.get(i);
            String itemPath = pathOf(field) + "[" + i + "]";
            if (item instanceof WireNode.Mapping) {
                out.add(of(context, item, itemPath, unsupportedKey));
            } else {
                context.add(itemPath + " must be a mapping (key: value lines), not " + describe(item));
            }
        }
        return out;
    }

    /** Reports fields nobody read (unless unknown fields are tolerated) and repeated keys. */
    void finish() {
        if (node == null) {
            return;
        }
        reportDuplicates(path, node);
        if (!context.rejectUnknownFields) {
            return;
        }
        for (String field : node.fields().keySet()) {
            if (known.contains(field) || ignored.contains(field)) {
                continue;
            }
            String where = pathOf(field);
            if (unsupported.contains(field)) {
                context.add(where + " is a Calico field that Weft does not support yet; remove it");
                continue;
            }
            String message = "unknown field " + where;
            message += Suggestions.closest(field, known).map(s -> " (did you mean " + s + "?)").orElse("");
            context.add(message);
        }
    }

    private void reportDuplicates(String where, WireNode.Mapping mapping) {
        for (String duplicate : mapping.duplicateKeys()) {
            String field = where.isEmpty() ? duplicate : where + "." + duplicate;
            context.add(field + " is given more than once; keep one");
        }
    }

    /** How a value the user wrote is shown in messages: {@code "abc"}, {@code 12}, a list, a mapping. */
    static String describe(WireNode node) {
        if (node instanceof WireNode.Mapping) {
            return "a mapping";
        }
        if (node instanceof WireNode.Sequence) {
            return "a list";
        }
        WireNode.Scalar scalar = (WireNode.Scalar) node;
        switch (scalar.type()) {
            case STRING:
                return "\"" + scalar.text() + "\"";
            case NULL:
                return "null";
            default:
                return scalar.text();
        }
    }
}
