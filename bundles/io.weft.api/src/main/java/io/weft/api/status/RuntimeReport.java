package io.weft.api.status;

import java.time.Instant;
import java.util.List;

/**
 * Everything {@code weft:status} shows.
 *
 * @param version    Weft's version
 * @param nodeName   this node's name
 * @param startedAt  when the node runtime started
 * @param spis       each SPI with its providers
 * @param components health reported by components
 */
public record RuntimeReport(String version, String nodeName, Instant startedAt, List<SpiStatus> spis,
        List<ComponentStatus> components) {
    public RuntimeReport {
        spis = List.copyOf(spis);
        components = List.copyOf(components);
    }

    /** The worst health of any component, and DOWN when a required SPI has no provider. */
    public Health overall() {
        Health worst = Health.UP;
        for (SpiStatus spi : spis) {
            if (spi.required() && spi.missing()) {
                return Health.DOWN;
            }
        }
        for (ComponentStatus c : components) {
            if (c.health().compareTo(worst) > 0) {
                worst = c.health();
            }
        }
        return worst;
    }
}
