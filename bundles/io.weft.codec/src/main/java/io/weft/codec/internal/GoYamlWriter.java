package io.weft.codec.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes a value tree byte for byte as calicoctl prints {@code -o yaml}. calicoctl marshals with
 * {@code sigs.k8s.io/yaml}: Go struct → JSON → go-yaml v2, so every mapping comes out with its
 * keys sorted (go-yaml's order: letters by code point, non-letters first, digit runs numerically),
 * strings that would read back as something else quoted ({@code "1234"}, {@code "true"},
 * {@code ""}, timestamps), strings starting with YAML indicators single-quoted, long strings
 * folded after column 80, lists not indented under their key, empty collections as {@code {}}
 * and {@code []}.
 *
 * <p>This is a port of the parts of go-yaml's libyaml-derived emitter ({@code emitterc.go}) that
 * such trees exercise: block mappings and sequences, and plain, single-quoted, double-quoted and
 * literal scalars. No anchors, tags or flow collections other than empty ones.
 */
final class GoYamlWriter {

    private static final int BEST_INDENT = 2;
    private static final int BEST_WIDTH = 80;
    private static final int MAX_SIMPLE_KEY_BYTES = 128;

    private static final Set<String> NON_STRING_WORDS = Set.of(
            "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
            "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
            "", "~", "null", "Null", "NULL",
            ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF");
    private static final Pattern YAML_STYLE_FLOAT = Pattern.compile("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$");
    private static final Pattern DOT_FLOAT = Pattern.compile("^\\.[0-9]+([eE][-+]?[0-9]+)?$");
    private static final Pattern BASE60_FLOAT = Pattern.compile("^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\\.[0-9_]*)?$");
    private static final Pattern TIMESTAMP = Pattern.compile(
            "^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(([Tt]| )[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$");
    private static final BigInteger MAX_UINT64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private enum Style { PLAIN, SINGLE_QUOTED, DOUBLE_QUOTED, LITERAL }

    private record Analysis(boolean multiline, boolean flowPlainAllowed, boolean blockPlainAllowed,
            boolean singleQuotedAllowed, boolean blockAllowed) {
    }

    private final StringBuilder out = new StringBuilder();
    private final Deque<Integer> indents = new ArrayDeque<>();
    private int indent = -1;
    private int column;
    private boolean whitespace = true;
    private boolean indention = true;
    private boolean mappingContext;
    private boolean simpleKeyContext;

    private GoYamlWriter() {
    }

    /** One YAML document, ending in a newline. */
    static String write(Object root) {
        GoYamlWriter writer = new GoYamlWriter();
        writer.node(root, false, false);
        writer.writeIndent(); // document end
        return writer.out.toString();
    }

    private void node(Object value, boolean mapping, boolean simpleKey) {
        mappingContext = mapping;
        simpleKeyContext = simpleKey;
        if (value instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                emptyFlow("{", "}");
            } else {
                blockMapping(map);
            }
        } else if (value instanceof List<?> list) {
            if (list.isEmpty()) {
                emptyFlow("[", "]");
            } else {
                blockSequence(list);
            }
        } else if (value instanceof String s) {
            Style style = s.contains("\n") ? Style.LITERAL : canUsePlain(s) ? Style.PLAIN : Style.DOUBLE_QUOTED;
            scalar(s, style);
        } else if (value instanceof Double d) {
            scalar(yamlFloat(d), Style.PLAIN);
        } else if (value == null) {
            scalar("null", Style.PLAIN);
        } else {
            scalar(value.toString(), Style.PLAIN); // integers and booleans
        }
    }

    private void blockMapping(Map<?, ?> map) {
        increaseIndent(false, false);
        for (String key : sortedKeys(map)) {
            Object value = map.get(key);
            writeIndent();
            Analysis keyAnalysis = analyze(key);
            boolean simple = !keyAnalysis.multiline()
                    && key.getBytes(StandardCharsets.UTF_8).length <= MAX_SIMPLE_KEY_BYTES;
            if (simple) {
                node(key, true, true);
                writeIndicator(":", false, false, false);
            } else {
                writeIndicator("?", true, false, true);
                node(key, true, false);
                writeIndent();
                writeIndicator(":", true, false, true);
            }
            node(value, true, false);
        }
        popIndent();
    }

    private void blockSequence(List<?> list) {
        increaseIndent(false, mappingContext && !indention);
        for (Object item : list) {
            writeIndent();
            writeIndicator("-", true, false, true);
            node(item, false, false);
        }
        popIndent();
    }

    /** An empty mapping or sequence: go-yaml switches to flow style, {@code {}} and {@code []}. */
    private void emptyFlow(String open, String close) {
        writeIndicator(open, true, true, false);
        writeIndicator(close, false, false, false);
    }

    private void scalar(String text, Style requested) {
        Analysis a = analyze(text);
        Style style = requested;
        if (simpleKeyContext && a.multiline()) {
            style = Style.DOUBLE_QUOTED;
        }
        // Scalars are never inside a flow collection here (only empty ones are written in flow style).
        if (style == Style.PLAIN) {
            if (!a.blockPlainAllowed()) {
                style = Style.SINGLE_QUOTED;
            }
            if (text.isEmpty() && simpleKeyContext) {
                style = Style.SINGLE_QUOTED;
            }
        }
        if (style == Style.SINGLE_QUOTED && !a.singleQuotedAllowed()) {
            style = Style.DOUBLE_QUOTED;
        }
        if (style == Style.LITERAL && (!a.blockAllowed() || simpleKeyContext)) {
            style = Style.DOUBLE_QUOTED;
        }
        increaseIndent(true, false);
        int[] cps = text.codePoints().toArray();
        boolean allowBreaks = !simpleKeyContext;
        switch (style) {
            case PLAIN:
                writePlain(cps, allowBreaks);
                break;
            case SINGLE_QUOTED:
                writeSingleQuoted(cps, allowBreaks);
                break;
            case DOUBLE_QUOTED:
                writeDoubleQuoted(cps, allowBreaks);
                break;
            default:
                writeLiteral(cps);
        }
        popIndent();
    }

    // ---- go-yaml's resolve(): would this string read back as something other than a string?

    static boolean canUsePlain(String s) {
        return !resolvesToNonString(s) && !(isSignOrDigit(s) && s.indexOf(':') >= 0 && BASE60_FLOAT.matcher(s).matches());
    }

    private static boolean isSignOrDigit(String s) {
        if (s.isEmpty()) {
            return false;
        }
        char c = s.charAt(0);
        return c == '+' || c == '-' || (c >= '0' && c <= '9');
    }

    private static boolean resolvesToNonString(String s) {
        if (s.isEmpty()) {
            return true;
        }
        char hint = s.charAt(0);
        boolean inMapHint = "yYnNtTfFoO~".indexOf(hint) >= 0;
        boolean signOrDigit = hint == '+' || hint == '-' || (hint >= '0' && hint <= '9');
        if (!inMapHint && !signOrDigit && hint != '.') {
            return false;
        }
        if (NON_STRING_WORDS.contains(s)) {
            return true;
        }
        if (hint == '.') {
            return DOT_FLOAT.matcher(s).matches();
        }
        if (!signOrDigit) {
            return false;
        }
        if (s.length() > 4 && s.charAt(4) == '-' && s.substring(0, 4).chars().allMatch(Character::isDigit)
                && TIMESTAMP.matcher(s).matches()) {
            return true;
        }
        String plain = s.replace("_", "");
        // strconv.ParseFloat fails on overflow ("1e400"), and then go-yaml leaves the string plain.
        return isGoInteger(plain)
                || (YAML_STYLE_FLOAT.matcher(plain).matches() && Double.isFinite(Double.parseDouble(plain)));
    }

    /** strconv.ParseInt(s, 0, 64) or ParseUint(s, 0, 64) succeeds. */
    private static boolean isGoInteger(String s) {
        String body = s;
        boolean negative = false;
        if (body.startsWith("+") || body.startsWith("-")) {
            negative = body.startsWith("-");
            body = body.substring(1);
        }
        int radix = 10;
        String digits = body;
        if (body.length() > 1 && body.charAt(0) == '0') {
            char p = Character.toLowerCase(body.charAt(1));
            if (p == 'x') {
                radix = 16;
                digits = body.substring(2);
            } else if (p == 'b') {
                radix = 2;
                digits = body.substring(2);
            } else if (p == 'o') {
                radix = 8;
                digits = body.substring(2);
            } else {
                radix = 8;
                digits = body.substring(1);
            }
        }
        if (digits.isEmpty()) {
            return false;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (Character.digit(digits.charAt(i), radix) < 0 || digits.charAt(i) > 'z') {
                return false;
            }
        }
        BigInteger value = new BigInteger(digits, radix);
        if (negative) {
            return value.compareTo(BigInteger.ONE.shiftLeft(63)) <= 0;
        }
        return value.compareTo(MAX_UINT64) <= 0;
    }

    /** A float as sigs.k8s.io/yaml prints it: JSON text first, then go-yaml's %g if it is not whole. */
    static String yamlFloat(double d) {
        String json = GoJsonWriter.goFloat(d);
        if (json.matches("-?[0-9]+")) {
            return json;
        }
        BigDecimal value = new BigDecimal(json).stripTrailingZeros();
        int exponent = value.precision() - value.scale() - 1;
        if (exponent < -4 || exponent >= 6) { // strconv %g with shortest precision
            return GoJsonWriter.exponentForm(value, true);
        }
        return value.toPlainString();
    }

    // ---- go-yaml's key order (sorter.go keyList.Less)

    static List<String> sortedKeys(Map<?, ?> map) {
        List<String> keys = new ArrayList<>();
        for (Object k : map.keySet()) {
            String key = (String) k;
            int i = keys.size();
            while (i > 0 && less(key, keys.get(i - 1))) {
                i--;
            }
            keys.add(i, key);
        }
        return keys;
    }

    static boolean less(String a, String b) {
        int[] ar = a.codePoints().toArray();
        int[] br = b.codePoints().toArray();
        for (int i = 0; i < ar.length && i < br.length; i++) {
            if (ar[i] == br[i]) {
                continue;
            }
            boolean al = Character.isLetter(ar[i]);
            boolean bl = Character.isLetter(br[i]);
            if (al && bl) {
                return ar[i] < br[i];
            }
            if (al || bl) {
                return bl;
            }
            long an = 0;
            long bn = 0;
            if (ar[i] == '0' || br[i] == '0') {
                for (int j = i - 1; j >= 0 && Character.isDigit(ar[j]); j--) {
                    if (ar[j] != '0') {
                        an = 1;
                        bn = 1;
                        break;
                    }
                }
            }
            int ai = i;
            for (; ai < ar.length && Character.isDigit(ar[ai]); ai++) {
                an = an * 10 + (ar[ai] - '0');
            }
            int bi = i;
            for (; bi < br.length && Character.isDigit(br[bi]); bi++) {
                bn = bn * 10 + (br[bi] - '0');
            }
            if (an != bn) {
                return an < bn;
            }
            if (ai != bi) {
                return ai < bi;
            }
            return ar[i] < br[i];
        }
        return ar.length < br.length;
    }

    // ---- emitter state

    private void increaseIndent(boolean flow, boolean indentless) {
        indents.push(indent);
        if (indent < 0) {
            indent = flow ? BEST_INDENT : 0;
        } else if (!indentless) {
            indent += BEST_INDENT;
        }
    }

    private void popIndent() {
        indent = indents.pop();
    }

    private void put(char c) {
        out.append(c);
        column++;
    }

    private void write(int codePoint) {
        out.appendCodePoint(codePoint);
        column++;
    }

    private void putBreak() {
        out.append('\n');
        column = 0;
    }

    private void writeBreak(int codePoint) {
        if (codePoint == '\n') {
            putBreak();
        } else {
            write(codePoint);
            column = 0;
        }
    }

    private void writeIndent() {
        int target = Math.max(indent, 0);
        if (!indention || column > target || (column == target && !whitespace)) {
            putBreak();
        }
        while (column < target) {
            put(' ');
        }
        whitespace = true;
        indention = true;
    }

    private void writeIndicator(String indicator, boolean needWhitespace, boolean isWhitespace, boolean isIndention) {
        if (needWhitespace && !whitespace) {
            put(' ');
        }
        indicator.codePoints().forEach(this::write);
        whitespace = isWhitespace;
        indention = indention && isIndention;
    }

    private void writePlain(int[] v, boolean allowBreaks) {
        if (!whitespace) {
            put(' ');
        }
        boolean spaces = false;
        boolean breaks = false;
        for (int i = 0; i < v.length; i++) {
            int c = v[i];
            if (c == ' ') {
                if (allowBreaks && !spaces && column > BEST_WIDTH && !(i + 1 < v.length && v[i + 1] == ' ')) {
                    writeIndent();
                } else {
                    write(c);
                }
                spaces = true;
            } else if (isBreak(c)) {
                if (!breaks && c == '\n') {
                    putBreak();
                }
                writeBreak(c);
                indention = true;
                breaks = true;
            } else {
                if (breaks) {
                    writeIndent();
                }
                write(c);
                indention = false;
                spaces = false;
                breaks = false;
            }
        }
        whitespace = false;
        indention = false;
    }

    private void writeSingleQuoted(int[] v, boolean allowBreaks) {
        writeIndicator("'", true, false, false);
        boolean spaces = false;
        boolean breaks = false;
        for (int i = 0; i < v.length; i++) {
            int c = v[i];
            if (c == ' ') {
                if (allowBreaks && !spaces && column > BEST_WIDTH && i > 0 && i < v.length - 1 && v[i + 1] != ' ') {
                    writeIndent();
                } else {
                    write(c);
                }
                spaces = true;
            } else if (isBreak(c)) {
                if (!breaks && c == '\n') {
                    putBreak();
                }
                writeBreak(c);
                indention = true;
                breaks = true;
            } else {
                if (breaks) {
                    writeIndent();
                }
                if (c == '\'') {
                    put('\'');
                }
                write(c);
                indention = false;
                spaces = false;
                breaks = false;
            }
        }
        writeIndicator("'", false, false, false);
        whitespace = false;
        indention = false;
    }

    private void writeDoubleQuoted(int[] v, boolean allowBreaks) {
        boolean spaces = false;
        writeIndicator("\"", true, false, false);
        boolean bom = v.length > 0 && v[0] == 0xFEFF; // go-yaml checks the start of the string here
        for (int i = 0; i < v.length; i++) {
            int c = v[i];
            if (!isPrintable(c) || bom || isBreak(c) || c == '"' || c == '\\') {
                put('\\');
                switch (c) {
                    case 0x00: put('0'); break;
                    case 0x07: put('a'); break;
                    case 0x08: put('b'); break;
                    case 0x09: put('t'); break;
                    case 0x0A: put('n'); break;
                    case 0x0B: put('v'); break;
                    case 0x0C: put('f'); break;
                    case 0x0D: put('r'); break;
                    case 0x1B: put('e'); break;
                    case 0x22: put('"'); break;
                    case 0x5C: put('\\'); break;
                    case 0x85: put('N'); break;
                    case 0xA0: put('_'); break;
                    case 0x2028: put('L'); break;
                    case 0x2029: put('P'); break;
                    default:
                        int width;
                        if (c <= 0xFF) {
                            put('x');
                            width = 2;
                        } else if (c <= 0xFFFF) {
                            put('u');
                            width = 4;
                        } else {
                            put('U');
                            width = 8;
                        }
                        for (int k = (width - 1) * 4; k >= 0; k -= 4) {
                            put(Character.toUpperCase(Character.forDigit((c >> k) & 0xF, 16)));
                        }
                }
                spaces = false;
            } else if (c == ' ') {
                if (allowBreaks && !spaces && column > BEST_WIDTH && i > 0 && i < v.length - 1) {
                    writeIndent();
                    if (v[i + 1] == ' ') {
                        put('\\');
                    }
                } else {
                    write(c);
                }
                spaces = true;
            } else {
                write(c);
                spaces = false;
            }
        }
        writeIndicator("\"", false, false, false);
        whitespace = false;
        indention = false;
    }

    private void writeLiteral(int[] v) {
        writeIndicator("|", true, false, false);
        if (v.length > 0 && (v[0] == ' ' || isBreak(v[0]))) {
            writeIndicator(Integer.toString(BEST_INDENT), false, false, false);
        }
        String chomp = null;
        if (v.length == 0 || !isBreak(v[v.length - 1])) {
            chomp = "-";
        } else if (v.length == 1 || isBreak(v[v.length - 2])) {
            chomp = "+";
        }
        if (chomp != null) {
            writeIndicator(chomp, false, false, false);
        }
        putBreak();
        indention = true;
        whitespace = true;
        boolean breaks = true;
        for (int c : v) {
            if (isBreak(c)) {
                writeBreak(c);
                indention = true;
                breaks = true;
            } else {
                if (breaks) {
                    writeIndent();
                }
                write(c);
                indention = false;
                breaks = false;
            }
        }
    }

    // ---- go-yaml's scalar analysis (yaml_emitter_analyze_scalar), with unicode output enabled

    private static Analysis analyze(String value) {
        if (value.isEmpty()) {
            return new Analysis(false, false, true, true, false);
        }
        boolean blockIndicators = false;
        boolean flowIndicators = false;
        boolean lineBreaks = false;
        boolean special = false;
        boolean leadingSpace = false;
        boolean leadingBreak = false;
        boolean trailingSpace = false;
        boolean trailingBreak = false;
        boolean breakSpace = false;
        boolean spaceBreak = false;
        boolean precededByWhitespace = true;
        boolean previousSpace = false;
        boolean previousBreak = false;
        if (value.startsWith("---") || value.startsWith("...")) {
            blockIndicators = true;
            flowIndicators = true;
        }
        int[] v = value.codePoints().toArray();
        for (int i = 0; i < v.length; i++) {
            int c = v[i];
            boolean followedByWhitespace = i + 1 >= v.length || v[i + 1] == ' ' || v[i + 1] == '\t';
            if (i == 0) {
                switch (c) {
                    case '#': case ',': case '[': case ']': case '{': case '}': case '&': case '*': case '!':
                    case '|': case '>': case '\'': case '"': case '%': case '@': case '`':
                        flowIndicators = true;
                        blockIndicators = true;
                        break;
                    case '?': case ':':
                        flowIndicators = true;
                        if (followedByWhitespace) {
                            blockIndicators = true;
                        }
                        break;
                    case '-':
                        if (followedByWhitespace) {
                            flowIndicators = true;
                            blockIndicators = true;
                        }
                        break;
                    default:
                }
            } else {
                switch (c) {
                    case ',': case '?': case '[': case ']': case '{': case '}':
                        flowIndicators = true;
                        break;
                    case ':':
                        flowIndicators = true;
                        if (followedByWhitespace) {
                            blockIndicators = true;
                        }
                        break;
                    case '#':
                        if (precededByWhitespace) {
                            flowIndicators = true;
                            blockIndicators = true;
                        }
                        break;
                    default:
                }
            }
            if (!isPrintable(c)) {
                special = true;
            }
            if (c == ' ') {
                if (i == 0) {
                    leadingSpace = true;
                }
                if (i == v.length - 1) {
                    trailingSpace = true;
                }
                if (previousBreak) {
                    breakSpace = true;
                }
                previousSpace = true;
                previousBreak = false;
            } else if (isBreak(c)) {
                lineBreaks = true;
                if (i == 0) {
                    leadingBreak = true;
                }
                if (i == v.length - 1) {
                    trailingBreak = true;
                }
                if (previousSpace) {
                    spaceBreak = true;
                }
                previousSpace = false;
                previousBreak = true;
            } else {
                previousSpace = false;
                previousBreak = false;
            }
            precededByWhitespace = c == ' ' || c == '\t' || isBreak(c) || c == 0;
        }
        boolean flowPlain = true;
        boolean blockPlain = true;
        boolean singleQuoted = true;
        boolean block = true;
        if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
            flowPlain = false;
            blockPlain = false;
        }
        if (trailingSpace) {
            block = false;
        }
        if (breakSpace) {
            flowPlain = false;
            blockPlain = false;
            singleQuoted = false;
        }
        if (spaceBreak || special) {
            flowPlain = false;
            blockPlain = false;
            singleQuoted = false;
            block = false;
        }
        if (lineBreaks) {
            flowPlain = false;
            blockPlain = false;
        }
        if (flowIndicators) {
            flowPlain = false;
        }
        if (blockIndicators) {
            blockPlain = false;
        }
        return new Analysis(lineBreaks, flowPlain, blockPlain, singleQuoted, block);
    }

    private static boolean isPrintable(int c) {
        return c == 0x0A || (c >= 0x20 && c <= 0x7E) || (c >= 0xA0 && c <= 0xD7FF)
                || (c >= 0xE000 && c <= 0xFFFD && c != 0xFEFF);
    }

    private static boolean isBreak(int c) {
        return c == '\r' || c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029;
    }
}
