package io.weft.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A boxed table as calicoctl draws {@code ipam show} and {@code node status} (Go's tablewriter with
 * its defaults): a {@code +---+} rule above and below the header and at the end, headings centred
 * (the odd space going right), lines that are plain numbers right-aligned and every other line
 * left-aligned, one space of padding inside each {@code |}. A cell longer than
 * {@value #WRAP_WIDTH} characters is wrapped at spaces into lines of at most that width, as evenly
 * as tablewriter wraps them ({@code Active Socket: Connection} / {@code refused}); its column is
 * then {@value #WRAP_WIDTH} wide, or as wide as a longer word.
 */
final class BorderedTable {
    /** tablewriter's test for a number: {@code 65536} is one, {@code 16 (0%)} and {@code 1.6777e+07} are not. */
    private static final Pattern NUMBER = Pattern.compile("-?(?:\\d{1,3}(?:,\\d{3})*|\\d+)(?:\\.\\d+)?");
    /** tablewriter's default maximum column width before it wraps. */
    static final int WRAP_WIDTH = 30;
    /** tablewriter's extra cost of a wrapped line that is still too long (a word longer than the width). */
    private static final long OVERLONG_PENALTY = 100_000;

    private final String[] header;
    private final List<String[]> rows = new ArrayList<>();

    BorderedTable(String... header) {
        this.header = header.clone();
    }

    void add(String... cells) {
        if (cells.length != header.length) {
            throw new IllegalArgumentException(cells.length + " cells for " + header.length + " columns");
        }
        rows.add(cells.clone());
    }

    String render() {
        int[] width = new int[header.length];
        List<List<String>> headerLines = wrapRow(header, width);
        List<List<List<String>>> rowLines = new ArrayList<>();
        for (String[] row : rows) {
            rowLines.add(wrapRow(row, width));
        }
        StringBuilder rule = new StringBuilder("+");
        for (int w : width) {
            rule.append("-".repeat(w + 2)).append('+');
        }
        rule.append('\n');
        StringBuilder out = new StringBuilder();
        out.append(rule);
        lines(out, headerLines, width, true);
        out.append(rule);
        for (List<List<String>> row : rowLines) {
            lines(out, row, width, false);
        }
        out.append(rule);
        return out.toString();
    }

    /** Each cell's lines; widens {@code width} to fit them. */
    private static List<List<String>> wrapRow(String[] cells, int[] width) {
        List<List<String>> out = new ArrayList<>(cells.length);
        for (int i = 0; i < cells.length; i++) {
            String c = cells[i];
            List<String> wrapped = wrap(c);
            int w = Math.min(c.length(), WRAP_WIDTH);
            for (String line : wrapped) {
                w = Math.max(w, line.length());
            }
            width[i] = Math.max(width[i], w);
            out.add(wrapped);
        }
        return out;
    }

    /** One row, as many text lines as its tallest cell; shorter cells are blank below. */
    private static void lines(StringBuilder out, List<List<String>> cells, int[] width, boolean heading) {
        int height = 0;
        for (List<String> c : cells) {
            height = Math.max(height, c.size());
        }
        for (int l = 0; l < height; l++) {
            out.append('|');
            for (int i = 0; i < cells.size(); i++) {
                String c = l < cells.get(i).size() ? cells.get(i).get(l) : "";
                int gap = width[i] - c.length();
                int left = heading ? gap / 2 : NUMBER.matcher(c).matches() ? gap : 0;
                out.append(' ').append(" ".repeat(left)).append(c).append(" ".repeat(gap - left)).append(" |");
            }
            out.append('\n');
        }
    }

    /**
     * Splits {@code text} at single spaces into lines of at most {@value #WRAP_WIDTH} characters
     * (or the longest word), choosing the breaks that make the lines before the last most even
     * (least sum of squared shortfalls), as tablewriter does.
     */
    static List<String> wrap(String text) {
        if (text.length() <= WRAP_WIDTH) {
            return List.of(text);
        }
        String[] words = text.split(" ", -1);
        int limit = WRAP_WIDTH;
        for (String w : words) {
            limit = Math.max(limit, w.length());
        }
        int n = words.length;
        // length of words i..j joined by single spaces
        int[] start = new int[n + 1];
        for (int i = 0; i < n; i++) {
            start[i + 1] = start[i] + words[i].length() + 1;
        }
        long[] cost = new long[n + 1];
        int[] breakAt = new int[n + 1];
        for (int i = n - 1; i >= 0; i--) {
            if (start[n] - start[i] - 1 <= limit) {
                cost[i] = 0; // the last line costs nothing
                breakAt[i] = n;
                continue;
            }
            cost[i] = Long.MAX_VALUE;
            for (int j = i + 1; j < n; j++) {
                int length = start[j] - start[i] - 1;
                long shortfall = limit - length;
                long c = shortfall * shortfall + cost[j] + (length > limit ? OVERLONG_PENALTY : 0);
                if (c < cost[i]) {
                    cost[i] = c;
                    breakAt[i] = j;
                }
            }
        }
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i = breakAt[i]) {
            lines.add(String.join(" ", java.util.Arrays.copyOfRange(words, i, breakAt[i])));
        }
        return lines;
    }
}
