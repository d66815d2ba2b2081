package io.weft.api.model;

import java.time.Duration;
import java.util.List;

/**
 * Which nodes peer with whom. Nullable fields mean "not written"; the {@code effective...}
 * methods apply Calico's defaults.
 *
 * <p>Scope: {@code node} names one node, {@code nodeSelector} selects several, neither means all
 * nodes. Remote side: {@code peerIP} (optionally {@code ip:port} or {@code [ipv6]:port}) with
 * {@code asNumber}, or {@code peerSelector} to peer with other Calico nodes, each at its own
 * address and AS.
 *
 * @param asNumber remote AS; ignored with {@code peerSelector}
 * @param keepOriginalNextHop older spelling of {@code nextHopMode: Keep}
 * @param password MD5 password, always a reference to a Secret
 * @param sourceAddress null for {@link SourceAddress#USE_NODE_IP}
 * @param maxRestartTime graceful-restart time; null for 120 s
 * @param ttlSecurity GTSM: number of hops to the peer; null or 0 to disable
 * @param filters names of BGPFilter resources applied in order
 * @param numAllowedLocalASNumbers times the local AS may appear in a received AS path (loop-prevention override)
 * @param reachableBy gateway through which an exact route to the peer is added, to stop flapping
 *        when the peer is also learnt over BGP
 * @param nextHopMode null to derive it from {@code keepOriginalNextHop}
 */
public record BGPPeerSpec(
        String node,
        String peerIP,
        Long asNumber,
        String nodeSelector,
        String peerSelector,
        boolean keepOriginalNextHop,
        SecretKeyRef password,
        SourceAddress sourceAddress,
        Duration maxRestartTime,
        Integer ttlSecurity,
        List<String> filters,
        Integer numAllowedLocalASNumbers,
        String reachableBy,
        NextHopMode nextHopMode) {

    public static final BGPPeerSpec EMPTY =
            new BGPPeerSpec(null, null, null, null, null, false, null, null, null, null, null, null, null, null);

    public BGPPeerSpec {
        filters = Copies.list(filters);
    }

    /** A peering from every node to one remote speaker, the most common kind in the field. */
    public static BGPPeerSpec global(String peerIP, long asNumber) {
        return new BGPPeerSpec(null, peerIP, asNumber, null, null, false, null, null, null, null, null, null, null,
                null);
    }

    /** A peering from one node to one remote speaker (a ToR switch, typically). */
    public static BGPPeerSpec forNode(String node, String peerIP, long asNumber) {
        return new BGPPeerSpec(node, peerIP, asNumber, null, null, false, null, null, null, null, null, null, null,
                null);
    }

    /** True when the peering applies to every node: neither {@code node} nor {@code nodeSelector} is set. */
    public boolean isGlobal() {
        return isBlank(node) && isBlank(nodeSelector);
    }

    public SourceAddress effectiveSourceAddress() {
        return sourceAddress == null ? SourceAddress.USE_NODE_IP : sourceAddress;
    }

    public NextHopMode effectiveNextHopMode() {
        if (nextHopMode != null) {
            return nextHopMode;
        }
        return keepOriginalNextHop ? NextHopMode.KEEP : NextHopMode.AUTO;
    }

    public Duration effectiveMaxRestartTime() {
        return maxRestartTime == null ? BGPConfigurationSpec.DEFAULT_MAX_RESTART_TIME : maxRestartTime;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
