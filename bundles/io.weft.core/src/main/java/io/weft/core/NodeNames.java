package io.weft.core;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Resolves the node name the way calico/node does: explicit setting, NODENAME, then host name. */
final class NodeNames {
    private NodeNames() {
    }

    static String resolve(String configured, Map<String, String> env) {
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
