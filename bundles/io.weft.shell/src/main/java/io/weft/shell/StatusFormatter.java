package io.weft.shell;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.weft.api.status.AgentNodeStatus;
import io.weft.api.status.ComponentStatus;
import io.weft.api.status.ProviderInfo;
import io.weft.api.status.RuntimeReport;
import io.weft.api.status.SpiStatus;

/** Renders {@code weft:status}; plain so it can be tested against golden text. */
final class StatusFormatter {

    private StatusFormatter() {
    }

    static String format(RuntimeReport report, boolean verbose) {
        StringBuilder out = new StringBuilder();
        out.append("Weft ").append(report.version()).append(" on node ").append(report.nodeName())
                .append(": ").append(report.overall()).append('\n');
        out.append("Started ").append(report.startedAt()).append("\n\n");

        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"SPI", "PROVIDER", "BUNDLE"});
        for (SpiStatus spi : report.spis()) {
            if (spi.missing()) {
                rows.add(new String[] {spi.spi(), spi.required() ? "MISSING (required)" : "-", ""});
                continue;
            }
            boolean first = true;
            for (ProviderInfo p : spi.providers()) {
                rows.add(new String[] {first ? spi.spi() : "", p.name(), p.bundle() + " " + p.bundleVersion()});
                first = false;
            }
        }
        table(out, rows);

        if (!report.components().isEmpty()) {
            out.append('\n');
            List<String[]> comps = new ArrayList<>();
            comps.add(new String[] {"COMPONENT", "HEALTH", "MESSAGE"});
            for (ComponentStatus c : report.components()) {
                comps.add(new String[] {c.component(), c.health().name(), c.message()});
                if (verbose) {
                    for (Map.Entry<String, String> d : c.details().entrySet()) {
                        comps.add(new String[] {"", "", "  " + d.getKey() + ": " + d.getValue()});
                    }
                }
            }
            table(out, comps);
        }
        return out.toString();
    }

    /**
     * The node agents' statuses from the datastore: one row per node, then with {@code verbose}
     * each node's errors. {@code unreadable} lists keys whose value could not be read, with why.
     */
    static String formatAgents(List<AgentNodeStatus> agents, List<String> unreadable, Instant now, boolean verbose) {
        StringBuilder out = new StringBuilder();
        out.append("\nNode agents (from the datastore, ").append(AgentNodeStatus.KEY_PREFIX).append("):\n");
        if (agents.isEmpty() && unreadable.isEmpty()) {
            out.append("none published (is weft-agent installed and running on the nodes?)\n");
            return out.toString();
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NODE", "HEALTH", "ADDRESS", "ROUTES", "POD MTU", "ENCAP", "LAST FULL SYNC", "MESSAGE"});
        for (AgentNodeStatus a : agents) {
            rows.add(new String[] {a.node(), a.health().name(), a.address(), Integer.toString(a.routes()),
                    a.podMtu() == 0 ? "-" : Integer.toString(a.podMtu()),
                    a.encapsulations().isEmpty() ? "-" : String.join(",", a.encapsulations()),
                    a.lastFullSync() == null ? "never" : a.lastFullSync() + " (" + ago(a.lastFullSync(), now) + ")",
                    a.summary()});
            if (verbose) {
                for (String e : a.errors()) {
                    rows.add(new String[] {"", "", "", "", "", "", "", "  " + e});
                }
            }
        }
        table(out, rows);
        for (String u : unreadable) {
            out.append(u).append('\n');
        }
        return out.toString();
    }

    private static String ago(Instant then, Instant now) {
        long s = Math.max(0, Duration.between(then, now).toSeconds());
        return s < 120 ? s + "s ago" : s < 7200 ? s / 60 + "m ago" : s / 3600 + "h ago";
    }

    /** Left-aligned columns two spaces apart; trailing spaces trimmed. */
    static void table(StringBuilder out, List<String[]> rows) {
        int columns = rows.get(0).length;
        int[] width = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(row[i]);
                if (i < columns - 1) {
                    line.append(" ".repeat(width[i] - row[i].length() + 2));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }
}
