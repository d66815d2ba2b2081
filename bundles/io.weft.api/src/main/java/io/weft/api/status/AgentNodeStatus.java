package io.weft.api.status;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One node agent's status as it publishes it in the datastore, under
 * {@code /weft/runtime/agents/<node>} on a lease (so a node that died drops out on its own), for
 * every node's console and for tools to read. Stored as {@code key=value} lines, one a field,
 * readable with {@code etcdctl get}; lists are separated by {@code " | "}.
 *
 * @param node             the node name
 * @param address          the node's address and uplink, e.g. {@code 10.0.0.11/24 on eth0}, or empty
 * @param health           UP, DEGRADED or DOWN, as the agent's own status says
 * @param summary          the one-line reason ({@code 12 routes programmed}, {@code missing encapsulation …})
 * @param lastFullSync     when the agent last re-read the kernel and repaired it, or {@code null}
 * @param lastPass         when the last pass (full or delta) finished, or {@code null}
 * @param routes           routes the agent owns in the kernel
 * @param podMtu           the MTU pods get on this node, 0 when not known
 * @param encapsulations   the encapsulations this node's pools use ({@code vxlan}, {@code none}, …)
 * @param missingProviders encapsulation providers a pool needs and this node lacks
 * @param errors           the last pass's kernel and provider errors and the resources it could not program
 * @param publishedAt      when this value was written
 */
public record AgentNodeStatus(String node, String address, Health health, String summary, Instant lastFullSync,
        Instant lastPass, int routes, int podMtu, List<String> encapsulations, List<String> missingProviders,
        List<String> errors, Instant publishedAt) {

    /** Where agents publish: the node name follows. */
    public static final String KEY_PREFIX = "/weft/runtime/agents/";
    private static final String SEPARATOR = " | ";

    public AgentNodeStatus {
        Objects.requireNonNull(node, "node");
        address = address == null ? "" : address;
        health = health == null ? Health.DOWN : health;
        summary = summary == null ? "" : summary;
        encapsulations = List.copyOf(encapsulations);
        missingProviders = List.copyOf(missingProviders);
        errors = List.copyOf(errors);
    }

    /** This status's key in the datastore. */
    public String key() {
        return KEY_PREFIX + node;
    }

    /** The stored form: {@code key=value} lines; line breaks inside values become spaces. */
    public byte[] encode() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("node", node);
        f.put("address", address);
        f.put("health", health.name());
        f.put("summary", summary);
        f.put("lastFullSync", lastFullSync == null ? "" : lastFullSync.toString());
        f.put("lastPass", lastPass == null ? "" : lastPass.toString());
        f.put("routesProgrammed", Integer.toString(routes));
        f.put("podMtu", Integer.toString(podMtu));
        f.put("encapsulations", joined(encapsulations));
        f.put("missingProviders", joined(missingProviders));
        f.put("errors", joined(errors));
        f.put("publishedAt", publishedAt == null ? "" : publishedAt.toString());
        return StatusLines.encode(f);
    }

    /** The list on one line; a separator inside an item would split it when read, so it is softened. */
    private static String joined(List<String> items) {
        return String.join(SEPARATOR, items.stream().map(i -> i.replace(SEPARATOR, " / ")).toList());
    }

    /**
     * Reads a stored value.
     *
     * @throws IllegalArgumentException naming the field that is missing or malformed
     */
    public static AgentNodeStatus decode(byte[] stored) {
        StatusLines f = StatusLines.decode(stored, "agent status");
        Health health;
        try {
            health = Health.valueOf(f.getOrDefault("health", "DOWN"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(f.subject() + ": health=" + f.get("health") + " is not one of "
                    + Arrays.toString(Health.values()));
        }
        return new AgentNodeStatus(f.node(), f.get("address"), health, f.get("summary"), f.instant("lastFullSync"),
                f.instant("lastPass"), (int) f.number("routesProgrammed", 0), (int) f.number("podMtu", 0),
                list(f.get("encapsulations")), list(f.get("missingProviders")), list(f.get("errors")),
                f.instant("publishedAt"));
    }

    private static List<String> list(String v) {
        if (v == null || v.isEmpty()) {
            return List.of();
        }
        return new ArrayList<>(Arrays.asList(v.split(" \\| ")));
    }
}
