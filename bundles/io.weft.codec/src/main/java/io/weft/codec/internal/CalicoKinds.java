package io.weft.codec.internal;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import io.weft.api.model.ResourceKind;

/**
 * What Calico calls things on the wire: the {@code kind} strings calicoctl reads and prints, and
 * the Calico kinds and fields Weft knows about but does not model, so that they get a clearer
 * error than "unknown".
 */
final class CalicoKinds {

    /** Wire kind string to model kind; IPAMConfig is accepted as an alias of IPAMConfiguration. */
    private static final Map<String, ResourceKind<?>> BY_WIRE_KIND = index();

    /** Calico v3 kinds Weft has no model for (yet). */
    static final Set<String> UNSUPPORTED_KINDS = Set.of("BGPFilter", "CalicoNodeStatus", "ClusterInformation",
            "GlobalNetworkSet", "HostEndpoint", "KubeControllersConfiguration", "NetworkSet", "Profile",
            "StagedGlobalNetworkPolicy", "StagedKubernetesNetworkPolicy", "StagedNetworkPolicy", "Tier");

    /**
     * Calico fields the model has no component for, by path pattern ({@code []} for list items).
     * Reading one is an error that says so, instead of a bare "unknown field".
     */
    static final Map<String, Set<String>> UNSUPPORTED_FIELDS = Map.ofEntries(
            Map.entry("IPPool.spec", Set.of("namespaceSelector", "ipip", "nat-outgoing")),
            Map.entry("BGPConfiguration.spec", Set.of("serviceLoadBalancerAggregation", "ignoredInterfaces",
                    "localWorkloadPeeringIPV4", "localWorkloadPeeringIPV6", "programClusterRoutes",
                    "ipv4NormalRoutePriority", "ipv6NormalRoutePriority")),
            Map.entry("BGPPeer.spec", Set.of("localASNumber", "keepaliveTime", "localWorkloadSelector",
                    "reversePeering")),
            Map.entry("secretKeyRef", Set.of("optional")),
            Map.entry("Node.spec", Set.of("vxlanTunnelMACAddrV6", "wireguard", "interfaces")),
            Map.entry("Node.status", Set.of("wireguardPublicKey", "wireguardPublicKeyV6")),
            Map.entry("WorkloadEndpoint.spec", Set.of("ipv4Gateway", "ipv6Gateway", "allowSpoofedSourcePrefixes",
                    "qosControls")),
            Map.entry("FelixConfiguration.spec", words(""
            + "nodeSelector useInternalDataplaneDriver dataplaneDriver dataplaneWatchdogTimeout ipv6Support "
            + "interfaceRefreshInterval iptablesPostWriteCheckInterval iptablesLockProbeInterval "
            + "featureDetectOverride featureGates ipsetsRefreshInterval maxIpsetSize iptablesBackend "
            + "xdpRefreshInterval netlinkTimeout metadataAddr metadataPort openstackRegion interfaceExclude "
            + "chainInsertMode iptablesFilterAllowAction iptablesMangleAllowAction iptablesFilterDenyAction "
            + "logPrefix logActionRateLimit logActionRateLimitBurst logFilePath logSeverityFile logSeveritySys "
            + "logDebugFilenameRegex vxlanMTUV6 allowVXLANPacketsFromWorkloads allowIPIPPacketsFromWorkloads "
            + "reportingInterval reportingTTL endpointReportingEnabled endpointReportingDelay "
            + "endpointStatusPathPrefix iptablesMarkMask disableConntrackInvalidCheck healthHost "
            + "healthTimeoutOverrides prometheusMetricsHost prometheusGoMetricsEnabled "
            + "prometheusProcessMetricsEnabled prometheusWireGuardMetricsEnabled prometheusMetricsCAFile "
            + "prometheusMetricsCertFile prometheusMetricsKeyFile prometheusMetricsClientAuth "
            + "failsafeInboundHostPorts failsafeOutboundHostPorts kubeNodePortRanges policySyncPathPrefix "
            + "usageReportingEnabled usageReportingInitialDelay usageReportingInterval natPortRange "
            + "natOutgoingExclusions deviceRouteSourceAddress deviceRouteSourceAddressIPv6 deviceRouteProtocol "
            + "removeExternalRoutes programClusterRoutes ipForwarding externalNodesList debugMemoryProfilePath "
            + "debugDisableLogDropping debugSimulateCalcGraphHangAfter debugSimulateDataplaneHangAfter "
            + "debugSimulateDataplaneApplyDelay debugHost debugPort iptablesNATOutgoingInterfaceFilter "
            + "sidecarAccelerationEnabled xdpEnabled genericXDPEnabled nftablesMode nftablesFlowTableOffload "
            + "nftablesFlowTableDataIfacePattern nftablesRefreshInterval nftablesFilterAllowAction "
            + "nftablesMangleAllowAction nftablesFilterDenyAction nftablesMarkMask bpfOverlayHostSourceIP "
            + "bpfDisableUnprivileged bpfJITHardening bpfLogLevel bpfConntrackLogLevel bpfConntrackMode "
            + "bpfConntrackTimeouts bpfIPFragTimeout bpfLogFilters bpfCTLBLogFilter bpfDataIfacePattern "
            + "bpfL3IfacePattern bpfConnectTimeLoadBalancingEnabled bpfConnectTimeLoadBalancing "
            + "bpfHostNetworkedNATWithoutCTLB bpfExternalServiceMode bpfDSROptoutCIDRs bpfExtToServiceConnmark "
            + "bpfKubeProxyIptablesCleanupEnabled bpfKubeProxyMinSyncPeriod bpfKubeProxyHealthzPort "
            + "bpfPSNATPorts bpfMapSizeNATFrontend bpfMapSizeNATBackend bpfMapSizeNATAffinity bpfMapSizeRoute "
            + "bpfMapSizeConntrack bpfMapSizePerCpuConntrack bpfMapSizeConntrackScaling "
            + "bpfMapSizeConntrackCleanupQueue bpfMapSizeIPSets bpfMapSizeIfState bpfHostConntrackBypass "
            + "bpfIPFragmentReassemblyEnabled bpfEnforceRPF bpfPolicyDebugEnabled "
            + "bpfForceTrackPacketsFromIfaces bpfDisableGROForIfaces bpfExcludeCIDRsFromNAT "
            + "bpfExportBufferSizeMB istioAmbientMode istioDSCPMark cgroupV2Path flowLogsPolicyEvaluationMode "
            + "bpfRedirectToPeer bpfAttachType flowLogsFlushInterval flowLogsCollectorDebugTrace "
            + "flowLogsGoldmaneServer flowLogsLocalReporter bpfProfiling routeSource routeTableRanges "
            + "routeSyncDisabled ipv4NormalRoutePriority ipv4ElevatedRoutePriority ipv6NormalRoutePriority "
            + "ipv6ElevatedRoutePriority liveMigrationRouteConvergenceTime wireguardEnabledV6 "
            + "wireguardThreadingEnabled wireguardListeningPort wireguardListeningPortV6 "
            + "wireguardRoutingRulePriority wireguardInterfaceName wireguardInterfaceNameV6 wireguardMTU "
            + "wireguardMTUV6 wireguardHostEncryptionEnabled wireguardKeepAlive awsSrcDstCheck "
            + "serviceLoopPrevention workloadSourceSpoofing mtuIfacePattern floatingIPs "
            + "localSubnetL2Reachability localSubnetL2ReachabilityRefreshInterval windowsManageFirewallRules "
            + "goGCThreshold goMemoryLimitMB goMaxProcs requireMTUFile bpfMaglevMaxEndpointsPerService "
            + "bpfMaglevMaxServices ")),
            Map.entry("IPAMBlock.spec", Set.of("affinityClaimTime")),
            Map.entry("IPAMBlock.spec.attributes[]", Set.of("alternateOwnerAttrs", "releasedAt")),
            Map.entry("IPAMConfiguration.spec", Set.of("kubeVirtVMAddressPersistence", "ipCooldownSeconds")),
            Map.entry("NetworkPolicy.spec", Set.of("tier", "performanceHints")),
            Map.entry("GlobalNetworkPolicy.spec", Set.of("tier", "performanceHints")),
            Map.entry("rule", Set.of("notICMP", "http", "metadata")),
            Map.entry("entityRule", Set.of("services", "serviceAccounts")));

