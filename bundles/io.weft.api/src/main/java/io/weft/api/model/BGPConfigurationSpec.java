package io.weft.api.model;

import java.time.Duration;
import java.util.List;

/**
 * Cluster-wide BGP settings. Nullable fields mean "not written"; the {@code effective...} methods
 * apply Calico's defaults.
 *
 * @param logSeverityScreen BGP speaker log level ({@code Info}, {@code Debug}, ...)
 * @param nodeToNodeMeshEnabled null for enabled
 * @param asNumber AS of nodes that do not set their own; null for 64512
 * @param serviceClusterIPs service cluster ranges to advertise from every node
 * @param listenPort null for 179
 * @param nodeMeshPassword MD5 password for the node-to-node mesh sessions
 * @param nodeMeshMaxRestartTime graceful-restart time for mesh sessions; null for 120 s
 */
public record BGPConfigurationSpec(
        String logSeverityScreen,
        Boolean nodeToNodeMeshEnabled,
        Long asNumber,
        List<ServiceIPBlock> serviceClusterIPs,
        List<ServiceIPBlock> serviceExternalIPs,
        List<ServiceIPBlock> serviceLoadBalancerIPs,
        Integer listenPort,
        BindMode bindMode,
        List<Community> communities,
        List<PrefixAdvertisement> prefixAdvertisements,
        SecretKeyRef nodeMeshPassword,
        Duration nodeMeshMaxRestartTime) {

    /** The private AS Calico uses when none is configured. */
    public static final long DEFAULT_AS_NUMBER = 64512L;
    public static final int DEFAULT_LISTEN_PORT = 179;
    public static final Duration DEFAULT_MAX_RESTART_TIME = Duration.ofSeconds(120);
    public static final String DEFAULT_LOG_SEVERITY = "Info";

    public static final BGPConfigurationSpec EMPTY =
            new BGPConfigurationSpec(null, null, null, null, null, null, null, null, null, null, null, null);

    public BGPConfigurationSpec {
        serviceClusterIPs = Copies.list(serviceClusterIPs);
        serviceExternalIPs = Copies.list(serviceExternalIPs);
        serviceLoadBalancerIPs = Copies.list(serviceLoadBalancerIPs);
        communities = Copies.list(communities);
        prefixAdvertisements = Copies.list(prefixAdvertisements);
    }

    public long effectiveAsNumber() {
        return asNumber == null ? DEFAULT_AS_NUMBER : asNumber;
    }

    public boolean effectiveNodeToNodeMeshEnabled() {
        return nodeToNodeMeshEnabled == null || nodeToNodeMeshEnabled;
    }

    public int effectiveListenPort() {
        return listenPort == null || listenPort == 0 ? DEFAULT_LISTEN_PORT : listenPort;
    }

    public BindMode effectiveBindMode() {
        return bindMode == null ? BindMode.NONE : bindMode;
    }

    public String effectiveLogSeverityScreen() {
        return logSeverityScreen == null || logSeverityScreen.isEmpty() ? DEFAULT_LOG_SEVERITY : logSeverityScreen;
    }

    public Duration effectiveNodeMeshMaxRestartTime() {
        return nodeMeshMaxRestartTime == null ? DEFAULT_MAX_RESTART_TIME : nodeMeshMaxRestartTime;
    }

    public BGPConfigurationSpec withNodeToNodeMeshEnabled(Boolean enabled) {
        return new BGPConfigurationSpec(logSeverityScreen, enabled, asNumber, serviceClusterIPs, serviceExternalIPs,
                serviceLoadBalancerIPs, listenPort, bindMode, communities, prefixAdvertisements, nodeMeshPassword,
                nodeMeshMaxRestartTime);
    }

    public BGPConfigurationSpec withAsNumber(Long asNumber) {
        return new BGPConfigurationSpec(logSeverityScreen, nodeToNodeMeshEnabled, asNumber, serviceClusterIPs,
                serviceExternalIPs, serviceLoadBalancerIPs, listenPort, bindMode, communities, prefixAdvertisements,
                nodeMeshPassword, nodeMeshMaxRestartTime);
    }
}
