package io.weft.datastore.etcd;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A throwaway single-member etcd for one test: free loopback ports, a data directory in
 * {@code /dev/shm} (tmpfs, so fsync costs nothing), healthy before the test starts and killed
 * after it. Register it with {@code @RegisterExtension}; tests can kill it ({@code kill -9}) and
 * restart it on the same data directory and port. Without {@code /usr/bin/etcd} the tests are
 * skipped, loudly.
 *
 * <p>Administrative calls (compaction, auth setup, lease lookups) go through the JDK's HTTP client,
 * not the code under test.
 *
 * <p>Public, and shipped in this module's test-jar, so that other modules test against real etcd
 * too (the block IPAM's concurrent allocation test).
 */
public final class EtcdServer implements BeforeEachCallback, AfterEachCallback {

    static final Path BINARY = Path.of(System.getProperty("weft.etcd.binary", "/usr/bin/etcd"));
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.Random RANDOM = new java.security.SecureRandom();

    static {
        // a test JVM that dies must not leave etcd processes behind
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly)));
    }

    private final List<String> extraFlags;
    private String scheme = "http";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Path home;
    private int clientPort;
    private int peerPort;
    private int metricsPort;
    private int servingPort;
    private Process process;
    private String authToken;

    public EtcdServer(String... extraFlags) {
        this.extraFlags = new ArrayList<>(List.of(extraFlags));
    }

    /** Serves clients over TLS only, and requires a client certificate signed by {@code ca}. */
    EtcdServer tls(Path serverCert, Path serverKey, Path ca) {
        scheme = "https";
        extraFlags.addAll(List.of("--cert-file", serverCert.toString(), "--key-file", serverKey.toString(),
                "--trusted-ca-file", ca.toString(), "--client-cert-auth"));
        return this;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (!Files.isExecutable(BINARY)) {
            String message = "\n*** " + BINARY + " is missing: the etcd datastore tests need a real etcd. Install the "
                    + "Debian package etcd-server (apt-get install etcd-server), or point -Dweft.etcd.binary at an "
                    + "etcd 3.4+ binary. SKIPPING " + context.getDisplayName() + " ***\n";
            System.err.println(message);
            Assumptions.abort(message);
        }
        Path base = Files.isDirectory(Path.of("/dev/shm")) && Files.isWritable(Path.of("/dev/shm"))
                ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
        home = Files.createTempDirectory(base, "weft-etcd-test-");
        for (int attempt = 1;; attempt++) {
            clientPort = freePort();
            peerPort = freePort();
            metricsPort = freePort();
            try {
                launch(clientPort);
                return;
            } catch (PortTakenException e) {
                if (attempt == 5) {
                    throw e;
                }
                wipe(); // another process took a port between our check and etcd's bind: new ports
            }
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            RUNNING.remove(process);
            process = null;
        }
        if (home != null) {
            try (Stream<Path> files = Files.walk(home)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    public String clientUrl() {
        return scheme + "://127.0.0.1:" + clientPort;
    }

    int clientPort() {
        return clientPort;
    }

    /** {@code kill -9}: etcd gets no chance to close connections gracefully or flush anything. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        RUNNING.remove(process);
        process = null;
        authToken = null;
    }

    /** Deletes the data directory of a killed etcd: the next start is a new, empty cluster. */
    void wipe() throws IOException {
        if (!Files.exists(home.resolve("data"))) {
            return;
        }
        try (Stream<Path> files = Files.walk(home.resolve("data"))) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Starts etcd again on the same data directory and client port. */
    void restart() throws IOException, InterruptedException {
        launch(clientPort);
    }

    /** Starts etcd again on the same data directory, serving clients on another port. */
    void restartOnClientPort(int port) throws IOException, InterruptedException {
        launch(port);
    }

    private void launch(int port) throws IOException, InterruptedException {
        servingPort = port;
        String client = scheme + "://127.0.0.1:" + port;
        String health = "http://127.0.0.1:" + metricsPort + "/health"; // plain HTTP even when clients use TLS
        String peer = "http://127.0.0.1:" + peerPort;
        List<String> command = new ArrayList<>(List.of(BINARY.toString(),
                "--name", "weft-test",
                "--data-dir", home.resolve("data").toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "weft-test=" + peer,
                "--listen-metrics-urls", "http://127.0.0.1:" + metricsPort,
                // a quick election after a restart; also lowers etcd's minimum lease TTL to 1 s
                "--heartbeat-interval", "10", "--election-timeout", "100",
                "--logger", "zap", "--log-level", "warn"));
        command.addAll(extraFlags);
        Path log = home.resolve("etcd.log");
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        RUNNING.add(process);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                RUNNING.remove(process);
                String tail = tail(log);
                if (tail.contains("address already in use")) {
                    throw new PortTakenException("etcd could not bind its ports:\n" + tail);
                }
                throw new IllegalStateException("etcd exited with " + process.exitValue() + ":\n" + tail);
            }
            try {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(health))
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200 && answer.body().contains("\"true\"")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("etcd did not become healthy on " + client + " within 10 s:\n" + tail(log));
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    /**
     * A loopback port nobody listens on, below Linux's ephemeral range (32768+) so that the test's
     * own outgoing connections do not take it before etcd binds it.
     */
    static int freePort() throws IOException {
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

    private static final class PortTakenException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        PortTakenException(String message) {
            super(message);
        }
    }

    // ---- administration, straight through the gateway ----------------------------------------------

    /** POSTs {@code body} to etcd's gateway and returns the reply, failing on anything but 200. */
    JsonNode post(String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + servingPort + path))
                .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (authToken != null) {
            request.header("Authorization", authToken);
        }
        HttpResponse<String> reply = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (reply.statusCode() != 200) {
            throw new IllegalStateException("etcd " + path + " " + body + ": HTTP " + reply.statusCode() + " "
                    + reply.body());
        }
        return JSON.readTree(reply.body());
    }

    /** etcd's own revision (Weft's plus one). */
    long etcdRevision() throws IOException, InterruptedException {
        return post("/v3/kv/range", "{\"key\":\"AA==\",\"count_only\":true}").path("header").path("revision").asLong();
    }

    /** Compacts etcd's history up to its current revision, as {@code etcdctl compact} does. */
    void compact() throws IOException, InterruptedException {
        post("/v3/kv/compaction", "{\"revision\":\"" + etcdRevision() + "\",\"physical\":true}");
    }

    /** Ends a lease now, as etcd does when its TTL runs out (same transaction, same events). */
    void revokeLease(long leaseId) throws IOException, InterruptedException {
        post("/v3/lease/revoke", "{\"ID\":\"" + leaseId + "\"}");
    }

    /** Adds user {@code root} with the root role and switches authentication on, as etcdctl does. */
    void enableAuth(String rootPassword) throws IOException, InterruptedException {
        post("/v3/auth/user/add", "{\"name\":\"root\",\"password\":\"" + rootPassword + "\"}");
        post("/v3/auth/role/add", "{\"name\":\"root\"}");
        post("/v3/auth/user/grant", "{\"user\":\"root\",\"role\":\"root\"}");
        post("/v3/auth/enable", "{}");
        authToken = post("/v3/auth/authenticate", "{\"name\":\"root\",\"password\":\"" + rootPassword + "\"}")
                .path("token").asText();
    }

    static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
