package io.weft.lab;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.weft.lab.Topology.External;
import io.weft.lab.Topology.Node;
import io.weft.lab.Topology.Pod;
import io.weft.lab.Topology.Pool;
import io.weft.lab.Topology.Router;

/**
 * {@code weft-lab up}: builds the topology — switch namespace with one bridge per subnet and the
 * management bridge, etcd on it, pools and Node resources written to etcd, routers, externals,
 * nodes each running the node runtime, then pods added through the CNI shim as a kubelet adds
 * them. Each thing is journaled before it is made.
 */
final class LabUp {
    private static final Pattern POD_ADDRESS = Pattern.compile("\"address\"\\s*:\\s*\"([0-9.]+)/32\"");
    /** CNI error 11: the node runtime is still starting; a kubelet retries, so do we. */
    private static final int TRY_AGAIN_LATER = 11;

    private final LabLayout layout;
    private final Tools tools;
    private final LabJournal journal;
    private final PrintStream out;

    LabUp(LabLayout layout, Tools tools, PrintStream out) {
        this.layout = layout;
        this.tools = tools;
        this.journal = new LabJournal(layout.dir());
        this.out = out;
    }

    void build(Path topologyFile) throws LabException {
        Topology topology = layout.topology();
        makeLabDir();
        LabLock lock;
        try {
            lock = LabLock.acquire(layout.dir(), "weft-lab up " + topology.name());
        } catch (LabException e) {
            throw new LabBusyException(e.getMessage());
        }
        try (lock) {
            if (journal.exists()) {
                throw new LabBusyException("lab '" + topology.name() + "' is already up (state in " + layout.dir()
                        + "); run weft-lab down " + topology.name() + " first");
            }
            copyTopology(topologyFile);
            buildLocked(topology);
        }
    }

    /** Another command owns the lab: nothing of it is ours to remove. */
    static final class LabBusyException extends LabException {
        private static final long serialVersionUID = 1L;

        LabBusyException(String message) {
            super(message);
        }
    }

    private void buildLocked(Topology topology) throws LabException {
        // Ctrl-C or kill: no time to tear down safely here, but the journal has everything made so far
        Thread interrupted = new Thread(() -> System.err.println("weft-lab up: stopped before the lab was complete; "
                + "weft-lab down " + topology.name() + " removes what was built"));
        Runtime.getRuntime().addShutdownHook(interrupted);
        try {
            buildAll(topology);
        } finally {
            Runtime.getRuntime().removeShutdownHook(interrupted);
        }
    }

    private void buildAll(Topology topology) throws LabException {
        long started = System.nanoTime();
        buildSwitch();
        startEtcd();
        writeResources();
        int r = 0;
        for (Router router : topology.routers()) {
            buildRouter(r++, router);
        }
        int x = 0;
        for (External external : topology.externals()) {
            buildExternal(x++, external);
        }
        for (Node node : topology.nodes()) {
            buildNode(node);
        }
        Map<String, Process> runtimes = new LinkedHashMap<>();
        Map<String, Long> startedAt = new LinkedHashMap<>();
        for (Node node : topology.nodes()) {
            startedAt.put(node.name(), System.nanoTime());
            runtimes.put(node.name(), startRuntime(node));
        }
        for (Node node : topology.nodes()) {
            awaitReady(node, runtimes.get(node.name()), startedAt.get(node.name()));
        }
        for (Node node : topology.nodes()) {
            for (Pod pod : node.pods() == null ? List.<Pod>of() : node.pods()) {
                addPod(node, pod);
            }
        }
        out.printf("lab %s is up in %.1f s (state in %s); weft-lab status %s, weft-lab ping-matrix %s, "
                + "weft-lab down %s%n", topology.name(), (System.nanoTime() - started) / 1e9, layout.dir(),
                topology.name(), topology.name(), topology.name());
    }

