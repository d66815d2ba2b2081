package io.weft.netlink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import io.weft.netlink.internal.Errno;

/**
 * Network sysctls of a namespace ({@code net/ipv4/conf/caliXXX/proxy_arp} and the like).
 * {@code /proc/sys/net} shows the namespace of the thread that opens it, so reads and writes
 * run inside the namespace.
 */
public final class Sysctl {
    private Sysctl() {
    }

    /** Writes {@code value} to {@code /proc/sys/<key>}, e.g. key {@code net/ipv4/ip_forward}. */
    public static void write(Netns netns, String key, String value) throws NetlinkException {
        Path file = file(key);
        netns.call(() -> {
            try {
                Files.writeString(file, value, StandardCharsets.US_ASCII);
            } catch (NoSuchFileException e) {
                throw new NetlinkException("sysctl " + key + "=" + value + " in " + netns, Errno.ENOENT,
                        "no such sysctl (is the interface there?)");
            } catch (IOException e) {
                throw new NetlinkException("sysctl " + key + "=" + value + " in " + netns + ": " + e.getMessage(), e);
            }
            return null;
        });
    }

    public static String read(Netns netns, String key) throws NetlinkException {
        Path file = file(key);
        return netns.call(() -> {
            try {
                return Files.readString(file, StandardCharsets.US_ASCII).trim();
            } catch (NoSuchFileException e) {
                throw new NetlinkException("sysctl " + key + " in " + netns, Errno.ENOENT, "no such sysctl");
            }
        });
    }

    private static Path file(String key) {
        if (key.isEmpty() || key.startsWith("/") || key.contains("..")) {
            throw new IllegalArgumentException("not a sysctl key: '" + key + "' (expected e.g. net/ipv4/ip_forward)");
        }
        // slashes only: interface names may contain dots (vxlan.calico)
        return Path.of("/proc/sys").resolve(key);
    }
}
