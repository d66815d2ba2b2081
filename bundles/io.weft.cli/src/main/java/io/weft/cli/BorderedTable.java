package io.weft.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A boxed table as calicoctl draws {@code ipam show} (Go's tablewriter with its defaults): a
 * {@code +---+} rule above and below the header and at the end, headings centred (the odd
 * space going right), cells that are plain numbers right-aligned and every other cell
 * left-aligned, one space of padding inside each {@code |}.
 */
final class BorderedTable {
    /** tablewriter's test for a number: {@code 65536} is one, {@code 16 (0%)} and {@code 1.6777e+07} are not. */
    private static final Pattern NUMBER = Pattern.compile("-?(?:\\d{1,3}(?:,\\d{3})*|\\d+)(?:\\.\\d+)?");

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
        for (int i = 0; i < header.length; i++) {
            width[i] = header[i].length();
        }
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder rule = new StringBuilder("+");
        for (int w : width) {
            rule.append("-".repeat(w + 2)).append('+');
        }
        rule.append('\n');
        StringBuilder out = new StringBuilder();
        out.append(rule);
        line(out, header, width, true);
        out.append(rule);
        for (String[] row : rows) {
            line(out, row, width, false);
        }
        out.append(rule);
        return out.toString();
    }

    private static void line(StringBuilder out, String[] cells, int[] width, boolean heading) {
        out.append('|');
        for (int i = 0; i < cells.length; i++) {
            String c = cells[i];
            int gap = width[i] - c.length();
            int left = heading ? gap / 2 : NUMBER.matcher(c).matches() ? gap : 0;
            out.append(' ').append(" ".repeat(left)).append(c).append(" ".repeat(gap - left)).append(" |");
        }
        out.append('\n');
    }
}
