package io.weft.itests.cni;

import static io.weft.itests.cni.CniDriver.sh;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The libcni driver against Debian's reference plugins (ptp + host-local, chained with portmap
 * and bandwidth) in real network namespaces: the driver must wire and unwire pods exactly as
 * containerd would, so the same driver can be trusted with Weft's shim.
 *
 * Debian's plugins are 1.1.1, which have two CHECK bugs this test steers around (they are not
 * the driver's): bandwidth's CHECK panics when the pod has no bandwidth limits, and portmap's
 * CHECK fails on an IPv4-only pod with port mappings ("could not check ipv6 dnat").
 */
public class CniDriverIT {
    private static final Path REFERENCE_PLUGINS = Path.of("/usr/lib/cni");
    private static final String BANDWIDTH =
            "bandwidth={\"ingressRate\":8000000,\"ingressBurst\":1000000,\"egressRate\":8000000,\"egressBurst\":1000000}";

    private Path dir;
    private CniDriver cni;
    private final List<String> namespaces = new ArrayList<>();

    @BeforeClass
    public static void requirements() {
        assumeTrue("CNI driver tests build network namespaces and need root", "root".equals(System.getProperty("user.name")));
        for (String plugin : List.of("ptp", "host-local", "portmap", "bandwidth")) {
            assumeTrue("reference plugin " + REFERENCE_PLUGINS.resolve(plugin) + " is missing: apt-get install containernetworking-plugins",
                    Files.isExecutable(REFERENCE_PLUGINS.resolve(plugin)));
        }
        assumeTrue("iproute2 is missing: apt-get install iproute2", CniDriver.onPath("ip"));
        CniDriver.binary();
    }