    /**
     * Metadata fields the API server sets and calicoctl discards on create; accepted and dropped so
     * that output of other tools can be applied.
     */
    static final Set<String> IGNORED_METADATA = Set.of("generateName", "selfLink", "generation",
            "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences", "finalizers", "managedFields");

    private CalicoKinds() {
    }

    /** The {@code kind} calicoctl prints: the model's kind, except IPAMConfig which Calico's v3 API calls IPAMConfiguration. */
    static String wireKind(ResourceKind<?> kind) {
        return kind == ResourceKind.IPAM_CONFIG ? "IPAMConfiguration" : kind.kind();
    }

    /** Exact, case-sensitive lookup, as calicoctl does it. */
    static Optional<ResourceKind<?>> byWireKind(String kind) {
        return Optional.ofNullable(BY_WIRE_KIND.get(kind));
    }

    /** Wire kinds Weft reads, sorted, for "known kinds: …" messages. */
    static List<String> supportedKinds() {
        return ResourceKind.all().stream().map(CalicoKinds::wireKind).sorted().collect(Collectors.toList());
    }

    private static Map<String, ResourceKind<?>> index() {
        Map<String, ResourceKind<?>> map = new LinkedHashMap<>();
        for (ResourceKind<?> kind : ResourceKind.all()) {
            map.put(wireKind(kind), kind);
        }
        map.put("IPAMConfig", ResourceKind.IPAM_CONFIG);
        return Map.copyOf(map);
    }

    private static Set<String> words(String text) {
        return new TreeSet<>(Arrays.asList(text.trim().split("\\s+")));
    }
}
