package io.weft.cni;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The names Calico derives for a pod: its host-side veth and its WorkloadEndpoint. Both must be
 * computable from the CNI request alone, so DEL finds what ADD created even when the datastore
 * lost the endpoint or the node runtime restarted in between.
 */
final class PodNames {

    static final String K8S = "k8s";
    /** Orchestrator of workloads started without Kubernetes pod arguments (plain CNI callers). */
    static final String CNI = "cni";

    private PodNames() {
    }

    /**
     * {@code prefix} + the first 11 hex digits of SHA-1("namespace.pod") for pods; for other
     * workloads {@code prefix} + the first 11 characters of the container id.
     */
    static String hostVeth(String prefix, String namespace, String pod, String containerId) {
        String suffix;
        if (pod != null && !pod.isEmpty()) {
            suffix = sha1Hex(namespace + "." + pod).substring(0, 11);
        } else {
            suffix = containerId.length() > 11 ? containerId.substring(0, 11) : containerId;
        }
        String name = prefix + suffix;
        return name.length() > 15 ? name.substring(0, 15) : name;
    }

    /**
     * Calico's endpoint name: node, orchestrator, workload and interface joined by {@code -}, each
     * with its own dashes doubled so the parts stay recoverable ({@code node-1-k8s-web--0-eth0}).
     */
    static String workloadEndpoint(String node, String orchestrator, String workload, String ifName) {
        return escape(node) + "-" + escape(orchestrator) + "-" + escape(workload) + "-" + escape(ifName);
    }

    static String ipamHandle(String containerId) {
        return "k8s-pod-network." + containerId;
    }

    private static String escape(String part) {
        return part.replace("-", "--");
    }

    static String sha1Hex(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-1", e);
        }
    }
}
