package io.weft.api.cni;

import java.util.Map;
import java.util.Objects;

/**
 * One CNI invocation as the shim forwarded it: the CNI_* environment and the network
 * configuration from stdin, unparsed (the handler owns the JSON).
 *
 * @param command     CNI_COMMAND
 * @param containerId CNI_CONTAINERID (absent for STATUS, GC, VERSION)
 * @param netns       CNI_NETNS, a path such as {@code /var/run/netns/pod1}
 * @param ifName      CNI_IFNAME, usually {@code eth0}
 * @param args        CNI_ARGS split into pairs (K8S_POD_NAMESPACE, K8S_POD_NAME, …)
 * @param path        CNI_PATH
 * @param config      the network configuration JSON from stdin
 */
public record CniRequest(CniCommand command, String containerId, String netns, String ifName,
        Map<String, String> args, String path, byte[] config) {
    public CniRequest {
        Objects.requireNonNull(command, "command");
        args = args == null ? Map.of() : Map.copyOf(args);
        config = config == null ? new byte[0] : config;
    }
}
