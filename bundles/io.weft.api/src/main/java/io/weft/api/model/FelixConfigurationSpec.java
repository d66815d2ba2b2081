package io.weft.api.model;

import java.time.Duration;

/**
 * The dataplane settings Weft acts on, a subset of Calico's FelixConfiguration. Every field is
 * nullable, meaning "not written here": a per-node configuration only overrides the fields it
 * sets, and Calico's defaults apply to the rest (the {@code effective...} methods).
 *
 * @param routeRefreshInterval how often routes are fully resynchronised; null for 90 s
 * @param iptablesRefreshInterval how often filter rules are fully resynchronised; null for 180 s
 * @param ipipEnabled null to decide from the IP pools
 * @param ipipMTU null or 0 to derive from the host MTU (minus 20)
 * @param vxlanEnabled null to decide from the IP pools
 * @param vxlanPort null for 4789
 * @param vxlanVNI null for 4096
 * @param vxlanMTU null or 0 to derive from the host MTU (minus 50)
 * @param natOutgoingAddress source address for natOutgoing traffic; null to masquerade to the
 *        outgoing interface's address
 * @param healthPort null for 9099
 * @param prometheusMetricsPort null for 9091
 * @param routeTableRange null for Felix's built-in range
 * @param healthEnabled whether to serve {@code /readiness} and {@code /liveness}
 * @param interfacePrefix host-side workload interface prefix; null for {@code cali}
 */
public record FelixConfigurationSpec(
        Duration routeRefreshInterval,
        Duration iptablesRefreshInterval,
        String logSeverityScreen,
        Boolean ipipEnabled,
        Integer ipipMTU,
        Boolean vxlanEnabled,
        Integer vxlanPort,
        Integer vxlanVNI,
        Integer vxlanMTU,
        String natOutgoingAddress,
        EndpointToHostAction defaultEndpointToHostAction,
        Integer healthPort,
        Boolean prometheusMetricsEnabled,
        Integer prometheusMetricsPort,
        RouteTableRange routeTableRange,
        Boolean bpfEnabled,
        Boolean wireguardEnabled,
        Boolean healthEnabled,
        String interfacePrefix) {

    public static final Duration DEFAULT_ROUTE_REFRESH_INTERVAL = Duration.ofSeconds(90);
    public static final Duration DEFAULT_IPTABLES_REFRESH_INTERVAL = Duration.ofSeconds(180);
    public static final String DEFAULT_LOG_SEVERITY = "Info";
    public static final int DEFAULT_VXLAN_PORT = 4789;
    public static final int DEFAULT_VXLAN_VNI = 4096;
    public static final int DEFAULT_HEALTH_PORT = 9099;
    public static final int DEFAULT_PROMETHEUS_METRICS_PORT = 9091;
    public static final String DEFAULT_INTERFACE_PREFIX = "cali";

    public static final FelixConfigurationSpec EMPTY = new FelixConfigurationSpec(null, null, null, null, null,
            null, null, null, null, null, null, null, null, null, null, null, null, null, null);

    public Duration effectiveRouteRefreshInterval() {
        return routeRefreshInterval == null ? DEFAULT_ROUTE_REFRESH_INTERVAL : routeRefreshInterval;
    }

    public Duration effectiveIptablesRefreshInterval() {
        return iptablesRefreshInterval == null ? DEFAULT_IPTABLES_REFRESH_INTERVAL : iptablesRefreshInterval;
    }

    public String effectiveLogSeverityScreen() {
        return logSeverityScreen == null || logSeverityScreen.isEmpty() ? DEFAULT_LOG_SEVERITY : logSeverityScreen;
    }

    public int effectiveVxlanPort() {
        return vxlanPort == null || vxlanPort == 0 ? DEFAULT_VXLAN_PORT : vxlanPort;
    }

    public int effectiveVxlanVNI() {
        return vxlanVNI == null || vxlanVNI == 0 ? DEFAULT_VXLAN_VNI : vxlanVNI;
    }

    public EndpointToHostAction effectiveDefaultEndpointToHostAction() {
        return defaultEndpointToHostAction == null ? EndpointToHostAction.DROP : defaultEndpointToHostAction;
    }

    public int effectiveHealthPort() {
        return healthPort == null ? DEFAULT_HEALTH_PORT : healthPort;
    }

    public int effectivePrometheusMetricsPort() {
        return prometheusMetricsPort == null ? DEFAULT_PROMETHEUS_METRICS_PORT : prometheusMetricsPort;
    }

    public String effectiveInterfacePrefix() {
        return interfacePrefix == null || interfacePrefix.isEmpty() ? DEFAULT_INTERFACE_PREFIX : interfacePrefix;
    }

    /**
     * Combines a per-node configuration with the default one: each field set here wins, every
     * other field comes from {@code defaults}. This is how Felix layers {@code node.<name>} over
     * {@code default}.
     */
    public FelixConfigurationSpec overriding(FelixConfigurationSpec defaults) {
        return new FelixConfigurationSpec(
                or(routeRefreshInterval, defaults.routeRefreshInterval),
                or(iptablesRefreshInterval, defaults.iptablesRefreshInterval),
                or(logSeverityScreen, defaults.logSeverityScreen),
                or(ipipEnabled, defaults.ipipEnabled),
                or(ipipMTU, defaults.ipipMTU),
                or(vxlanEnabled, defaults.vxlanEnabled),
                or(vxlanPort, defaults.vxlanPort),
                or(vxlanVNI, defaults.vxlanVNI),
                or(vxlanMTU, defaults.vxlanMTU),
                or(natOutgoingAddress, defaults.natOutgoingAddress),
                or(defaultEndpointToHostAction, defaults.defaultEndpointToHostAction),
                or(healthPort, defaults.healthPort),
                or(prometheusMetricsEnabled, defaults.prometheusMetricsEnabled),
                or(prometheusMetricsPort, defaults.prometheusMetricsPort),
                or(routeTableRange, defaults.routeTableRange),
                or(bpfEnabled, defaults.bpfEnabled),
                or(wireguardEnabled, defaults.wireguardEnabled),
                or(healthEnabled, defaults.healthEnabled),
                or(interfacePrefix, defaults.interfacePrefix));
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
