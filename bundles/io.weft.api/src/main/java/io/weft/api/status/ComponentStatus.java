package io.weft.api.status;

import java.util.Map;
import java.util.Objects;

/**
 * One component's health, for {@code weft:status}, the node's status in the datastore and the
 * readiness endpoint.
 *
 * @param component short name, e.g. {@code datastore} or {@code agent}
 * @param health    up, degraded or down
 * @param message   one line an operator can act on
 * @param details   ordered key/value facts (revision, routes programmed, last error)
 */
public record ComponentStatus(String component, Health health, String message, Map<String, String> details) {
    public ComponentStatus {
        Objects.requireNonNull(component, "component");
        Objects.requireNonNull(health, "health");
        message = message == null ? "" : message;
        details = details == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(details));
    }
}
