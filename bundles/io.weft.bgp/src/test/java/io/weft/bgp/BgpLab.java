package io.weft.bgp;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A lab of network namespaces for interop tests: Weft runs in the test JVM (the root namespace);
 * each daemon gets a namespace joined to it by a veth pair with its own /24 (and /64), so tests
 * running at the same time on this host do not collide. Everything made is removed on close.
 * Without root, or without the daemon's package, tests are skipped with a loud reason.
 */
final class BgpLab implements AutoCloseable {
    private static final String TAG = "wb" + ProcessHandle.current().pid() % 10000;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    final Path dir;

    BgpLab() throws IOException {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root) {
            System.err.println("*** SKIPPING BGP interop tests: they create network namespaces and need root ***");
        }
        assumeTrue(root, "BGP interop tests need root to create network namespaces");
        dir = Files.createTempDirectory("weft-bgp-lab");
    }

    static void assumeInstalled(String binary, String debianPackage) {
        boolean found = Files.isExecutable(Path.of("/usr/sbin", binary)) || Files.isExecutable(Path.of("/usr/bin", binary));
        if (!found) {
            System.err.println("*** SKIPPING: " + binary + " is not installed (apt-get install " + debianPackage + ") ***");
        }
        assumeTrue(found, binary + " is not installed: apt-get install " + debianPackage);
    }

    /**
     * A namespace {@code name} linked to the root namespace: host side 10.(subnet>>8).(subnet&255).1 and
     * fd00:(subnet)::1, namespace side .2 / ::2 on eth0.
     */
    Link link(String shortName, int subnet) {
        String ns = TAG + shortName;
        String hostIf = TAG + "h" + subnet;
        exec("ip", "netns", "del", ns); // left over from a killed run
        exec("ip", "link", "del", hostIf);
        run("ip", "netns", "add", ns);
        namespaces.add(ns);
        run("ip", "-n", ns, "link", "set", "lo", "up");
        run("ip", "link", "add", hostIf, "type", "veth", "peer", "name", "eth0", "netns", ns);
        String v4 = "10." + (subnet >> 8) + "." + (subnet & 255) + ".";
        String v6 = "fd00:" + Integer.toHexString(subnet) + "::";
        run("ip", "addr", "add", v4 + "1/24", "dev", hostIf);
        run("ip", "-6", "addr", "add", v6 + "1/64", "dev", hostIf, "nodad");
        run("ip", "link", "set", hostIf, "up");
        run("ip", "-n", ns, "addr", "add", v4 + "2/24", "dev", "eth0");
        run("ip", "-n", ns, "-6", "addr", "add", v6 + "2/64", "dev", "eth0", "nodad");
        run("ip", "-n", ns, "link", "set", "eth0", "up");
        return new Link(ns, hostIf, addr(v4 + "1"), addr(v4 + "2"), addr(v6 + "1"), addr(v6 + "2"));
    }

    /**
     * A namespace one routed hop further away: linked to {@code router}'s namespace (which
     * forwards) on 10.(subnet>>8).(subnet&255).0/24, router side .1, far side .2, with routes both
     * ways so the root namespace reaches it through the router. The returned link's host side is
     * the router's.
     */
    Link behind(Link router, String shortName, int subnet) {
        String ns = TAG + shortName;
        String routerIf = "r" + subnet;
        exec("ip", "netns", "del", ns);
        run("ip", "netns", "add", ns);
        namespaces.add(ns);
        run("ip", "-n", ns, "link", "set", "lo", "up");
        run("ip", "-n", router.ns(), "link", "add", routerIf, "type", "veth", "peer", "name", "eth0", "netns", ns);
        String v4 = "10." + (subnet >> 8) + "." + (subnet & 255) + ".";
        run("ip", "-n", router.ns(), "addr", "add", v4 + "1/24", "dev", routerIf);
        run("ip", "-n", router.ns(), "link", "set", routerIf, "up");
        run("ip", "-n", ns, "addr", "add", v4 + "2/24", "dev", "eth0");
        run("ip", "-n", ns, "link", "set", "eth0", "up");
        run("ip", "-n", ns, "route", "add", "default", "via", v4 + "1");
        run("ip", "netns", "exec", router.ns(), "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        // goes away with the router namespace's veth
        run("ip", "route", "add", v4 + "0/24", "via", router.nsV4().getHostAddress(), "dev", router.hostIf());
        return new Link(ns, router.hostIf(), router.hostV4(), addr(v4 + "2"), null, null);
    }

    record Link(String ns, String hostIf, InetAddress hostV4, InetAddress nsV4, InetAddress hostV6, InetAddress nsV6) {
    }

    /** Starts BIRD 2 in the link's namespace with {@code config}; waits for its control socket. */
    Bird bird(Link link, String name, String config) throws IOException {
        Path conf = dir.resolve(name + ".conf");
        Path sock = dir.resolve(name + ".ctl");
        Files.writeString(conf, config);
        Process p = new ProcessBuilder("ip", "netns", "exec", link.ns(), "bird", "-f", "-c", conf.toString(), "-s",
                sock.toString(), "-P", dir.resolve(name + ".pid").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".out").toFile()).start();
        processes.add(p);
        Bird bird = new Bird(this, link, name, conf, sock, p);
        await(Duration.ofSeconds(10), () -> Files.exists(sock) && exec("birdc", "-s", sock.toString(), "show", "status").exit() == 0,
                () -> "BIRD " + name + " did not start: " + read(dir.resolve(name + ".out")));
        return bird;
    }

    /**
     * FRR in the link's namespace: zebra (interfaces and next-hop tracking, so FRR picks its own
     * IPv6 next hop for IPv6 routes over an IPv4 session) and bgpd, which installs nothing in the
     * kernel. Query it with {@link Frr#cmd} or {@link Frr#json}.
     */
    Frr frr(Link link, String name, String config) throws IOException {
        Path dir = this.dir.resolve(name);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("zebra.conf"), "hostname " + name + "\n");
        run("chmod", "711", this.dir.toString());
        run("chown", "-R", "frr:frr", dir.toString()); // zebra drops to user frr, which must reach its files
        Process zebra = start(link, dir.resolve("zebra.out"), "/usr/lib/frr/zebra", "-f", dir.resolve("zebra.conf").toString(),
                "-i", dir.resolve("zebra.pid").toString(), "-z", dir.resolve("zserv.api").toString(), "--vty_socket",
                dir.toString(), "-P", "0", "-u", "frr", "-g", "frr");
        awaitStarted(zebra, () -> Files.exists(dir.resolve("zserv.api")), dir.resolve("zebra.out"));
        Frr frr = new Frr(this, link, dir);
        frr.startBgpd(config);
        return frr;
    }

    /** One FRR instance; bgpd can be killed and started again (graceful restart tests). */
    static final class Frr {
        private final BgpLab lab;
        private final Link link;
        private final Path dir;
        private Process bgpd;
        private int starts;

        Frr(BgpLab lab, Link link, Path dir) {
            this.lab = lab;
            this.link = link;
            this.dir = dir;
        }

        private void startBgpd(String config) throws IOException {
            Files.writeString(dir.resolve("bgpd.conf"), config);
            Files.deleteIfExists(dir.resolve("bgpd.vty"));
            starts++;
            Path log = dir.resolve("bgpd" + starts + ".out");
            bgpd = lab.start(link, log, "/usr/lib/frr/bgpd", "-S", "-n", "-z", dir.resolve("zserv.api").toString(),
                    "-f", dir.resolve("bgpd.conf").toString(), "-i", dir.resolve("bgpd.pid").toString(),
                    "--vty_socket", dir.toString(), "-P", "0", "-u", "root", "-g", "root");
            awaitStarted(bgpd, () -> Files.exists(dir.resolve("bgpd.vty"))
                    && exec("vtysh", "--vty_socket", dir.toString(), "-d", "bgpd", "-c", "show bgp summary").exit() == 0, log);
        }

        /** Runs vtysh commands (several lines run in order, e.g. {@code "configure terminal\nrouter bgp 1\n..."}). */
        String cmd(String command) {
            return run("vtysh", "--vty_socket", dir.toString(), "-d", "bgpd", "-c", command);
        }

        /** A {@code show ... json} command's answer. */
        JsonNode json(String command) {
            return parseJson(cmd(command), command);
        }

        /** Kills bgpd as a crash would: the kernel closes its sessions, no NOTIFICATION is sent. */
        void kill() {
            bgpd.destroyForcibly();
            try {
                bgpd.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Starts bgpd again (after {@link #kill}) with {@code config}. */
        void restart(String config) throws IOException {
            startBgpd(config);
        }
    }

    /** gobgpd in the link's namespace (its API on the namespace's own loopback; no zebra: it cannot use FRR 8.4's). */
    GoBgp gobgp(Link link, String name, String toml) throws IOException {
        Path conf = dir.resolve(name + ".toml");
        Files.writeString(conf, toml);
        GoBgp g = new GoBgp(this, link, name, conf);
        g.startDaemon(false);
        return g;
    }

    /** One gobgpd; it can be killed and started again in graceful-restart mode ({@code -r}). */
    static final class GoBgp {
        private final BgpLab lab;
        private final Link link;
        private final String name;
        private final Path conf;
        private Process gobgpd;
        private int starts;

        GoBgp(BgpLab lab, Link link, String name, Path conf) {
            this.lab = lab;
            this.link = link;
            this.name = name;
            this.conf = conf;
        }

        private void startDaemon(boolean restarting) throws IOException {
            starts++;
            Path log = lab.dir.resolve(name + starts + ".out");
            List<String> cmd = new ArrayList<>(List.of("gobgpd", "-f", conf.toString(), "--api-hosts", "127.0.0.1:50051",
                    "--pprof-disable", "-p"));
            if (restarting) {
                cmd.add("-r");
            }
            gobgpd = lab.start(link, log, cmd.toArray(String[]::new));
            awaitStarted(gobgpd, () -> exec("ip", "netns", "exec", link.ns(), "gobgp", "global").exit() == 0, log);
        }

        /** {@code gobgp ARGS...} against this daemon. */
        String cmd(String... args) {
            List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", link.ns(), "gobgp"));
            c.addAll(List.of(args));
            return run(c.toArray(String[]::new));
        }

        /** {@code gobgp ARGS... -j}. */
        JsonNode json(String... args) {
            List<String> c = new ArrayList<>(List.of(args));
            c.add("-j");
            return parseJson(cmd(c.toArray(String[]::new)), String.join(" ", args));
        }

        /** Kills gobgpd as a crash would (no NOTIFICATION). */
        void kill() {
            gobgpd.destroyForcibly();
            try {
                gobgpd.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Starts gobgpd again (after {@link #kill}) in graceful-restart mode ({@code -r}). */
        void restartGracefully() throws IOException {
            startDaemon(true);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode parseJson(String text, String command) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError(command + " did not answer JSON: " + text, e);
        }
    }

    Process start(Link link, Path log, String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", link.ns()));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        return p;
    }

    static final class Bird {
        final BgpLab lab;
        final Link link;
        final String name;
        final Path conf;
        final Path sock;
        Process process;

        Bird(BgpLab lab, Link link, String name, Path conf, Path sock, Process process) {
            this.lab = lab;
            this.link = link;
            this.name = name;
            this.conf = conf;
            this.sock = sock;
            this.process = process;
        }

        String cmd(String... args) {
            List<String> c = new ArrayList<>(List.of("birdc", "-s", sock.toString()));
            c.addAll(List.of(args));
            return run(c.toArray(String[]::new));
        }

        /** Rewrites the configuration and makes BIRD load it. */
        void reconfigure(String config) throws IOException {
            Files.writeString(conf, config);
            String out = cmd("configure");
            if (!out.contains("Reconfigur")) {
                fail("birdc configure: " + out);
            }
        }

        /** Kills BIRD as a crash would, and starts it again in graceful-restart recovery (-R). */
        void crashAndRestart() throws IOException {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                Files.deleteIfExists(sock);
            } catch (IOException e) {
                // bird recreates it
            }
            process = new ProcessBuilder("ip", "netns", "exec", link.ns(), "bird", "-f", "-R", "-c", conf.toString(),
                    "-s", sock.toString(), "-P", lab.dir.resolve(name + ".pid").toString())
                    .redirectErrorStream(true).redirectOutput(lab.dir.resolve(name + ".out2").toFile()).start();
            lab.processes.add(process);
            await(Duration.ofSeconds(10), () -> Files.exists(sock)
                    && exec("birdc", "-s", sock.toString(), "show", "status").exit() == 0, () -> "BIRD did not restart");
        }
    }

    static InetAddress addr(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "(no " + p + ")";
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Waits for a daemon to be ready; fails at once, with its output, when it exits instead. */
    static void awaitStarted(Process daemon, BooleanSupplier ready, Path log) {
        await(Duration.ofSeconds(15), () -> {
            if (!daemon.isAlive()) {
                fail(daemon.info().command().orElse("daemon") + " exited " + daemon.exitValue() + ": " + read(log));
            }
            return ready.getAsBoolean();
        }, () -> log.getFileName() + ": not ready: " + read(log));
    }

    /** Polls until {@code condition} holds, failing with {@code message} after {@code timeout}. */
    static void await(Duration timeout, BooleanSupplier condition, Supplier<String> message) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        if (!condition.getAsBoolean()) {
            fail("after " + timeout.toSeconds() + " s: " + message.get());
        }
    }

    record Result(int exit, String out) {
    }

    static String run(String... command) {
        Result r = exec(command);
        if (r.exit != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + r.exit + ": " + r.out);
        }
        return r.out;
    }

    static Result exec(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " timed out");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command[0] + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (String ns : namespaces) {
            exec("ip", "netns", "del", ns); // takes its veth ends with it
        }
        exec("rm", "-rf", dir.toString()); // configs, sockets and daemon logs of this test
    }
}
