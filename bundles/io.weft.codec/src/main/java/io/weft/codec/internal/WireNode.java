package io.weft.codec.internal;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * A parsed YAML or JSON document before it is mapped onto the model: mappings keep their key
 * order and duplicate keys, scalars keep the exact text the user wrote ({@code 1.10} stays
 * {@code 1.10}, not the double 1.1), and every node knows its line for error messages.
 */
sealed interface WireNode permits WireNode.Mapping, WireNode.Sequence, WireNode.Scalar {

    /** 1-based line the node starts on, or 0 when unknown. */
    int line();

    record Mapping(Map<String, WireNode> fields, List<String> duplicateKeys, int line) implements WireNode {
    }

    record Sequence(List<WireNode> items, int line) implements WireNode {
    }

    /**
     * @param integer the value of an {@link Type#INT} scalar (YAML allows {@code 0x1F}, so the text alone is
     *        not enough); null for other types
     */
    record Scalar(Type type, String text, BigInteger integer, int line) implements WireNode {

        enum Type { STRING, INT, FLOAT, BOOLEAN, NULL }

        /** For a {@link Type#BOOLEAN}: YAML 1.1 reads yes, on, y (any case) as true, as Go's YAML does. */
        boolean isTrue() {
            String t = text.toLowerCase(java.util.Locale.ROOT);
            return t.equals("true") || t.equals("yes") || t.equals("on") || t.equals("y");
        }

        boolean isNull() {
            return type == Type.NULL;
        }

        /** A YAML {@code key:} with nothing after it, or {@code ~}/{@code null}: Go reads these as absent. */
        boolean isEmpty() {
            return type == Type.NULL || (type == Type.STRING && text.isEmpty());
        }
    }
}
