package io.weft.agent;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.weft.api.status.ComponentStatus;
import io.weft.api.status.Health;

/**
 * What the agent's last pass did, kept as one immutable value so status requests never see a
 * half-updated set of figures.
 *
 * @param lastSync         when the last pass finished, {@code null} before the first
 * @param lastPassMicros   how long it took
 * @param totalPassMicros  time spent in passes so far
 * @param passes           passes so far
 * @param resyncs          of which full kernel re-reads
 * @param routes           agent routes in the kernel
 * @param missingProviders encapsulation provider name → what needs it
 * @param errors           kernel or provider errors of the last pass
 * @param problems         resources that cannot be programmed
 * @param failure          why the agent is not working at all, or {@code null}
 */
public record AgentReport(Instant lastSync, long lastPassMicros, long totalPassMicros, long passes, long resyncs,
        int routes,
        Map<String, String> missingProviders, List<String> errors, List<String> problems, String failure) {

    public AgentReport {
        missingProviders = Map.copyOf(missingProviders);
        errors = List.copyOf(errors);
        problems = List.copyOf(problems);
    }

    static AgentReport starting() {
        return new AgentReport(null, 0, 0, 0, 0, 0, Map.of(), List.of(), List.of(), null);
    }

    AgentReport failed(String why) {
        return new AgentReport(lastSync, lastPassMicros, totalPassMicros, passes, resyncs, routes, missingProviders,
                errors, problems, why);
    }

    AgentReport synced(Instant at, long micros, boolean full, int routeCount, RouteReconciler.Outcome outcome,
            Map<String, String> missing, List<String> passErrors, List<String> resourceProblems) {
        return new AgentReport(at, micros, totalPassMicros + micros, passes + 1, resyncs + (full ? 1 : 0), routeCount,
                missing, passErrors, resourceProblems, null);
    }

    ComponentStatus toStatus(String nodeName, NodeIdentity identity) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("node", nodeName);
        if (identity != null) {
            details.put("address", identity.address() + " on " + identity.uplink() + " (MTU " + identity.hostMtu() + ")");
        }
        details.put("lastSync", lastSync == null ? "never" : lastSync.toString());
        details.put("lastPassMicros", Long.toString(lastPassMicros));
        details.put("passes", Long.toString(passes));
        details.put("resyncs", Long.toString(resyncs));
        details.put("routesProgrammed", Integer.toString(routes));
        missingProviders.forEach((name, why) -> details.put("missingProvider." + name, why));
        for (int i = 0; i < errors.size() && i < 5; i++) {
            details.put("error." + (i + 1), errors.get(i));
        }
        for (int i = 0; i < problems.size() && i < 5; i++) {
            details.put("problem." + (i + 1), problems.get(i));
        }
        if (failure != null) {
            return new ComponentStatus("agent", Health.DOWN, failure, details);
        }
        if (lastSync == null) {
            return new ComponentStatus("agent", Health.DOWN, "waiting for the first sync", details);
        }
        if (!missingProviders.isEmpty()) {
            return new ComponentStatus("agent", Health.DEGRADED, "missing encapsulation provider(s) "
                    + String.join(", ", missingProviders.keySet()) + ": install feature(s) "
                    + String.join(", ", missingProviders.keySet().stream().map(n -> "weft-encap-" + n).toList()), details);
        }
        if (!errors.isEmpty()) {
            return new ComponentStatus("agent", Health.DEGRADED, errors.size() + " dataplane error(s): " + errors.get(0),
                    details);
        }
        return new ComponentStatus("agent", Health.UP, routes + " routes programmed", details);
    }

    /** Ready: the first pass is done and the agent is not failing as a whole. */
    boolean ready() {
        return lastSync != null && failure == null;
    }

    /** The figures in Prometheus text format (version 0.0.4). */
    String prometheus(String nodeName) {
        String node = "{node=\"" + nodeName.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
        StringBuilder m = new StringBuilder();
        metric(m, "weft_agent_ready", "gauge", "1 once the first pass programmed the kernel and the agent is working",
                node, ready() ? 1 : 0);
        metric(m, "weft_agent_routes_programmed", "gauge", "Routes the agent owns in the kernel", node, routes);
        metric(m, "weft_agent_passes_total", "counter", "Reconcile passes (delta and full)", node, passes);
        metric(m, "weft_agent_resyncs_total", "counter", "Full passes that re-read the kernel", node, resyncs);
        m.append("# HELP weft_agent_pass_duration_seconds Time spent in reconcile passes\n")
                .append("# TYPE weft_agent_pass_duration_seconds summary\n")
                .append("weft_agent_pass_duration_seconds_sum").append(node).append(' ')
                .append(totalPassMicros / 1e6).append('\n')
                .append("weft_agent_pass_duration_seconds_count").append(node).append(' ').append(passes).append('\n');
        metric(m, "weft_agent_last_pass_seconds", "gauge", "Duration of the last pass", node, lastPassMicros / 1e6);
        metric(m, "weft_agent_errors", "gauge", "Kernel or provider errors in the last pass", node, errors.size());
        metric(m, "weft_agent_resource_problems", "gauge", "Resources that cannot be programmed", node, problems.size());
        metric(m, "weft_agent_missing_providers", "gauge", "Encapsulations a pool needs but no provider offers", node,
                missingProviders.size());
        return m.toString();
    }

    private static void metric(StringBuilder m, String name, String type, String help, String labels, double value) {
        m.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n')
                .append(name).append(labels).append(' ');
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            m.append((long) value);
        } else {
            m.append(value);
        }
        m.append('\n');
    }
}