    private void makeLabDir() throws LabException {
        try {
            Files.createDirectories(layout.dir().getParent());
            if (!Files.isDirectory(layout.dir())) {
                Files.createDirectory(layout.dir(), PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new LabException("cannot create the lab directory " + layout.dir() + ": " + e.getMessage(), e);
        }
    }

    private void copyTopology(Path topologyFile) throws LabException {
        try {
            Files.copy(topologyFile, layout.dir().resolve(WeftLab.TOPOLOGY_COPY),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new LabException("cannot copy " + topologyFile + " into " + layout.dir() + ": " + e.getMessage(), e);
        }
        journal.record("lab", layout.topology().name());
    }

    private void netns(String name) throws LabException {
        journal.record("netns", name);
        Host.must("ip", "netns", "add", name);
        Host.must("ip", "-n", name, "link", "set", "lo", "up");
    }

    /** A veth with one end (named {@code inside}) in {@code ns} and the other on a bridge of the switch. */
    private void cable(String ns, String inside, String switchEnd, String bridge) throws LabException {
        Host.must("ip", "link", "add", inside, "netns", ns, "type", "veth", "peer", "name", switchEnd, "netns",
                layout.switchNs());
        Host.must("ip", "-n", layout.switchNs(), "link", "set", switchEnd, "master", bridge, "up");
        Host.must("ip", "-n", ns, "link", "set", inside, "up");
    }

    private void buildSwitch() throws LabException {
        String sw = layout.switchNs();
        netns(sw);
        for (Topology.Subnet subnet : layout.topology().subnets()) {
            Host.must("ip", "-n", sw, "link", "add", layout.bridge(subnet.name()), "type", "bridge");
            Host.must("ip", "-n", sw, "link", "set", layout.bridge(subnet.name()), "up");
        }
        Host.must("ip", "-n", sw, "link", "add", layout.managementBridge(), "type", "bridge");
        Host.must("ip", "-n", sw, "addr", "add", layout.etcdAddress() + "/" + layout.managementPrefix(), "dev",
                layout.managementBridge());
        Host.must("ip", "-n", sw, "link", "set", layout.managementBridge(), "up");
        out.println("switch " + sw + ": bridges for " + layout.topology().subnets().size()
                + " subnet(s) and the management network " + layout.topology().managementCidr());
    }

    private void startEtcd() throws LabException {
        Path data = layout.dir().resolve("etcd");
        Path log = layout.dir().resolve("etcd.log");
        String client = layout.etcdEndpoint();
        // peers on loopback: a one-member cluster inside the switch namespace, reachable only from the lab
        List<String> command = List.of("setsid", "ip", "netns", "exec", layout.switchNs(), tools.etcd().toString(),
                "--name", "lab", "--data-dir", data.toString(),
                "--listen-client-urls", client + ",http://127.0.0.1:" + LabLayout.ETCD_CLIENT_PORT,
                "--advertise-client-urls", client,
                "--listen-peer-urls", "http://127.0.0.1:2380", "--initial-advertise-peer-urls", "http://127.0.0.1:2380",
                "--initial-cluster", "lab=http://127.0.0.1:2380", "--initial-cluster-state", "new");
        Process etcd = startDetached(command, log);
        journal.record("process", "etcd", Long.toString(etcd.pid()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!logContains(log, "ready to serve client requests")) {
            if (!etcd.isAlive()) {
                throw new LabException("etcd exited at start; its log " + log + " says:\n" + tail(log));
            }
            if (System.nanoTime() > deadline) {
                throw new LabException("etcd did not become ready in 20 s; see " + log);
            }
            sleep(50);
        }
        out.println("etcd at " + client + " (pid " + etcd.pid() + ", log " + log + ")");
    }

    /** Pools and Node resources (address, AS) go into etcd before any node starts, once. */
    private void writeResources() throws LabException {
        StringBuilder yaml = new StringBuilder();
        for (Pool p : layout.topology().pools()) {
            yaml.append("---\napiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: ").append(p.name())
                    .append("\nspec:\n  cidr: ").append(p.cidr())
                    .append("\n  blockSize: ").append(p.effectiveBlockSize())
                    .append("\n  vxlanMode: ").append(p.effectiveVxlanMode())
                    .append("\n  ipipMode: ").append(p.effectiveIpipMode())
                    .append("\n  natOutgoing: ").append(Boolean.TRUE.equals(p.natOutgoing()))
                    .append("\n  nodeSelector: all()\n");
        }
        for (Node n : layout.topology().nodes()) {
            yaml.append("---\napiVersion: projectcalico.org/v3\nkind: Node\nmetadata:\n  name: ").append(n.name())
                    .append("\nspec:\n  bgp:\n    ipv4Address: ").append(n.ip()).append('/')
                    .append(layout.prefix(n.subnet())).append('\n');
            if (n.asNumber() != null) {
                yaml.append("    asNumber: ").append(n.asNumber()).append('\n');
            }
        }
        Path file = layout.dir().resolve("resources.yaml");
        try {
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new LabException("cannot write " + file + ": " + e.getMessage(), e);
        }
        Host.Result r = tools.weftctl(layout, "apply", "-f", file.toString());
        if (!r.ok()) {
            throw new LabException("writing the pools and nodes to etcd failed: " + r.stderr().trim() + r.stdout().trim());
        }
        out.print(r.stdout().isBlank() ? "" : r.stdout());
    }

    private void buildRouter(int index, Router router) throws LabException {
        String ns = layout.ns(router.name());
        netns(ns);
        int leg = 0;
        for (Map.Entry<String, String> e : router.legs().entrySet()) {
            String dev = "eth" + leg;
            cable(ns, dev, layout.routerLegPeer(index, leg), layout.bridge(e.getKey()));
            Host.must("ip", "-n", ns, "addr", "add", e.getValue() + "/" + layout.prefix(e.getKey()), "dev", dev);
            leg++;
        }
        Host.must("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        out.println("router " + router.name() + " (" + ns + "): " + router.legs());
    }

    private void buildExternal(int index, External external) throws LabException {
        String ns = layout.ns(external.name());
        netns(ns);
        cable(ns, "eth0", layout.externalPeer(index), layout.bridge(external.subnet()));
        Host.must("ip", "-n", ns, "addr", "add", external.ip() + "/" + layout.prefix(external.subnet()), "dev", "eth0");
        defaultRoute(ns, external.subnet());
        out.println("external " + external.name() + " (" + ns + "): " + external.ip());
    }

    private void defaultRoute(String ns, String subnet) throws LabException {
        var gateway = layout.topology().gateway(subnet);
        if (gateway.isPresent()) {
            Host.must("ip", "-n", ns, "route", "add", "default", "via", gateway.get());
        } else {
            // no router in this subnet: still a default route, because the node answers its pods'
            // ARP for 169.254.1.1 by proxy ARP only when that address is routed out another interface
            Host.must("ip", "-n", ns, "route", "add", "default", "dev", "eth0");
        }
    }

    private void buildNode(Node node) throws LabException {
        String ns = layout.ns(node.name());
        netns(ns);
        cable(ns, "eth0", layout.nodeUplinkPeer(node.name()), layout.bridge(node.subnet()));
        Host.must("ip", "-n", ns, "addr", "add", node.ip() + "/" + layout.prefix(node.subnet()), "dev", "eth0");
        cable(ns, "mgmt0", layout.nodeManagementPeer(node.name()), layout.managementBridge());
        Host.must("ip", "-n", ns, "addr", "add", layout.nodeManagementAddress(node.name()) + "/"
                + layout.managementPrefix(), "dev", "mgmt0");
        defaultRoute(ns, node.subnet());
        // pods on one node reach each other with the CNI server's wiring alone, before the agent runs
        Host.must("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        writeNodeConfig(node);
    }

    private void writeNodeConfig(Node node) throws LabException {
        Path dir = layout.nodeDir(node.name());
        Path etc = dir.resolve("etc");
        String subnetCidr = layout.topology().subnet(node.subnet()).cidr();
        Map<String, String> files = new LinkedHashMap<>();
        files.put("io.weft.node.cfg", "# written by weft-lab\nnodeName = " + node.name() + "\n");
        files.put("io.weft.datastore.etcd.cfg", "# the lab's etcd, on the management network\nendpoints = "
                + layout.etcdEndpoint() + "\n");
        files.put("io.weft.cni.cfg", "# the shim finds it through WEFT_CNI_SOCKET\nsocketPath = "
                + layout.cniSocket(node.name()) + "\nmtu = " + layout.podMtu() + "\n");
        files.put("io.weft.admin.cfg", "path = " + layout.adminSocket(node.name()) + "\nenabled = true\n");
        files.put("io.weft.agent.cfg", "nodeName = " + node.name()
                + "\n# the uplink's subnet, so the management address is never taken for the node's\n"
                + "ipAutodetectionMethod = cidr=" + subnetCidr + "\n");
        files.put("io.weft.bootstrap.cfg", "# the lab writes its pools itself, before any node starts\n"
                + "createDefaultPools = false\n");
        try {
            Files.createDirectories(etc);
            Files.createDirectories(dir.resolve("data"));
            for (Map.Entry<String, String> f : files.entrySet()) {
                Files.writeString(etc.resolve(f.getKey()), f.getValue());
            }
        } catch (IOException e) {
            throw new LabException("cannot write the configuration of node " + node.name() + " in " + etc + ": "
                    + e.getMessage(), e);
        }
    }

    private Process startRuntime(Node node) throws LabException {
        Path dir = layout.nodeDir(node.name());
        List<String> command = new ArrayList<>(List.of("setsid", "ip", "netns", "exec", layout.ns(node.name()),
                tools.java().toString(), "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                // the exported jar's framework storage is an absolute path fixed at build time, shared by
                // every runtime started from that jar; each node needs its own
                "-Dlaunch.storage.dir=" + dir.resolve("data/framework"),
                "-jar", tools.nodeJar().toString()));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().put("NODENAME", node.name());
        pb.environment().put("NO_DEFAULT_POOLS", "true");
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("runtime.log").toFile()));
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            Process p = pb.start();
            journal.record("process", "node-" + node.name(), Long.toString(p.pid()));
            return p;
        } catch (IOException e) {
            throw new LabException("cannot start the node runtime of " + node.name() + ": " + e.getMessage(), e);
        }
    }

    private void awaitReady(Node node, Process runtime, long startedNanos) throws LabException {
        Path log = layout.nodeDir(node.name()).resolve("runtime.log");
        long deadline = startedNanos + TimeUnit.SECONDS.toNanos(90);
        while (!(Files.exists(layout.cniSocket(node.name())) && Files.exists(layout.adminSocket(node.name())))) {
            if (!runtime.isAlive()) {
                throw new LabException("the node runtime of " + node.name() + " exited at start; " + log
                        + " ends with:\n" + tail(log));
            }
            if (System.nanoTime() > deadline) {
                throw new LabException("node " + node.name() + " did not open its CNI and admin sockets in 90 s; see "
                        + log);
            }
            sleep(50);
        }
        out.printf("node %s (%s, %s): runtime pid %d ready in %.2f s%n", node.name(), layout.ns(node.name()),
                node.ip(), runtime.pid(), (System.nanoTime() - startedNanos) / 1e9);
    }

    private void addPod(Node node, Pod pod) throws LabException {
        String podNs = layout.podNs(pod);
        String id = layout.containerId(pod);
        journal.record("pod", node.name(), pod.k8sNamespace(), pod.name(), id, podNs);
        netns(podNs);
        Host.Result r = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int attempt = 1;; attempt++) {
            r = tools.cni(layout, node.name(), "ADD", pod, id, podNs);
            if (r.exitCode() != TRY_AGAIN_LATER || System.nanoTime() > deadline) {
                break;
            }
            sleep(Math.min(2000, 100L * attempt));
        }
        Matcher m = POD_ADDRESS.matcher(r.stdout());
        if (!r.ok() || !m.find()) {
            throw new LabException("CNI ADD of pod " + pod.qualifiedName() + " on node " + node.name() + " failed (exit "
                    + r.exitCode() + "): " + r.stdout().trim() + " " + r.stderr().trim() + "\nnode log: "
                    + layout.nodeDir(node.name()).resolve("runtime.log"));
        }
        journal.record("pod-ip", id, m.group(1));
        out.println("pod " + pod.qualifiedName() + " on " + node.name() + ": " + m.group(1) + " (netns " + podNs + ")");
    }

    static Process startDetached(List<String> command, Path log) throws LabException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            return pb.start();
        } catch (IOException e) {
            throw new LabException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
    }

    private static boolean logContains(Path log, String text) {
        try {
            return Files.exists(log) && Files.readString(log).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    static void sleep(long millis) throws LabException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted", e);
        }
    }
}
