package io.weft.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.inject.Inject;

import org.apache.karaf.features.FeaturesService;
import org.junit.After;
import org.junit.Assume;
import org.junit.AssumptionViolatedException;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.ConfigurationAdmin;

import io.weft.api.datastore.Datastore;

/**
 * A node grows into a cluster: it starts on the embedded datastore, its resources are copied to a
 * real etcd with {@code weft:datastore-migrate}, and the embedded store is uninstalled. The node's
 * consumers (its registration and the typed resource store) rebind to etcd without a restart:
 * the registration appears in etcd, {@code weft:get} shows the migrated resources, and a resource
 * applied afterwards lands in etcd.
 *
 * <p>The test method runs inside the Karaf container, so it starts the throwaway etcd itself
 * (free loopback ports, data in {@code /dev/shm}) and kills it afterwards. Without
 * {@code /usr/bin/etcd} it is skipped, loudly.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class EtcdHotSwapIT extends WeftKarafTestSupport {

    private static final String ETCD_PID = "io.weft.datastore.etcd";
    private static final EnumSet<FeaturesService.Option> NO_REFRESH = EnumSet.of(FeaturesService.Option.NoAutoRefreshBundles);
    private static final Random RANDOM = new SecureRandom();

    private static final String RESOURCES = """
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata:
              name: rack1-pool
            spec:
              cidr: 10.48.0.0/16
              blockSize: 26
              ipipMode: Never
              vxlanMode: Always
              natOutgoing: true
              nodeSelector: all()
            ---
            apiVersion: projectcalico.org/v3
            kind: BGPPeer
            metadata:
              name: rack1-tor
            spec:
              peerIP: 192.0.2.1
              asNumber: 65001
            """;

    private static final String LATER = """
            apiVersion: projectcalico.org/v3
            kind: BGPPeer
            metadata:
              name: rack2-tor
            spec:
              peerIP: 192.0.2.2
              asNumber: 65002
            """;

    @Inject
    protected ConfigurationAdmin configurationAdmin;

    private Process etcd;
    private Path etcdHome;
    private String endpoint;
    private Thread reaper;
    private final List<Path> files = new ArrayList<>();

    /** Hands the etcd binary the build was told about (-Dweft.etcd.binary) to the container. */
    @Override
    @Configuration
    public Option[] config() {
        List<Option> options = new ArrayList<>(Arrays.asList(super.config()));
        options.add(editConfigurationFilePut("etc/system.properties", "weft.etcd.binary",
                System.getProperty("weft.etcd.binary", "/usr/bin/etcd")));
        return options.toArray(new Option[0]);
    }

    @After
    public void stopEtcd() throws Exception {
        if (etcd != null) {
            etcd.destroy();
            if (!etcd.waitFor(5, TimeUnit.SECONDS)) {
                etcd.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            etcd = null;
        }
        if (reaper != null) {
            Runtime.getRuntime().removeShutdownHook(reaper);
            reaper = null;
        }
        if (etcdHome != null) {
            try (Stream<Path> all = Files.walk(etcdHome)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            etcdHome = null;
        }
        for (Path file : files) {
            Files.deleteIfExists(file);
        }
    }

    @Test
    public void resourcesMigratedToEtcdAreServedFromItOnceTheEmbeddedStoreIsGone() throws Exception {
        Path binary = Path.of(System.getProperty("weft.etcd.binary", "/usr/bin/etcd"));
        if (!Files.isExecutable(binary)) {
            String message = "\n*** " + binary + " is missing: EtcdHotSwapIT needs a real etcd. Install the Debian package "
                    + "etcd-server (apt-get install etcd-server), or point -Dweft.etcd.binary at an etcd 3.4+ binary "
                    + "(etcdctl next to it). SKIPPING ***\n";
            System.err.println(message);
            skip(message);
        }
        Path etcdctl = binary.resolveSibling("etcdctl");

        // a node on the embedded store, with its first-start defaults and two resources of ours
        awaitRegisteredIn("embedded");
        await("the first-start defaults", () -> console("weft:get bgpconfig").contains("default")
                && console("weft:get ippool").contains("default-ipv4-ippool"), () -> console("weft:get ippool"));
        assertEquals("Successfully applied 2 'List' resource(s)\n", console("weft:apply -f " + file(RESOURCES)));

        assertEquals("datastore provider etcd is not installed: install feature weft-datastore-etcd first (installed: embedded)\n",
                console("weft:datastore-migrate --from embedded --to etcd"));

        // etcd, configured before its provider is installed, so that it starts on the right endpoint
        startEtcd(binary);
        org.osgi.service.cm.Configuration configuration = configurationAdmin.getConfiguration(ETCD_PID, "?");
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("endpoints", endpoint);
        configuration.update(properties);
        featuresService.installFeature("weft-datastore-etcd", NO_REFRESH);
        await("the etcd datastore on " + endpoint,
                () -> serviceQuietly("(&(weft.provider=etcd)(endpoints=" + endpoint + "))") != null,
                () -> console("weft:status"));
        // the node stays on embedded while both are installed
        assertTrue(console("weft:status -v"), registeredIn("embedded").matcher(console("weft:status -v")).find());

        Datastore embedded = service(Datastore.class, "(weft.provider=embedded)");
        // every resource moves: the defaults, ours, and what the node itself keeps (its Node, IPAM state)
        // (the revision moves on meanwhile: the agent's status lives in the same store, outside /weft/v3/)
        int keys = embedded.list("/weft/v3/").entries().size();
        assertTrue("resources to move: " + keys, keys >= 4);
        String first = console("weft:datastore-migrate --from embedded --to etcd");
        assertTrue(first, first.matches("Copied " + keys + " keys from embedded \\(revision \\d+\\) to etcd: " + keys
                + " new, 0 identical, 0 conflicts\n"));
        String again = console("weft:datastore-migrate --from embedded --to etcd");
        assertTrue("running it again finds everything there: " + again, again.matches("Copied " + keys
                + " keys from embedded \\(revision \\d+\\) to etcd: 0 new, " + keys + " identical, 0 conflicts\n"));
        assertEquals("the node's registration is not migrated: it is leased to the embedded store",
                List.of(), etcdctl(etcdctl, "get", "--prefix", "/weft/runtime/", "--keys-only"));

        // the embedded store goes; its consumers rebind to etcd
        featuresService.uninstallFeature("weft-datastore-embedded", NO_REFRESH);
        String registration = awaitRegisteredIn("etcd");
        assertNull("no embedded provider is left", serviceQuietly("(weft.provider=embedded)"));
        String status = console("weft:status -v");
        assertTrue(status, Pattern.compile("(?m)^datastore\\s+etcd\\s+io\\.weft\\.datastore\\.etcd ").matcher(status).find());
        assertTrue(status, status.contains("location: etcd:" + endpoint));
        assertEquals("the node registered itself in etcd", List.of(registration),
                etcdctl(etcdctl, "get", "--prefix", "/weft/runtime/nodes/", "--keys-only"));
        // and its agent followed the swap: its status is published in etcd now
        await("the agent's status in etcd", () -> keys(etcdctl, "/weft/runtime/agents/")
                .equals(List.of(registration.replace("/weft/runtime/nodes/", "/weft/runtime/agents/"))),
                () -> String.valueOf(keys(etcdctl, "/weft/runtime/")));

        assertEquals("""
                NAME                  CIDR             NAT    IPIPMODE   VXLANMODE   DISABLED   DISABLEBGPEXPORT   SELECTOR
                default-ipv4-ippool   192.168.0.0/16   true   Never      Never       false      false              all()
                rack1-pool            10.48.0.0/16     true   Never      Always      false      false              all()
                """, console("weft:get -o wide ippool"));
        assertTrue(console("weft:get bgppeer"), console("weft:get bgppeer").contains("rack1-tor"));
        // the resources, and what the node keeps for itself: its Node and, for rack1-pool's VXLAN, its
        // tunnel address (handle, block, affinity)
        List<String> inEtcd = etcdctl(etcdctl, "get", "--prefix", "/weft/v3/", "--keys-only");
        assertTrue(inEtcd.toString(), inEtcd.containsAll(List.of("/weft/v3/bgpconfigurations/default",
                "/weft/v3/bgppeers/rack1-tor", "/weft/v3/ippools/default-ipv4-ippool", "/weft/v3/ippools/rack1-pool",
                "/weft/v3/ipamhandles/vxlan-tunnel-addr-vm".replace("vm", nodeName()), "/weft/v3/nodes/" + nodeName())));
        assertTrue(inEtcd.toString(), inEtcd.stream().allMatch(k -> k.matches(
                "/weft/v3/(bgpconfigurations|bgppeers|ippools|nodes|ipamhandles|ipamblocks|blockaffinities)/.*")));

        // and what is written now goes to etcd
        assertEquals("Successfully applied 1 'BGPPeer' resource(s)\n", console("weft:apply -f " + file(LATER)));
        assertEquals(List.of("/weft/v3/bgppeers/rack2-tor"),
                etcdctl(etcdctl, "get", "/weft/v3/bgppeers/rack2-tor", "--keys-only"));
    }

    /**
     * Skips the test so that the build reports it skipped. Pax Exam's in-container invoker counts
     * only failures, so a plain {@link Assume} inside the container would pass silently. A failure
     * caused by the assumption reaches the driver, which unwinds it to the root cause and so
     * reports an assumption failure: a skipped test.
     */
    private static void skip(String message) {
        try {
            Assume.assumeTrue(message, false);
        } catch (AssumptionViolatedException e) {
            throw new IllegalStateException(message, e);
        }
    }

    private Path file(String content) throws IOException {
        Path file = Files.createTempFile("weft-etcd-hotswap-", ".yaml");
        files.add(file);
        Files.writeString(file, content);
        return file;
    }

    private Pattern registeredIn(String provider) {
        return Pattern.compile("(?s)datastore\\s+UP\\s+" + provider + " datastore, node registered.*?registration: (\\S+)");
    }

    /** Waits until weft:status says the node is registered in {@code provider}; returns the key. */
    private String awaitRegisteredIn(String provider) {
        await("the node registration in the " + provider + " datastore",
                () -> registeredIn(provider).matcher(console("weft:status -v")).find(), () -> console("weft:status -v"));
        Matcher m = registeredIn(provider).matcher(console("weft:status -v"));
        assertTrue(m.find());
        return m.group(1);
    }

    private Datastore serviceQuietly(String filter) {
        try {
            return service(Datastore.class, filter);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A single-member etcd on free loopback ports, healthy before this returns. */
    private void startEtcd(Path binary) throws Exception {
        Path base = Files.isDirectory(Path.of("/dev/shm")) && Files.isWritable(Path.of("/dev/shm"))
                ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
        etcdHome = Files.createTempDirectory(base, "weft-etcd-itest-");
        Path log = etcdHome.resolve("etcd.log");
        for (int attempt = 1;; attempt++) {
            endpoint = "http://127.0.0.1:" + freePort();
            int peerPort = freePort();
            while (endpoint.endsWith(":" + peerPort)) {
                peerPort = freePort();
            }
            String peer = "http://127.0.0.1:" + peerPort;
            etcd = new ProcessBuilder(binary.toString(),
                    "--name", "weft-itest",
                    "--data-dir", etcdHome.resolve("data").toString(),
                    "--listen-client-urls", endpoint, "--advertise-client-urls", endpoint,
                    "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                    "--initial-cluster", "weft-itest=" + peer,
                    "--heartbeat-interval", "10", "--election-timeout", "100",
                    "--logger", "zap", "--log-level", "warn")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            Process started = etcd;
            reaper = new Thread(started::destroyForcibly, "weft-itest-etcd-reaper");
            Runtime.getRuntime().addShutdownHook(reaper); // a container that dies must not leave etcd behind
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline && started.isAlive() && !healthy()) {
                Thread.sleep(20);
            }
            if (started.isAlive() && healthy()) {
                return;
            }
            String tail = String.join("\n", Files.readAllLines(log));
            stopEtcdProcess();
            if (attempt == 5 || !tail.contains("address already in use")) {
                throw new AssertionError("etcd did not become healthy on " + endpoint + ":\n" + tail);
            }
            // another process took a port between our check and etcd's bind: new ports, fresh data
            try (Stream<Path> all = Files.walk(etcdHome.resolve("data"))) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException noData) {
                // etcd never created it
            }
        }
    }

    private void stopEtcdProcess() throws InterruptedException {
        etcd.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        etcd = null;
        Runtime.getRuntime().removeShutdownHook(reaper);
        reaper = null;
    }

    private boolean healthy() {
        try {
            HttpURLConnection connection = (HttpURLConnection) new URL(endpoint + "/health").openConnection();
            connection.setConnectTimeout(500);
            connection.setReadTimeout(1000);
            try {
                return connection.getResponseCode() == 200
                        && new String(connection.getInputStream().readAllBytes(), StandardCharsets.UTF_8).contains("\"true\"");
            } finally {
                connection.disconnect();
            }
        } catch (IOException notYet) {
            return false;
        }
    }

    /** Runs etcdctl against the test's etcd and returns its non-empty output lines. */
    /** The node's name as weft:status shows it ("… on node NAME: UP"). */
    private String nodeName() {
        java.util.regex.Matcher m = Pattern.compile("on node (\\S+):").matcher(console("weft:status"));
        assertTrue(m.find());
        return m.group(1);
    }

    private List<String> keys(Path etcdctl, String prefix) {
        try {
            return etcdctl(etcdctl, "get", "--prefix", prefix, "--keys-only");
        } catch (Exception e) {
            throw new AssertionError("etcdctl get --prefix " + prefix + ": " + e, e);
        }
    }

    private List<String> etcdctl(Path etcdctl, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(etcdctl.toString(), "--endpoints", endpoint));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("ETCDCTL_API", "3");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("etcdctl " + String.join(" ", args) + " finished", process.waitFor(10, TimeUnit.SECONDS));
        assertEquals("etcdctl " + String.join(" ", args) + ":\n" + output, 0, process.exitValue());
        return output.lines().filter(line -> !line.isBlank()).toList();
    }

    /**
     * A loopback port nobody listens on, below Linux's ephemeral range (32768+) so that outgoing
     * connections do not take it before etcd binds it.
     */
    private static int freePort() throws IOException {
        for (int tries = 0; tries < 100; tries++) {
            int port = 20_000 + RANDOM.nextInt(12_000);
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free loopback port found in 20000-31999");
    }
}
