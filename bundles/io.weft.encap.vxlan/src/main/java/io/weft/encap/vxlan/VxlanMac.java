package io.weft.encap.vxlan;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The MAC of a node's {@code vxlan.calico} device when the Node resource does not set one:
 * {@code 0x66} followed by the first five bytes of SHA-1 of the node name, as Calico derives it.
 * Every node computes the same value for every other node, so no one has to publish it, and it
 * survives restarts (a random MAC would invalidate every peer's FDB entry).
 */
public final class VxlanMac {
    private VxlanMac() {
    }

    public static String forNode(String nodeName) {
        byte[] sha;
        try {
            sha = MessageDigest.getInstance("SHA-1").digest(nodeName.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JRE has no SHA-1", e);
        }
        StringBuilder mac = new StringBuilder("66");
        for (int i = 0; i < 5; i++) {
            mac.append(':').append(String.format("%02x", sha[i] & 0xff));
        }
        return mac.toString();
    }
}
