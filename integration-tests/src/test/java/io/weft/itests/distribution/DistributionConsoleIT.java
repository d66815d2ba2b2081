package io.weft.itests.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The README's main job, as a user runs it: unpack the distribution tarball, start
 * {@code bin/karaf} with its console on a terminal, type {@code weft:status}, shut down, and
 * check that nothing is left running.
 */
public class DistributionConsoleIT {

    private Path home;
    private Path adminSocket;
    private Process console;

    @Before
    public void unpack() throws Exception {
        String tarball = System.getProperty("weft.distribution");
        assertTrue("built distribution expected at " + tarball, tarball != null && new File(tarball).isFile());
        home = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "dist-");
        run("tar", "xzf", tarball, "-C", home.toString(), "--strip-components=1");
        // weftctl's socket inside this test's copy, so a node running on the machine is left alone
        adminSocket = home.resolve("run/admin.sock");
        Files.writeString(home.resolve("etc/io.weft.admin.cfg"), "path = " + adminSocket + "\nenabled = true\n");
    }

    @After
    public void stop() throws Exception {
        if (console != null && console.isAlive()) {
            console.destroyForcibly();
        }
        for (long pid : karafProcesses()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    public void consoleShowsTheNodeAndShutdownLeavesNothingRunning() throws Exception {
        // `script` gives bin/karaf the pseudo-terminal its console expects
        ProcessBuilder pb = new ProcessBuilder("script", "-qfc", home.resolve("bin/karaf").toString(), "/dev/null");
        pb.redirectErrorStream(true);
        File transcript = home.resolve("console.out").toFile();
        pb.redirectOutput(transcript);
        console = pb.start();
        OutputStream keyboard = console.getOutputStream();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        String seen = "";
        while (!seen.contains("node registered")) {
            if (System.nanoTime() > deadline || !console.isAlive()) {
                fail("weft:status never reported the node registered; console said:\n" + seen);
            }
            type(keyboard, "weft:status");
            Thread.sleep(500);
            seen = Files.readString(transcript.toPath(), StandardCharsets.UTF_8);
        }
        assertTrue(seen, seen.matches("(?s).*datastore\\s+embedded\\s+io\\.weft\\.datastore\\.embedded.*"));
        assertTrue("exactly one node runtime runs", karafProcesses().size() == 1);

        // weftctl reaches the node over its admin socket; the first start created the default pool
        String expectedPool = "default-ipv4-ippool   192.168.0.0/16   true   Always     Never       false      false              all()";
        String pools = weftctl("get", "ippool", "-o", "wide");
        long poolDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!pools.contains(expectedPool) && System.nanoTime() < poolDeadline) {
            Thread.sleep(200); // the first-start defaults are written just after the datastore comes up
            pools = weftctl("get", "ippool", "-o", "wide");
        }
        assertTrue(pools, pools.contains(expectedPool));
        Path peer = home.resolve("peer.yaml");
        Files.writeString(peer, "apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata:\n  name: rack1-tor\n"
                + "spec:\n  peerIP: 10.0.0.1\n  asNumber: 64513\n");
        assertEquals("Successfully applied 1 'BGPPeer' resource(s)\n", weftctl("apply", "-f", peer.toString()));
        // calicoctl's IPAM view of the default pool, before any pod
        String ipam = weftctl("ipam", "show");
        assertTrue(ipam, ipam.contains("| IP Pool  | 192.168.0.0/16 |") && ipam.contains("65536"));
        // calicoctl's etcdv3 mode loads the store, codec, IPAM, Netty and Jackson from the
        // distribution's jars; with etcd down it must say so, not fail on a missing class
        String[] direct = weftctlWith(Map.of("DATASTORE_TYPE", "etcdv3", "ETCD_ENDPOINTS", "http://127.0.0.1:9",
                "WEFTCTL_CONFIG", home.resolve("none.cfg").toString()), "get", "ippool");
        assertEquals(direct[2], "1", direct[0]);
        assertTrue(direct[2], direct[2].contains("etcd at http://127.0.0.1:9 is unreachable"));
        String peers = weftctl("get", "bgppeer");
        assertTrue(peers, peers.contains("rack1-tor   10.0.0.1   (global)   64513"));

        type(keyboard, "system:shutdown -f");
        assertTrue("the console exits after system:shutdown", console.waitFor(60, TimeUnit.SECONDS));
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!karafProcesses().isEmpty() && System.nanoTime() < waitUntil) {
            Thread.sleep(100);
        }
        assertEquals("no Karaf process is left running", List.of(), karafProcesses());
    }

    /** Runs bin/weftctl as an operator would; returns stdout (stderr too on failure, in the assertion). */
    private String weftctl(String... args) throws Exception {
        String[] r = weftctlWith(Map.of(), args);
        assertEquals("weftctl " + String.join(" ", args) + ": " + r[2], "0", r[0]);
        return r[1];
    }

    /** exit code, stdout, stderr of bin/weftctl with extra environment. */
    private String[] weftctlWith(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(home.resolve("bin/weftctl").toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("WEFT_ADMIN_SOCKET", adminSocket.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new String[] {Integer.toString(p.waitFor()), out, err};
    }

    private static void type(OutputStream keyboard, String line) throws IOException {
        keyboard.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        keyboard.flush();
    }

    /** JVMs started from this test's unpacked distribution. */
    private List<Long> karafProcesses() {
        List<Long> pids = new ArrayList<>();
        String marker = "karaf.base=" + home;
        ProcessHandle.allProcesses().forEach(p -> p.info().commandLine().ifPresent(cmd -> {
            if (cmd.contains(marker) && p.pid() != ProcessHandle.current().pid()) {
                pids.add(p.pid());
            }
        }));
        return pids;
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertEquals(String.join(" ", command), 0, p.waitFor());
    }
}
