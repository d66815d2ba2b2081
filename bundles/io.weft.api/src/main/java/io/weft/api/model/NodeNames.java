package io.weft.api.model;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Resolves this machine's node name the way calico/node does: an explicit setting, then the
 * {@code NODENAME} environment variable, then the host name. Every bundle that acts for "this
 * node" (registration, CNI, agent) resolves it here so they can never disagree.
 */
public final class NodeNames {

    private NodeNames() {
    }

    /** {@code configured} wins when not blank; then {@code env}'s NODENAME; then the host name. */
    public static String resolve(String configured, Map<String, String> env) {
        if (configured != null && !configured.isBlank()) {
            return configured.trim();
        }
        String fromEnv = env.get("NODENAME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.trim();
        }
        return hostName();
    }

    private static String hostName() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc not mounted: fall back to the resolver
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
