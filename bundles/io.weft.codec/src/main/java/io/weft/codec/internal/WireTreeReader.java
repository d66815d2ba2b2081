package io.weft.codec.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

/**
 * Turns YAML or JSON text into {@link WireNode} documents with Jackson's streaming parsers.
 *
 * <p>Jackson's own tree model is not used because it loses what the error messages and Calico's
 * number rules need: line numbers, duplicate keys and the literal text of numbers.
 */
final class WireTreeReader {

    private static final Pattern MARK = Pattern.compile("in '(?:reader|string)', line (\\d+), column (\\d+)");

    /** Both factories are thread-safe once built. */
    private static final YAMLFactory YAML = YAMLFactory.builder().build();
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private WireTreeReader() {
    }

    /** The text could not be parsed at all; the message names the line. */
    static final class MalformedTextException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedTextException(String message) {
            super(message);
        }
    }

    /**
     * Every document in {@code text}: one per YAML {@code ---} section (empty ones skipped), or
     * one per top-level JSON value.
     */
    static List<WireNode> documents(String text) throws MalformedTextException {
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        if (looksLikeJson(body)) {
            try {
                return parse(JSON, body);
            } catch (MalformedTextException jsonProblem) {
                // Flow-style YAML ({kind: IPPool, ...}) also starts with a brace; only if it is not
                // YAML either is the JSON error the one to show.
                try {
                    return parse(YAML, indentationWithSpaces(body));
                } catch (MalformedTextException yamlProblem) {
                    throw jsonProblem;
                }
            }
        }
        return parse(YAML, indentationWithSpaces(body));
    }

    /**
     * YAML copied from web pages often comes with no-break spaces (U+00A0) for indentation and
     * at line ends, which YAML does not count as white space: indentation would become part of
     * the keys and a trailing one part of the value. Those in the leading and trailing white
     * space of a line are turned into spaces; no-break spaces between other characters stay.
     */
    static String indentationWithSpaces(String text) {
        if (text.indexOf('\u00A0') < 0) {
            return text;
        }
        String[] lines = text.split("\n", -1);
        StringBuilder out = new StringBuilder(text.length());
        for (int n = 0; n < lines.length; n++) {
            char[] line = lines[n].toCharArray();
            for (int i = 0; i < line.length && (line[i] == ' ' || line[i] == '\u00A0'); i++) {
                line[i] = ' ';
            }
            for (int i = line.length - 1; i >= 0 && (line[i] == ' ' || line[i] == '\u00A0' || line[i] == '\r'); i--) {
                if (line[i] == '\u00A0') {
                    line[i] = ' ';
                }
            }
            out.append(line);
            if (n < lines.length - 1) {
                out.append('\n');
            }
        }
        return out.toString();
    }

    private static boolean looksLikeJson(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isWhitespace(c)) {
                return c == '{' || c == '[';
            }
        }
        return false;
    }

    private static List<WireNode> parse(JsonFactory factory, String text) throws MalformedTextException {
        List<WireNode> documents = new ArrayList<>();
        try (JsonParser parser = factory.createParser(text)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                WireNode node = read(parser, token);
                if (node instanceof WireNode.Scalar scalar && scalar.isEmpty()) {
                    continue; // an empty YAML document, e.g. after a trailing "---"
                }
                documents.add(node);
            }
        } catch (JsonProcessingException e) {
            throw new MalformedTextException(describe(factory == YAML ? "YAML" : "JSON", e));
        } catch (IOException e) {
            throw new MalformedTextException("cannot read the text: " + e.getMessage());
        }
        return documents;
    }

    private static WireNode read(JsonParser parser, JsonToken token) throws IOException {
        if (token == null) {
            throw new JsonParseProblem(parser, "the text ends where a value was expected");
        }
        int line = line(parser.currentTokenLocation());
        switch (token) {
            case START_OBJECT: {
                Map<String, WireNode> fields = new LinkedHashMap<>();
                List<String> duplicates = new ArrayList<>();
                JsonToken next;
                while ((next = parser.nextToken()) != JsonToken.END_OBJECT) {
                    if (next == null) {
                        throw new JsonParseProblem(parser, "the text ends inside a mapping");
                    }
                    String name = parser.currentName();
                    WireNode value = read(parser, parser.nextToken());
                    if (fields.containsKey(name)) {
                        duplicates.add(name);
                    } else {
                        fields.put(name, value);
                    }
                }
                return new WireNode.Mapping(fields, duplicates, line);
            }
            case START_ARRAY: {
                List<WireNode> items = new ArrayList<>();
                JsonToken next;
                while ((next = parser.nextToken()) != JsonToken.END_ARRAY) {
                    if (next == null) {
                        throw new JsonParseProblem(parser, "the text ends inside a list");
                    }
                    items.add(read(parser, next));
                }
                return new WireNode.Sequence(items, line);
            }
            case VALUE_STRING:
                if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
                    throw new JsonParseProblem(parser, "YAML aliases (*" + parser.getText()
                            + ") are not supported; write the value out in full");
                }
                return new WireNode.Scalar(WireNode.Scalar.Type.STRING, parser.getText(), null, line);
            case VALUE_NUMBER_INT:
                return new WireNode.Scalar(WireNode.Scalar.Type.INT, parser.getText(), parser.getBigIntegerValue(),
                        line);
            case VALUE_NUMBER_FLOAT:
                return new WireNode.Scalar(WireNode.Scalar.Type.FLOAT, parser.getText(), null, line);
            case VALUE_TRUE:
            case VALUE_FALSE:
                // The text as written (yes, On, True …), so that a label value "yes" stays "yes".
                return new WireNode.Scalar(WireNode.Scalar.Type.BOOLEAN, parser.getText(), null, line);
            case VALUE_NULL:
                return new WireNode.Scalar(WireNode.Scalar.Type.NULL, "", null, line);
            default:
                throw new JsonParseProblem(parser, "unexpected " + token);
        }
    }

    private static int line(JsonLocation location) {
        return location == null ? 0 : location.getLineNr();
    }

    /** Carries our own syntax complaints through Jackson's exception type. */
    private static final class JsonParseProblem extends JsonProcessingException {
        private static final long serialVersionUID = 1L;

        JsonParseProblem(JsonParser parser, String message) {
            super(message, parser.currentTokenLocation());
        }
    }

    /**
     * "YAML is malformed at line 2, column 7: mapping values are not allowed here (…)". SnakeYAML's
     * own message repeats the source with carets; only its sentences are kept.
     */
    static String describe(String format, JsonProcessingException e) {
        JsonLocation location = e.getLocation();
        StringBuilder reason = new StringBuilder();
        String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        for (String line : original.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("in 'reader'") || trimmed.startsWith("in 'string'")
                    || trimmed.startsWith("at [Source") || trimmed.equals("^") || line.startsWith("    ")) {
                continue;
            }
            if (reason.length() > 0) {
                reason.append(": ");
            }
            reason.append(trimmed);
        }
        String message = reason.toString();
        if (message.contains("mapping values are not allowed here")) {
            message += " (is this line indented differently from the line before, or is a ': ' inside an"
                    + " unquoted value?)";
        }
        // SnakeYAML marks the context first and the problem last; the problem is where to look.
        Matcher mark = MARK.matcher(original);
        String where = "";
        while (mark.find()) {
            where = " at line " + mark.group(1) + ", column " + mark.group(2);
        }
        if (where.isEmpty() && location != null && location.getLineNr() > 0) {
            where = " at line " + location.getLineNr() + ", column " + location.getColumnNr();
        }
        return format + " is malformed" + where + ": " + message;
    }
}
