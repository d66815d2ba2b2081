package io.weft.agent;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

import io.weft.api.model.NodeNames;
import io.weft.netlink.Netns;

/**
 * The agent's settings as plain values, so tests build them directly.
 *
 * @param nodeName           this node's name in the datastore
 * @param netns              the namespace whose kernel the agent programs (the node runtime's own
 *                           in production, one per simulated node in tests)
 * @param autodetection      how the node address is found
 * @param resyncInterval     full kernel comparison period
 * @param routeProtocol      the protocol number marking the routes the agent owns
 * @param workloadPrefix     host-side veth prefix
 * @param healthHost         where the health and metrics endpoint listens
 * @param healthPort         its port; 0 for none
 */
public record AgentSettings(String nodeName, Netns netns, AddressAutodetection autodetection, Duration resyncInterval,
        int routeProtocol, String workloadPrefix, String healthHost, int healthPort) {

    /** Without a health endpoint (tests run several agents in one process). */
    public AgentSettings(String nodeName, Netns netns, AddressAutodetection autodetection, Duration resyncInterval,
            int routeProtocol, String workloadPrefix) {
        this(nodeName, netns, autodetection, resyncInterval, routeProtocol, workloadPrefix, "localhost", 0);
    }

    public AgentSettings {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(netns, "netns");
        Objects.requireNonNull(autodetection, "autodetection");
        if (resyncInterval.isNegative() || resyncInterval.isZero()) {
            throw new IllegalArgumentException("resyncIntervalSeconds must be positive, was " + resyncInterval.toSeconds());
        }
        if (healthPort < 0 || healthPort > 65535) {
            throw new IllegalArgumentException("healthPort must be 0-65535 (0: off), was " + healthPort);
        }
        if (routeProtocol < 1 || routeProtocol > 255) {
            throw new IllegalArgumentException("routeProtocol must be 1-255, was " + routeProtocol);
        }
    }

    /** From Config Admin, with Calico's environment variables as fallbacks. */
    static AgentSettings from(AgentConfig config, Map<String, String> env) {
        String method = config.ipAutodetectionMethod();
        if (method == null || method.isBlank()) {
            method = env.getOrDefault("IP_AUTODETECTION_METHOD", "first-found");
        }
        Netns netns = Netns.hostSetting(config.hostNetns());
        return new AgentSettings(NodeNames.resolve(config.nodeName(), env), netns, AddressAutodetection.parse(method),
                Duration.ofSeconds(config.resyncIntervalSeconds()), config.routeProtocol(),
                config.workloadInterfacePrefix(), config.healthHost(), config.healthPort());
    }
}
