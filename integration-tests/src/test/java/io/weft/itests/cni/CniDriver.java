package io.weft.itests.cni;

import static org.junit.Assume.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs CNI plugins the way containerd does, through libcni: the Go program in
 * {@code integration-tests/cni-driver/}, built once per test JVM into {@code target/cni-driver/}
 * from Debian's libcni source. Each call is one driver process:
 *
 * <pre>
 * CniDriver cni = new CniDriver(List.of(shimDir, Path.of("/usr/lib/cni")), cacheDir,
 *         Map.of("WEFT_CNI_SOCKET", socket.toString()));
 * CniDriver.Outcome added = cni.add(conflist, "ctr1", Path.of("/var/run/netns/pod1"),
 *         "-k8s-namespace", "default", "-k8s-pod", "pod1").orFail();
 * </pre>
 *
 * Flags (before the verb) are the driver's: {@code -k8s-namespace}, {@code -k8s-pod},
 * {@code -k8s-pod-uid}, {@code -cap name=json}, {@code -args K=V;K=V}, {@code -spec-version};
 * see {@code cni-driver -h}. libcni 1.1.2 runs ADD/CHECK/DEL for conflists up to cniVersion 1.0.0.
 */
public final class CniDriver {
    private static final Path MODULE_DIR = Path.of(System.getProperty("user.dir"));
    private static final Path SOURCE_DIR = MODULE_DIR.resolve("cni-driver");
    private static final Path BUILD_DIR = MODULE_DIR.resolve("target/cni-driver");
    private static final String LIBCNI_SOURCE = "/usr/share/gocode/src/github.com/containernetworking/cni/libcni";
    private static Path builtBinary;

    private final Path binary;
    private final List<Path> pluginDirs;
    private final Path cacheDir;
    private final Map<String, String> environment;

    /**
     * @param pluginDirs  where libcni looks for plugin binaries (the conflist's {@code type}s)
     * @param cacheDir    libcni's result cache (use a test's temporary directory, not /var/lib/cni)
     * @param environment extra variables for the plugins, e.g. WEFT_CNI_SOCKET for the shim
     */
    public CniDriver(List<Path> pluginDirs, Path cacheDir, Map<String, String> environment) {
        this.binary = binary();
        this.pluginDirs = List.copyOf(pluginDirs);
        this.cacheDir = cacheDir;
        this.environment = Map.copyOf(environment);
    }

    /** What one driver run printed and its exit code (0 ok, 1 the call failed, 2 bad usage). */
    public record Outcome(List<String> command, int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** Returns this outcome when the call succeeded; otherwise fails with everything it printed. */
        public Outcome orFail() {
            if (!ok()) {
                throw new AssertionError(String.join(" ", command) + " exited " + exitCode
                        + "\nstdout: " + stdout + "\nstderr: " + stderr);
            }
            return this;
        }
    }

    public Outcome add(Path conflist, String containerId, Path netns, String... flags) {
        return attachmentVerb("add", conflist, containerId, netns, flags);
    }

    public Outcome check(Path conflist, String containerId, Path netns, String... flags) {
        return attachmentVerb("check", conflist, containerId, netns, flags);
    }

    public Outcome del(Path conflist, String containerId, Path netns, String... flags) {
        return attachmentVerb("del", conflist, containerId, netns, flags);
    }

    public Outcome status(Path conflist, String... flags) {
        return run(flags, "status", conflist.toString());
    }

    /** GC with the attachments the runtime still wants, each "containerID" or "containerID/ifname". */
    public Outcome gc(Path conflist, List<String> validAttachments, String... flags) {
        List<String> args = new ArrayList<>();
        args.add("gc");
        args.add(conflist.toString());
        args.addAll(validAttachments);
        return run(flags, args.toArray(String[]::new));
    }

    /** The driver's bench mode; its last stdout line is {@code cni-driver bench: key=value …}. */
    public Outcome bench(Path conflist, String... flags) {
        return run(flags, "bench", conflist.toString());
    }

    private Outcome attachmentVerb(String verb, Path conflist, String containerId, Path netns, String... flags) {
        return run(flags, verb, conflist.toString(), containerId, netns.toString());
    }

    private Outcome run(String[] flags, String... verbAndArgs) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.add("-path");
        command.add(pluginDirs.stream().map(Path::toString).collect(Collectors.joining(":")));
        command.add("-cache-dir");
        command.add(cacheDir.toString());
        command.addAll(Arrays.asList(flags));
        command.addAll(Arrays.asList(verbAndArgs));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        return exec(builder, 10, TimeUnit.MINUTES);
    }

    /**
     * The driver binary, built on first use. Skips (loudly) when Go or Debian's libcni source is
     * missing, since neither is part of a Maven build.
     */
    public static synchronized Path binary() {
        if (builtBinary != null) {
            return builtBinary;
        }
        assumeTrue("the CNI driver needs Go: apt-get install golang-go golang-github-appc-cni-dev",
                onPath("go"));
        assumeTrue("the CNI driver needs libcni's source in " + LIBCNI_SOURCE
                + ": apt-get install golang-github-appc-cni-dev", Files.isDirectory(Path.of(LIBCNI_SOURCE)));
        Path out = BUILD_DIR.resolve("cni-driver");
        try {
            Files.createDirectories(BUILD_DIR);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ProcessBuilder build = new ProcessBuilder("go", "build", "-o", out.toString(), ".").directory(SOURCE_DIR.toFile());
        // Debian's Go packages live in a GOPATH, not in modules: build offline in GOPATH mode.
        build.environment().put("GO111MODULE", "off");
        build.environment().put("GOPATH", "/usr/share/gocode");
        build.environment().put("GOCACHE", BUILD_DIR.resolve("go-cache").toString());
        exec(build, 5, TimeUnit.MINUTES).orFail();
        builtBinary = out;
        return out;
    }

    /** Whether an executable of that name is on the PATH (for loud skips). */
    public static boolean onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        return Arrays.stream(path.split(":")).anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
    }

    /** Runs a process to completion, collecting stdout and stderr concurrently (no pipe stalls). */
    public static Outcome exec(ProcessBuilder builder, long timeout, TimeUnit unit) {
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            CompletableFuture<String> out = drain(process.getInputStream());
            CompletableFuture<String> err = drain(process.getErrorStream());
            if (!process.waitFor(timeout, unit)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", builder.command()) + " did not finish within "
                        + timeout + " " + unit.toString().toLowerCase());
            }
            return new Outcome(builder.command(), process.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                stream.transferTo(bytes);
                return bytes.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Runs a command (e.g. {@code ip -n pod addr}) and returns its stdout; fails on a non-zero exit. */
    public static String sh(String... command) {
        return exec(new ProcessBuilder(command), 1, TimeUnit.MINUTES).orFail().stdout();
    }

    /** Environment map helper keeping insertion order, for readability at call sites. */
    public static Map<String, String> env(String... keyValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return map;
    }
}
