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
 * @param passes           passes so far
 * @param resyncs          of which full kernel re-reads
 * @param routes           agent routes in the kernel
 * @param missingProviders encapsulation provider name → what needs it
 * @param errors           kernel or provider errors of the last pass
 * @param problems         resources that cannot be programmed
 * @param failure          why the agent is not working at all, or {@code null}
 */
public record AgentReport(Instant lastSync, long lastPassMicros, long passes, long resyncs, int routes,
        Map<String, String> missingProviders, List<String> errors, List<String> problems, String failure) {

    public AgentReport {
        missingProviders = Map.copyOf(missingProviders);
        errors = List.copyOf(errors);
        problems = List.copyOf(problems);
    }

    static AgentReport starting() {
        return new AgentReport(null, 0, 0, 0, 0, Map.of(), List.of(), List.of(), null);
    }

    AgentReport failed(String why) {
        return new AgentReport(lastSync, lastPassMicros, passes, resyncs, routes, missingProviders, errors, problems, why);
    }

    AgentReport synced(Instant at, long micros, boolean full, int routeCount, RouteReconciler.Outcome outcome,
            Map<String, String> missing, List<String> passErrors, List<String> resourceProblems) {
        return new AgentReport(at, micros, passes + 1, resyncs + (full ? 1 : 0), routeCount, missing, passErrors,
                resourceProblems, null);
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
}
