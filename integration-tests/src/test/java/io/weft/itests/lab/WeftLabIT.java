package io.weft.itests.lab;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * weft-lab end to end, as a user runs it: {@code up} a topology file, look at what the kernel shows
 * in the pods and on the nodes, {@code ping-matrix}, {@code status}, {@code down}; then check that
 * nothing the lab made is left (namespaces, processes, etcd, the lab directory). Every node is a real
 * lean runtime (weft-node-etcd.jar: etcd datastore, agent, encapsulations) in its own namespace,
 * every pod added through the real CNI shim.
 */
public class WeftLabIT {
    private static final Path MODULE_DIR = Path.of(System.getProperty("user.dir"));
    private static final Path LAB_JAR = MODULE_DIR.resolve("../runtime/lab/target/weft-lab.jar").normalize();
    private static final Path NODE_JAR = MODULE_DIR.resolve("../runtime/target/weft-node-etcd.jar").normalize();
    private static final Path SHIM = MODULE_DIR.resolve("../runtime/target/cni-shim/weft").normalize();
    private static final Path SEEDS = MODULE_DIR.resolve("../runtime/lab/examples/seeds-4-node.yaml").normalize();
    private static final Pattern POD_LINE = Pattern.compile("pod (\\S+) on (\\S+): ([0-9.]+) \\(netns (\\S+)\\)");
    private static final Pattern PID = Pattern.compile("pid (\\d+)");

    private Path labRoot;
    private String lab;

    record Run(int exitCode, String stdout, String stderr) {
        String all() {
            return stdout + stderr;
        }
    }

    record Pod(String name, String node, String ip, String netns) {
    }

    @BeforeClass
    public static void requirements() {
        assumeTrue("weft-lab builds network namespaces and needs root",
                "root".equals(System.getProperty("user.name")));
        assumeTrue("weft-lab " + LAB_JAR + " is not built: mvn install -pl runtime,runtime/lab", Files.isRegularFile(LAB_JAR));
        assumeTrue("node runtime " + NODE_JAR + " is not built: mvn install -pl runtime", Files.isRegularFile(NODE_JAR));
        assumeTrue("CNI shim " + SHIM + " is not built: mvn install -pl runtime (needs gcc)", Files.isExecutable(SHIM));
        assumeTrue("etcd is missing: apt-get install etcd-server", Files.isExecutable(Path.of("/usr/bin/etcd")));
    }

    @Before
    public void labDir() throws IOException {
        labRoot = Files.createTempDirectory("weft-lab-it");
        lab = "it" + ProcessHandle.current().pid() % 100000;
    }

