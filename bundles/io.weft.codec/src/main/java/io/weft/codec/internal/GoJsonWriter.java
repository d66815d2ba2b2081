package io.weft.codec.internal;

import java.math.BigDecimal;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Writes a value tree the way Go's {@code encoding/json} does: keys in the order given (struct
 * order), {@code <}, {@code >} and {@code &} escaped as {@code \u003c} and friends, floats in
 * Go's shortest form. {@link #indented} matches {@code json.MarshalIndent(v, "", "  ")}, which
 * calicoctl uses for {@code -o json}; {@link #compact} matches {@code json.Marshal}, which Calico
 * uses for datastore values.
 */
final class GoJsonWriter {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private GoJsonWriter() {
    }

    static String indented(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value, 0, true);
        return out.toString();
    }

    static String compact(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value, 0, false);
        return out.toString();
    }

    private static void write(StringBuilder out, Object value, int depth, boolean indent) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                out.append("{}");
                return;
            }
            out.append('{');
            Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                newline(out, depth + 1, indent);
                string(out, (String) e.getKey());
                out.append(indent ? ": " : ":");
                write(out, e.getValue(), depth + 1, indent);
                if (it.hasNext()) {
                    out.append(',');
                }
            }
            newline(out, depth, indent);
            out.append('}');
        } else if (value instanceof List<?> list) {
            if (list.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                newline(out, depth + 1, indent);
                write(out, list.get(i), depth + 1, indent);
                if (i < list.size() - 1) {
                    out.append(',');
                }
            }
            newline(out, depth, indent);
            out.append(']');
        } else if (value instanceof String s) {
            string(out, s);
        } else if (value instanceof Double d) {
            out.append(goFloat(d));
        } else if (value instanceof Number || value instanceof Boolean) {
            out.append(value);
        } else {
            throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON");
        }
    }

    private static void newline(StringBuilder out, int depth, boolean indent) {
        if (indent) {
            out.append('\n');
            for (int i = 0; i < depth; i++) {
                out.append("  ");
            }
        }
    }

    private static boolean needsEscape(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c == '\u2028'
                    || c == '\u2029') {
                return true;
            }
        }
        return false;
    }

    /** Go's HTML-safe string escaping. */
    static void string(StringBuilder out, String s) {
        out.append('"');
        if (!needsEscape(s)) {
            // names, CIDRs and handles almost never need escaping: one bulk copy instead of a
            // char-by-char append (most of a stored IPAM block's encoding time otherwise)
            out.append(s).append('"');
            return;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                default:
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                        out.append("\\u").append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF])
                                .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }

    /** Go's {@code encoding/json} float64 format: plain digits, exponent form below 1e-6 or from 1e21. */
    static String goFloat(double d) {
        if (d == 0) {
            return (1 / d < 0) ? "-0" : "0";
        }
        BigDecimal exact = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        double abs = Math.abs(d);
        if (abs >= 1e-6 && abs < 1e21) {
            return exact.toPlainString();
        }
        return exponentForm(exact, false);
    }

    /**
     * {@code 1.5e+21}, {@code 1e-07} style (Go's 'e' format, shortest digits); Go's JSON encoder
     * then trims a leading zero of a negative two-digit exponent.
     */
    static String exponentForm(BigDecimal value, boolean keepTwoDigitNegativeExponent) {
        BigDecimal v = value.stripTrailingZeros();
        String digits = v.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - v.scale();
        StringBuilder out = new StringBuilder();
        if (v.signum() < 0) {
            out.append('-');
        }
        out.append(digits.charAt(0));
        if (digits.length() > 1) {
            out.append('.').append(digits, 1, digits.length());
        }
        out.append('e').append(exponent < 0 ? '-' : '+');
        int absExp = Math.abs(exponent);
        if (absExp < 10 && (exponent > 0 || keepTwoDigitNegativeExponent)) {
            out.append('0');
        }
        out.append(absExp);
        return out.toString();
    }
}
