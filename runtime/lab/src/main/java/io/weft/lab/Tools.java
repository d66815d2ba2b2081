package io.weft.lab;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.weft.lab.Topology.Pod;

/**
 * The programs a lab runs and where they are: the node runtime jar, the CNI shim, etcd, java, and
 * this jar (weftctl's direct etcd mode is in it). Paths come from the environment that
 * {@code bin/weft-lab} sets ({@code WEFT_LAB_NODE_JAR}, {@code WEFT_LAB_SHIM}, {@code WEFT_LAB_ETCD}),
 * else from a source checkout's layout (runtime/lab/target/weft-lab.jar next to
 * runtime/target/weft-node-etcd.jar and runtime/target/cni-shim/weft).
 */
record Tools(Path nodeJar, Path shim, Path etcd, Path java, Path labJar) {

    static Tools locate(Map<String, String> env) throws LabException {
        Path labJar = ownJar();
        Path checkoutTarget = labJar.getParent() == null || labJar.getParent().getParent() == null ? Path.of(".")
                : labJar.getParent().getParent().getParent().resolve("target");
        Path nodeJar = path(env, "WEFT_LAB_NODE_JAR", checkoutTarget.resolve("weft-node-etcd.jar"));
        Path shim = path(env, "WEFT_LAB_SHIM", checkoutTarget.resolve("cni-shim/weft"));
        Path etcd = path(env, "WEFT_LAB_ETCD", onPath("etcd", Path.of("/usr/bin/etcd")));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new Tools(nodeJar, shim, etcd, java, labJar);
    }

    /** What `up` needs and lacks, each with the way to get it. */
    List<String> missing() {
        List<String> missing = new ArrayList<>();
        if (!Files.isRegularFile(nodeJar)) {
            missing.add("node runtime " + nodeJar + " is missing: build it (mvn -pl runtime package) or set WEFT_LAB_NODE_JAR");
        }
        if (!Files.isExecutable(shim)) {
            missing.add("CNI shim " + shim + " is missing: build it (mvn -pl runtime package, needs gcc) or set WEFT_LAB_SHIM");
        }
        if (!Files.isExecutable(etcd)) {
            missing.add("etcd " + etcd + " is missing: apt-get install etcd-server, or set WEFT_LAB_ETCD");
        }
        if (!Files.isRegularFile(labJar)) {
            missing.add("weft-lab must run from its jar (java -jar weft-lab.jar), not from " + labJar);
        }
        return missing;
    }

    /** weftctl straight to the lab's etcd, run inside the switch namespace where etcd listens. */
    Host.Result weftctl(LabLayout layout, String... args) throws LabException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", layout.switchNs(), java.toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
                "-cp", labJar.toString(), "io.weft.cli.Weftctl"));
        command.addAll(List.of(args));
        Map<String, String> env = new HashMap<>();
        env.put("DATASTORE_TYPE", "etcdv3");
        env.put("ETCD_ENDPOINTS", "http://127.0.0.1:" + LabLayout.ETCD_CLIENT_PORT);
        env.put("WEFTCTL_CONFIG", "/dev/null");
        return Host.run(command, env, null, 120);
    }

    /** The shim, called as a kubelet calls a CNI plugin: CNI_* environment, the network config on stdin. */
    Host.Result cni(LabLayout layout, String node, String verb, Pod pod, String containerId, String podNs)
            throws LabException {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", verb);
        env.put("CNI_CONTAINERID", containerId);
        env.put("CNI_NETNS", "/var/run/netns/" + podNs);
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=" + pod.k8sNamespace() + ";K8S_POD_NAME=" + pod.name()
                + ";K8S_POD_INFRA_CONTAINER_ID=" + containerId);
        env.put("CNI_PATH", shim.getParent().toString());
        env.put("WEFT_CNI_SOCKET", layout.cniSocket(node).toString());
        // the weft entry of 10-weft.conflist, as libcni hands it to the plugin
        String config = "{\"cniVersion\":\"1.0.0\",\"name\":\"k8s-pod-network\",\"type\":\"weft\","
                + "\"log_level\":\"info\",\"nodename\":\"" + node + "\",\"mtu\":" + layout.podMtu()
                + ",\"ipam\":{\"type\":\"weft\"}}";
        return Host.run(List.of(shim.toString()), env, config, 330);
    }

    private static Path ownJar() throws LabException {
        try {
            return Path.of(WeftLab.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | SecurityException e) {
            throw new LabException("cannot tell where weft-lab's jar is: " + e.getMessage(), e);
        }
    }

    private static Path path(Map<String, String> env, String variable, Path fallback) {
        String value = env.get(variable);
        return value == null || value.isBlank() ? fallback.normalize() : Path.of(value);
    }

    private static Path onPath(String program, Path fallback) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return fallback;
    }
}