    @Before
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("weft-cni-driver-test");
        cni = new CniDriver(List.of(REFERENCE_PLUGINS), dir.resolve("cache"), Map.of());
    }

    @After
    public void tearDown() throws IOException {
        for (String ns : namespaces) {
            CniDriver.exec(new ProcessBuilder("ip", "netns", "delete", ns), 1, java.util.concurrent.TimeUnit.MINUTES);
        }
        try (var files = Files.walk(dir)) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    private Path netns(String name) {
        String ns = "cnidrv-" + name + "-" + ProcessHandle.current().pid();
        sh("ip", "netns", "add", ns);
        namespaces.add(ns);
        return Path.of("/var/run/netns", ns);
    }

    private Path conflist(String name, String subnet) throws IOException {
        Path file = dir.resolve(name + ".conflist");
        Files.writeString(file, """
                {"cniVersion": "1.0.0", "name": "%s", "plugins": [
                  {"type": "ptp", "ipMasq": false, "mtu": 1400,
                   "ipam": {"type": "host-local", "ranges": [[{"subnet": "%s"}]], "routes": [{"dst": "0.0.0.0/0"}],
                            "dataDir": "%s"}},
                  {"type": "portmap", "snat": true, "capabilities": {"portMappings": true}},
                  {"type": "bandwidth", "capabilities": {"bandwidth": true}}
                ]}
                """.formatted(name, subnet, dir.resolve("ipam")));
        return file;
    }

    private Path ipamDir(String network) {
        return dir.resolve("ipam").resolve(network);
    }

    private static String only(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        assertTrue(pattern + " not in:\n" + text, m.find());
        return m.group(1);
    }

    @Test
    public void addCheckDelWireAndUnwireAPod() throws Exception {
        Path list = conflist("drvnet", "10.91.0.0/24");
        Path pod = netns("a");
        String result = cni.add(list, "ctr-a", pod, "-k8s-namespace", "default", "-k8s-pod", "web-0", "-cap", BANDWIDTH)
                .orFail().stdout();
        assertTrue(result, result.contains("\"address\": \"10.91.0.2/24\""));
        assertTrue(result, result.contains("\"sandbox\": \"" + pod + "\""));

        String ns = pod.getFileName().toString();
        String podAddr = sh("ip", "-n", ns, "-4", "-o", "addr", "show", "dev", "eth0");
        assertTrue(podAddr, podAddr.contains("inet 10.91.0.2/24"));
        assertTrue(sh("ip", "-n", ns, "link", "show", "eth0"), sh("ip", "-n", ns, "link", "show", "eth0").contains("mtu 1400"));
        assertEquals("default via 10.91.0.1 dev eth0", sh("ip", "-n", ns, "-4", "route", "show", "default").strip());
        String hostRoute = sh("ip", "-4", "route", "show", "10.91.0.2");
        String hostVeth = only(Pattern.compile("^10\\.91\\.0\\.2 dev (veth\\w+) scope host", Pattern.MULTILINE), hostRoute);
        assertTrue("bandwidth shapes the host veth", sh("tc", "qdisc", "show", "dev", hostVeth).contains("qdisc tbf"));
        assertTrue("host-local holds the address", Files.exists(ipamDir("drvnet").resolve("10.91.0.2")));
        // the pod answers from the host over the ptp link
        sh("ping", "-c", "1", "-W", "2", "10.91.0.2");

        // CHECK and DEL take ADD's CNI_ARGS and capability arguments from libcni's cache
        cni.check(list, "ctr-a", pod).orFail();
        cni.del(list, "ctr-a", pod).orFail();

        assertFalse("eth0 left in the pod", sh("ip", "-n", ns, "-o", "link").contains("eth0"));
        assertEquals("", sh("ip", "-4", "route", "show", "10.91.0.2").strip());
        assertFalse("host veth " + hostVeth + " left behind", sh("ip", "-o", "link").contains(hostVeth + "@"));
        assertFalse("address still held", Files.exists(ipamDir("drvnet").resolve("10.91.0.2")));
        assertFalse("libcni's cache entry kept", Files.exists(dir.resolve("cache/results/drvnet-ctr-a-eth0")));
        // DEL again: idempotent, as runtimes retry it
        cni.del(list, "ctr-a", pod).orFail();
    }

    @Test
    public void portMappingsReachPortmapThroughRuntimeConfig() throws Exception {
        Path list = conflist("pmnet", "10.92.0.0/24");
        Path pod = netns("pm");
        cni.add(list, "ctr-pm", pod, "-cap", "portMappings=[{\"hostPort\":18443,\"containerPort\":443,\"protocol\":\"tcp\"}]")
                .orFail();
        String nat = sh("iptables", "-t", "nat", "-S");
        assertTrue(nat, Pattern.compile("--dport 18443 .*-j DNAT --to-destination 10\\.92\\.0\\.2:443").matcher(nat).find());
        cni.del(list, "ctr-pm", pod).orFail();
        assertFalse("portmap's DNAT left behind", sh("iptables", "-t", "nat", "-S").contains("--dport 18443"));
    }

    @Test
    public void gcDeletesOnlyAttachmentsTheRuntimeNoLongerWants() throws Exception {
        Path list = conflist("gcnet", "10.93.0.0/24");
        Path stale = netns("gc-stale");
        Path kept = netns("gc-kept");
        cni.add(list, "ctr-stale", stale, "-cap", BANDWIDTH).orFail();
        cni.add(list, "ctr-kept", kept, "-cap", BANDWIDTH).orFail();

        cni.gc(list, List.of("ctr-kept")).orFail();

        assertFalse("the stale pod's address is still held", Files.exists(ipamDir("gcnet").resolve("10.93.0.2")));
        assertFalse(sh("ip", "-n", stale.getFileName().toString(), "-o", "link").contains("eth0"));
        assertEquals("", sh("ip", "-4", "route", "show", "10.93.0.2").strip());
        assertTrue("the kept pod lost its address", Files.exists(ipamDir("gcnet").resolve("10.93.0.3")));
        assertTrue(sh("ip", "-n", kept.getFileName().toString(), "-4", "-o", "addr").contains("inet 10.93.0.3/24"));
        cni.check(list, "ctr-kept", kept).orFail();
        cni.del(list, "ctr-kept", kept).orFail();
    }

    @Test
    public void statusFollowsTheSpecVersionAndRelaysPluginErrors() throws Exception {
        Path list = conflist("stnet", "10.94.0.0/24");
        // libcni 1.2 sends no STATUS below cniVersion 1.1.0: nothing to fail
        cni.status(list).orFail();
        // asked for 1.1.0, the 1.1.1 plugins (which predate STATUS) answer with a CNI error: the
        // driver prints it as JSON and exits 1
        CniDriver.Outcome status = cni.status(list, "-spec-version", "1.1.0");
        assertEquals(status.toString(), 1, status.exitCode());
        assertTrue(status.stdout(), status.stdout().contains("\"code\": 3") && status.stdout().contains("\"msg\": \"missing containerID\""));
        assertTrue(status.stderr(), status.stderr().contains("plugin ptp failed (status)"));
    }

    @Test
    public void aFailedAddExitsNonZeroAndHoldsNoAddress() throws Exception {
        Path list = conflist("failnet", "10.95.0.0/24");
        CniDriver.Outcome add = cni.add(list, "ctr-fail", Path.of("/var/run/netns/cnidrv-does-not-exist"));
        assertEquals(add.toString(), 1, add.exitCode());
        assertTrue(add.stderr(), add.stderr().contains("cnidrv-does-not-exist"));
        assertFalse("an address was kept for a pod that failed", Files.exists(ipamDir("failnet").resolve("10.95.0.2")));
        assertFalse(Files.exists(dir.resolve("cache/results/failnet-ctr-fail-eth0")));
    }

    @Test
    public void benchModeTimesSequentialAndParallelPods() throws Exception {
        Path list = conflist("benchnet", "10.96.0.0/24");
        String line = cni.bench(list, "-seq", "5", "-par", "3", "-rounds", "1").orFail().stdout().strip();
        assertTrue(line, Pattern.compile("^cni-driver bench: seq_pods=5 par_pods=3 rounds=1 seq_add_p50_ms=\\d+\\.\\d\\d "
                + "seq_add_p99_ms=\\S+ seq_del_p50_ms=\\S+ seq_del_p99_ms=\\S+ par_add_p50_ms=\\S+ par_add_p99_ms=\\S+ "
                + "par_del_p50_ms=\\S+ par_del_p99_ms=\\d+\\.\\d\\d$").matcher(line).matches());
        // everything it made is gone: addresses and namespaces
        try (var held = Files.list(ipamDir("benchnet"))) {
            assertEquals(List.of(), held.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("10.")).toList());
        }
        assertFalse(sh("ip", "netns", "list").contains("cnibench-"));
    }
}