    @After
    public void cleanUp() throws Exception {
        // a failed test still must not leave a lab behind for the next one
        if (Files.exists(labRoot.resolve(lab).resolve("journal"))) {
            weftLab("down", lab);
        }
        try (Stream<Path> files = Files.walk(labRoot)) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    public void twoNodesInOneSubnetWithoutEncapsulation() throws Exception {
        Path topology = write("""
                name: %s
                subnets:
                  - {name: lan, cidr: 10.0.5.0/24}
                routers: []
                nodes:
                  - name: n1
                    subnet: lan
                    ip: 10.0.5.11
                    pods: [{name: a}, {name: b}]
                  - name: n2
                    subnet: lan
                    ip: 10.0.5.12
                    pods: [{name: c, namespace: shop}, {name: d}]
                externals:
                  - {name: outside, subnet: lan, ip: 10.0.5.100}
                pools:
                  - {name: plain, cidr: 10.248.0.0/16, blockSize: 26}
                """.formatted(lab));
        Run up = weftLab("up", topology.toString());
        assertEquals(up.all(), 0, up.exitCode());
        Map<String, Pod> pods = pods(up.stdout());
        assertEquals(up.stdout(), List.of("default/a", "default/b", "shop/c", "default/d"), List.copyOf(pods.keySet()));
        List<Long> pids = pids(up.stdout());
        assertEquals(up.stdout(), 3, pids.size()); // etcd and two runtimes

        // each pod as Calico wires it: a /32 on eth0 and the two routes through 169.254.1.1
        for (Pod pod : pods.values()) {
            assertTrue(pod.ip(), pod.ip().startsWith("10.248."));
            assertTrue(sh("ip", "-n", pod.netns(), "-4", "addr", "show", "eth0").contains("inet " + pod.ip() + "/32 scope global eth0"));
            assertEquals("default via 169.254.1.1 dev eth0 \n169.254.1.1 dev eth0 scope link \n",
                    sh("ip", "-n", pod.netns(), "-4", "route", "show"));
        }
        // each node: its pods' /32s, a blackhole for its block, and the other node's block via that node
        String n1 = sh("ip", "-n", lab + "-n1", "-4", "route", "show");
        String n2 = sh("ip", "-n", lab + "-n2", "-4", "route", "show");
        String block1 = block(n1);
        String block2 = block(n2);
        assertTrue(n1, n1.matches("(?s).*\\n" + Pattern.quote(pods.get("default/a").ip()) + " dev cali[0-9a-f]{11} .*scope link.*"));
        assertTrue(n1 + "\nwaiting for n1's route to " + block2, awaitLine(lab + "-n1", block2 + " via 10.0.5.12 dev eth0 proto 80"));
        assertTrue(n2 + "\nwaiting for n2's route to " + block1, awaitLine(lab + "-n2", block1 + " via 10.0.5.11 dev eth0 proto 80"));

        Run matrix = weftLab("ping-matrix", lab);
        assertEquals(matrix.all(), 0, matrix.exitCode());
        assertTrue(matrix.stdout(), matrix.stdout().contains("4 pods, 16 pairs, 12 expected to answer, 12 of them answered"));
        assertFalse(matrix.stdout(), matrix.stdout().contains("\nFAIL "));
        // without natOutgoing the outside host gets the pings but has no route back to the pods: no answer
        List<String> rows = matrix.stdout().lines().filter(l -> l.matches("\\s+\\d+(\\s+(ok|FAIL|-|\\.))+")).toList();
        assertEquals(matrix.stdout(), 4, rows.size());
        for (String row : rows) {
            assertTrue(matrix.stdout(), row.endsWith("    -"));
        }

        Run status = weftLab("status");
        assertEquals(status.all(), 0, status.exitCode());
        assertTrue(status.stdout(), status.stdout().contains("status: up"));
        assertTrue(status.stdout(), status.stdout().matches("(?s).*\\n\\s+n1\\s+\\(64512\\)\\s+10\\.0\\.5\\.11/24\\s*\\n.*"));
        assertTrue(status.stdout(), status.stdout().matches("(?s).*\\n\\s+n2\\s+\\(64512\\)\\s+10\\.0\\.5\\.12/24\\s*\\n.*"));

        // a second up of the same lab is refused and changes nothing
        Run again = weftLab("up", topology.toString());
        assertEquals(again.all(), 1, again.exitCode());
        assertTrue(again.stderr(), again.stderr().contains("lab '" + lab + "' is already up"));
        assertEquals(0, weftLab("ping-matrix", lab, "--wait", "0").exitCode());

        down(pids);
    }

    @Test
    public void theSeedsFourNodesAcrossARouterVxlanCrossSubnetThenAlways() throws Exception {
        Path topology = write(Files.readString(SEEDS).replaceFirst("(?m)^name: seeds$", "name: " + lab));
        Run up = weftLab("up", topology.toString());
        assertEquals(up.all(), 0, up.exitCode());
        Map<String, Pod> pods = pods(up.stdout());
        assertEquals(up.stdout(), 5, pods.size());
        List<Long> pids = pids(up.stdout());
        assertEquals(up.stdout(), 5, pids.size());

        // node1 (rack1): plain route to node2's block in its own subnet, vxlan.calico to rack2's
        String block2 = block(sh("ip", "-n", lab + "-node2", "-4", "route", "show"));
        String block3 = block(sh("ip", "-n", lab + "-node3", "-4", "route", "show"));
        assertTrue("node1 -> node2's block " + block2, awaitLine(lab + "-node1", block2 + " via 10.0.1.12 dev eth0 proto 80 onlink"));
        // node3's VXLAN tunnel address (IPAM's, from its block) is the next hop into the tunnel
        String tunnel3 = awaitTunnelAddress(lab + "-node3");
        assertTrue(tunnel3 + " in " + block3, tunnel3.startsWith(block3.substring(0, block3.lastIndexOf('.'))));
        assertTrue("node1 -> node3's block " + block3,
                awaitLine(lab + "-node1", block3 + " via " + tunnel3 + " dev vxlan.calico proto 80 onlink"));
        assertTrue(sh("ip", "-n", lab + "-node1", "-d", "link", "show", "vxlan.calico").contains("vxlan id 4096"));

        long vxlanBefore = txPackets(lab + "-node1");
        Run matrix = weftLab("ping-matrix", lab);
        assertEquals(matrix.all(), 0, matrix.exitCode());
        // 5 pods x (4 pods + the external host)
        assertTrue(matrix.stdout(), matrix.stdout().contains("5 pods, 25 pairs, 25 expected to answer, 25 of them answered"));
        // node1's pods reached rack2 through the tunnel
        assertTrue(txPackets(lab + "-node1") > vxlanBefore);
        // on the wire, as tcpdump on node1's uplink shows it: CrossSubnet sends rack1 traffic plain and
        // encapsulates (UDP 4789) only what crosses the router
        Pod web1 = pods.get("default/web-1");
        Pod web3 = pods.get("default/web-3");
        Pod web4 = pods.get("default/web-4");
        assertEquals("within rack1: plain ICMP, no VXLAN", List.of(true, false),
                onTheWire(lab + "-node1", web1, web3.ip()));
        assertEquals("rack1 to rack2: VXLAN", List.of(false, true), onTheWire(lab + "-node1", web1, web4.ip()));

        // the seeds' other VXLAN case, changed through the lab's datastore: Always tunnels within rack1 too
        Path always = labRoot.resolve("always.yaml");
        Files.writeString(always, """
                apiVersion: projectcalico.org/v3
                kind: IPPool
                metadata:
                  name: default-ipv4-ippool
                spec:
                  cidr: 10.244.0.0/16
                  blockSize: 26
                  vxlanMode: Always
                  natOutgoing: true
                """);
        Run apply = weftLab("weftctl", "-l", lab, "apply", "-f", always.toString());
        assertEquals(apply.all(), 0, apply.exitCode());
        Run pools = weftLab("weftctl", "get", "ippool", "-o", "wide");
        assertTrue(pools.all(), pools.stdout().matches("(?s).*default-ipv4-ippool\\s+10\\.244\\.0\\.0/16\\s+true\\s+.*Always.*"));
        String tunnel2 = awaitTunnelAddress(lab + "-node2");
        assertTrue("node1 -> node2's block " + block2 + " through the tunnel",
                awaitLine(lab + "-node1", block2 + " via " + tunnel2 + " dev vxlan.calico proto 80 onlink"));
        assertEquals("Always: rack1 traffic is encapsulated too", List.of(false, true),
                onTheWire(lab + "-node1", web1, web3.ip()));
        Run afterSwitch = weftLab("ping-matrix", lab);
        assertEquals(afterSwitch.all(), 0, afterSwitch.exitCode());
        assertTrue(afterSwitch.stdout(), afterSwitch.stdout().contains("25 expected to answer, 25 of them answered"));

        down(pids);
    }

    @Test
    public void downAfterUpWasKilledHalfWayLeavesNothing() throws Exception {
        Path topology = write("""
                name: %s
                subnets: [{name: lan, cidr: 10.0.6.0/24}]
                nodes:
                  - {name: n1, subnet: lan, ip: 10.0.6.11, pods: [{name: a}, {name: b}, {name: c}]}
                pools: [{name: p, cidr: 10.249.0.0/16}]
                """.formatted(lab));
        ProcessBuilder pb = new ProcessBuilder("java", "-jar", LAB_JAR.toString(), "up", topology.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("WEFT_LAB_DIR", labRoot.toString());
        Process up = pb.start();
        Path journal = labRoot.resolve(lab).resolve("journal");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        // kill -9 once the node runtime runs and the first pod is being added
        while (!(Files.exists(journal) && Files.readString(journal).contains("\npod\t")) && System.nanoTime() < deadline) {
            assertTrue("up ended before it got to the pods", up.isAlive());
            Thread.sleep(20);
        }
        up.destroyForcibly().waitFor();
        List<Long> pids = new ArrayList<>();
        for (String line : Files.readAllLines(journal)) {
            if (line.startsWith("process\t")) {
                pids.add(Long.parseLong(line.split("\t")[2]));
            }
        }
        assertEquals(Files.readString(journal), 2, pids.size());
        assertTrue(namespaces().size() >= 2);
        down(pids);
    }

    @Test
    public void aBadTopologyIsRefusedWithEveryProblemAndNothingIsCreated() throws Exception {
        Path topology = write("""
                name: %s
                subnets: [{name: lan, cidr: 10.0.7.0/24}]
                nodes:
                  - {name: n1, subnet: lan, ip: 10.0.8.11}
                  - {name: n2, subnet: wan, ip: 10.0.7.12}
                pools: [{name: p, cidr: 10.0.0.0/8, vxlanMode: always}]
                """.formatted(lab));
        Run up = weftLab("up", topology.toString());
        assertEquals(up.all(), 2, up.exitCode());
        assertTrue(up.stderr(), up.stderr().contains("node 'n1': ip 10.0.8.11 is outside subnet 'lan' (10.0.7.0/24)"));
        assertTrue(up.stderr(), up.stderr().contains("node 'n2': subnet 'wan' is not defined; defined: [lan]"));
        assertTrue(up.stderr(), up.stderr().contains("pool 'p': cidr 10.0.0.0/8 overlaps subnet 'lan'"));
        assertTrue(up.stderr(), up.stderr().contains("pool 'p': vxlanMode 'always' must be Always, CrossSubnet or Never"));
        assertFalse(Files.exists(labRoot.resolve(lab)));
        assertEquals(List.of(), namespaces());
        Run down = weftLab("down", lab);
        assertEquals(1, down.exitCode());
        assertTrue(down.stderr(), down.stderr().contains("no lab '" + lab + "' under " + labRoot));
    }

    /** Runs down and checks that nothing the lab made is left. */
    private void down(List<Long> pids) throws Exception {
        Run down = weftLab("down", lab);
        assertEquals(down.all(), 0, down.exitCode());
        assertEquals(List.of(), namespaces());
        for (long pid : pids) {
            assertTrue("pid " + pid + " still runs after down", gone(pid));
        }
        assertFalse(Files.exists(labRoot.resolve(lab)));
        String processes = sh("ps", "-eo", "pid,args");
        assertFalse(processes, processes.contains(labRoot.toString()));
        assertFalse(sh("ip", "-o", "link", "show").contains(lab));
    }

    /** Exited: no such process, or a zombie its new parent (init here) has not reaped yet. */
    private static boolean gone(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        do {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                if (stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z")) {
                    return true;
                }
            } catch (IOException e) {
                return true;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        return false;
    }

    private List<String> namespaces() throws Exception {
        return sh("ip", "netns", "list").lines().map(l -> l.split(" ")[0]).filter(n -> n.startsWith(lab + "-")).toList();
    }

    private Path write(String yaml) throws IOException {
        Path file = labRoot.resolve(lab + ".yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static Map<String, Pod> pods(String upOutput) {
        Map<String, Pod> pods = new LinkedHashMap<>();
        Matcher m = POD_LINE.matcher(upOutput);
        while (m.find()) {
            pods.put(m.group(1), new Pod(m.group(1), m.group(2), m.group(3), m.group(4)));
        }
        return pods;
    }

    private static List<Long> pids(String upOutput) {
        List<Long> pids = new ArrayList<>();
        Matcher m = PID.matcher(upOutput);
        while (m.find()) {
            pids.add(Long.parseLong(m.group(1)));
        }
        return pids;
    }

    /** The node's own block, from its blackhole route. */
    private static String block(String routes) {
        Matcher m = Pattern.compile("(?m)^blackhole (\\S+) proto 80").matcher(routes);
        assertTrue(routes, m.find());
        return m.group(1);
    }

    /** The agent converges within a second or two of the other node's block appearing; wait up to 20 s. */
    private static boolean awaitLine(String ns, String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        do {
            if (sh("ip", "-n", ns, "-4", "route", "show").lines().anyMatch(l -> l.trim().equals(line))) {
                return true;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        System.err.println("routes in " + ns + ":\n" + sh("ip", "-n", ns, "-4", "route", "show"));
        return false;
    }

    private static String awaitTunnelAddress(String ns) throws Exception {
        Pattern inet = Pattern.compile("inet ([0-9.]+)/32");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        do {
            Run r = run(new ProcessBuilder("ip", "-n", ns, "-4", "-o", "addr", "show", "dev", "vxlan.calico"), 10);
            Matcher m = inet.matcher(r.stdout());
            if (r.exitCode() == 0 && m.find()) {
                return m.group(1);
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no vxlan.calico with a tunnel address in " + ns + " after 20 s");
    }

    private static long txPackets(String ns) throws Exception {
        return Long.parseLong(sh("ip", "netns", "exec", ns, "cat", "/sys/class/net/vxlan.calico/statistics/tx_packets").trim());
    }

    private Run weftLab(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("java", "-jar", LAB_JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("WEFT_LAB_DIR", labRoot.toString());
        return run(pb, 180);
    }

    /**
     * Pings {@code to} from {@code from} while tcpdump listens on the node's uplink (eth0);
     * returns [plain ICMP to {@code to} seen, VXLAN (UDP 4789) seen].
     */
    private static List<Boolean> onTheWire(String nodeNs, Pod from, String to) throws Exception {
        Path capture = Files.createTempFile("weft-lab-wire", ".txt");
        Process tcpdump = new ProcessBuilder("ip", "netns", "exec", nodeNs, "timeout", "6", "tcpdump", "-lnn", "-i", "eth0",
                "(icmp and host " + to + ") or udp port 4789").redirectErrorStream(true).redirectOutput(capture.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!Files.readString(capture).contains("listening on") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            sh("ip", "netns", "exec", from.netns(), "ping", "-c", "3", "-i", "0.2", "-W", "2", to);
            Thread.sleep(300);
        } finally {
            tcpdump.destroy();
            tcpdump.waitFor(10, TimeUnit.SECONDS);
        }
        String wire = Files.readString(capture);
        Files.deleteIfExists(capture);
        // an outer header line starts with the time; tcpdump prints a VXLAN packet's inner ICMP on a line of its own
        boolean plain = wire.lines().anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d+ IP \\S+ > "
                + java.util.regex.Pattern.quote(to) + ": ICMP echo request.*"));
        boolean vxlan = wire.lines().anyMatch(l -> l.contains(".4789:") || l.contains("VXLAN"));
        return List.of(plain, vxlan);
    }

    private static String sh(String... command) throws Exception {
        Run r = run(new ProcessBuilder(command), 60);
        if (r.exitCode() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + r.exitCode() + ": " + r.stderr());
        }
        return r.stdout();
    }

    private static Run run(ProcessBuilder pb, int timeoutSeconds) throws Exception {
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(String.join(" ", pb.command()) + " did not finish in " + timeoutSeconds + " s");
        }
        return new Run(p.exitValue(), out.get(), err.get());
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
