package io.weft.itests.cni;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeFalse;
import static org.junit.Assume.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The real CNI shim binary (runtime/cni-shim, built here with make) against a stub node runtime:
 * a Unix socket server in this test that records the request and answers what the test says.
 * It tests the shim's side of the wire protocol, not the io.weft.cni server.
 */
public class CniShimIT {
    private static final Path MODULE_DIR = Path.of(System.getProperty("user.dir"));
    private static final int MAGIC = 0x57434E31;
    private static final String HOW_TO_START =
            "start the node (systemctl start weft, or bin/karaf) or set WEFT_CNI_SOCKET";
    private static Path shim;

    private Path dir;
    private ServerSocketChannel server;

    @BeforeClass
    public static void buildShim() {
        assumeTrue("the CNI shim is C: apt-get install gcc make libc6-dev", CniDriver.onPath("make") && CniDriver.onPath("gcc"));
        Path out = MODULE_DIR.resolve("target/cni-shim");
        // Always through make: cheap, and the test never runs a binary older than the source.
        CniDriver.exec(new ProcessBuilder("make", "--no-print-directory", "-C",
                MODULE_DIR.resolveSibling("runtime/cni-shim").toString(), "OUT=" + out), 2, TimeUnit.MINUTES).orFail();
        shim = out.resolve("weft");
    }

    @After
    public void stopServer() throws IOException {
        if (server != null) {
            server.close();
        }
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** One request as the stub runtime received it. */
    record Request(int magic, List<String> environment, byte[] stdin) {
    }

    /** What the stub runtime answers; {@code raw} replaces the well-formed reply when set. */
    record Reply(int exitCode, byte[] stdout, byte[] stderr, byte[] raw) {
        static Reply of(int exitCode, String stdout, String stderr) {
            return new Reply(exitCode, stdout.getBytes(StandardCharsets.UTF_8), stderr.getBytes(StandardCharsets.UTF_8), null);
        }
    }

    /** What the shim did. */
    record Run(int exitCode, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    private Path socket() throws IOException {
        if (dir == null) {
            dir = Files.createTempDirectory("weft-shim-test");
        }
        return dir.resolve("cni.sock");
    }

    /** Serves exactly one connection: reads the request to the shim's half-close, then replies. */
    private CompletableFuture<Request> serveOnce(Reply reply) throws IOException {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket()));
        ServerSocketChannel listening = server;
        return CompletableFuture.supplyAsync(() -> {
            try (SocketChannel connection = listening.accept()) {
                ByteArrayOutputStream received = new ByteArrayOutputStream();
                Channels.newInputStream(connection).transferTo(received);
                Request request = parse(ByteBuffer.wrap(received.toByteArray()));
                OutputStream out = Channels.newOutputStream(connection);
                if (reply.raw() != null) {
                    out.write(reply.raw());
                } else {
                    ByteBuffer head = ByteBuffer.allocate(8).putInt(reply.exitCode()).putInt(reply.stdout().length);
                    out.write(head.array());
                    out.write(reply.stdout());
                    out.write(ByteBuffer.allocate(4).putInt(reply.stderr().length).array());
                    out.write(reply.stderr());
                }
                out.flush();
                return request;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static Request parse(ByteBuffer in) {
        int magic = in.getInt();
        int count = in.getInt();
        List<String> env = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] entry = new byte[in.getInt()];
            in.get(entry);
            env.add(new String(entry, StandardCharsets.UTF_8));
        }
        byte[] stdin = new byte[in.getInt()];
        in.get(stdin);
        assertEquals("bytes after the stdin field", 0, in.remaining());
        return new Request(magic, env, stdin);
    }

    /** Runs the shim with exactly this environment (nothing inherited) and stdin. */
    private Run runShim(byte[] stdin, String... environment) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(shim.toString());
        builder.environment().clear();
        for (int i = 0; i < environment.length; i += 2) {
            builder.environment().put(environment[i], environment[i + 1]);
        }
        Process process = builder.start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin);
        }
        assertTrue("the shim did not finish within 30 s", process.waitFor(30, TimeUnit.SECONDS));
        return new Run(process.exitValue(), out.get(), new String(err.get(), StandardCharsets.UTF_8));
    }

    private static byte[] readAll(java.io.InputStream stream) {
        try (stream) {
            return stream.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    public void forwardsOnlyCniVariablesAndStdinByteExact() throws Exception {
        CompletableFuture<Request> received = serveOnce(Reply.of(0, "{}", ""));
        byte[] stdin = "{\"cniVersion\":\"1.0.0\",\"name\":\"k8s-pod-network\",\"note\":\"ü\\u0000\"}\n"
                .getBytes(StandardCharsets.UTF_8);
        Run run = runShim(stdin,
                "CNI_COMMAND", "ADD",
                "CNI_CONTAINERID", "3f1e0c9a",
                "CNI_NETNS", "/var/run/netns/cni-1234",
                "CNI_IFNAME", "eth0",
                "CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0",
                "CNI_PATH", "/opt/cni/bin:/usr/lib/cni",
                "CNI_EMPTY", "",
                "WEFT_CNI_SOCKET", socket().toString(),
                "PATH", "/usr/bin:/bin",
                "MY_CNI_THING", "not forwarded: the name does not start with CNI_");
        Request request = received.get(10, TimeUnit.SECONDS);
        assertEquals(0, run.exitCode());
        assertEquals(MAGIC, request.magic());
        assertEquals(List.of("CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0",
                        "CNI_COMMAND=ADD", "CNI_CONTAINERID=3f1e0c9a", "CNI_EMPTY=", "CNI_IFNAME=eth0",
                        "CNI_NETNS=/var/run/netns/cni-1234", "CNI_PATH=/opt/cni/bin:/usr/lib/cni"),
                request.environment().stream().sorted().toList());
        assertArrayEquals(stdin, request.stdin());
    }

    @Test
    public void relaysExitCodeStdoutAndStderr() throws Exception {
        String error = "{\"cniVersion\":\"1.0.0\",\"code\":7,\"msg\":\"invalid network config\",\"details\":\"mtu: -1\"}";
        serveOnce(Reply.of(7, error, "weft: mtu -1 is out of range\n"));
        Run run = runShim(new byte[0], "CNI_COMMAND", "ADD", "WEFT_CNI_SOCKET", socket().toString());
        assertEquals(7, run.exitCode());
        assertEquals(error, run.out());
        assertEquals("weft: mtu -1 is out of range\n", run.stderr());
    }

    @Test
    public void exitCodesAboveAByteDoNotWrapToSuccess() throws Exception {
        serveOnce(Reply.of(256, "", ""));
        assertEquals(255, runShim(new byte[0], "WEFT_CNI_SOCKET", socket().toString()).exitCode());
    }

    @Test
    public void carriesOneMebibyteEachWay() throws Exception {
        byte[] big = new byte[1 << 20];
        new Random(6).nextBytes(big);
        byte[] bigReply = new byte[(1 << 20) + 3];
        new Random(7).nextBytes(bigReply);
        CompletableFuture<Request> received = serveOnce(new Reply(0, bigReply, new byte[0], null));
        Run run = runShim(big, "CNI_COMMAND", "ADD", "WEFT_CNI_SOCKET", socket().toString());
        assertArrayEquals(big, received.get(10, TimeUnit.SECONDS).stdin());
        assertEquals(0, run.exitCode());
        assertArrayEquals(bigReply, run.stdout());
    }

    @Test
    public void runtimeDownIsTryAgainLaterNamingTheSocket() throws Exception {
        Path missing = socket();
        Run run = runShim("{\"cniVersion\": \"0.4.0\", \"name\": \"k8s-pod-network\"}".getBytes(StandardCharsets.UTF_8),
                "CNI_COMMAND", "ADD", "WEFT_CNI_SOCKET", missing.toString());
        assertEquals(11, run.exitCode());
        assertEquals("{\"cniVersion\":\"0.4.0\",\"code\":11,\"msg\":\"Weft node runtime is not reachable\","
                + "\"details\":\"cannot connect to " + missing + ": No such file or directory; " + HOW_TO_START + "\"}\n",
                run.out());
    }

    @Test
    public void socketWithoutListenerIsConnectionRefused() throws Exception {
        // a runtime that died leaves its socket file behind
        Path stale = socket();
        ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        gone.bind(UnixDomainSocketAddress.of(stale));
        gone.close();
        Run run = runShim(new byte[0], "CNI_COMMAND", "DEL", "WEFT_CNI_SOCKET", stale.toString());
        assertEquals(11, run.exitCode());
        assertEquals("{\"cniVersion\":\"1.1.0\",\"code\":11,\"msg\":\"Weft node runtime is not reachable\","
                + "\"details\":\"cannot connect to " + stale + ": Connection refused; " + HOW_TO_START + "\"}\n",
                run.out());
    }

    @Test
    public void defaultSocketIsVarRunWeft() throws Exception {
        Path defaultSocket = Path.of("/var/run/weft/cni.sock");
        assumeFalse("a node runtime is listening on " + defaultSocket + " here; not calling it", Files.exists(defaultSocket));
        Run run = runShim("{\"cniVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8), "CNI_COMMAND", "VERSION");
        assertEquals(11, run.exitCode());
        assertTrue(run.out(), run.out().contains("\"details\":\"cannot connect to /var/run/weft/cni.sock: No such file or directory"));
        assertTrue(run.out(), run.out().startsWith("{\"cniVersion\":\"1.0.0\",\"code\":11,"));
    }

    @Test
    public void truncatedReplyIsTryAgainLaterNotHalfAResult() throws Exception {
        // exit code 0, stdout announced as 100 bytes, 10 sent, then the runtime goes away
        ByteBuffer cut = ByteBuffer.allocate(18).putInt(0).putInt(100).put("{\"cniVersi".getBytes(StandardCharsets.UTF_8));
        serveOnce(new Reply(0, null, null, cut.array()));
        Run run = runShim("{\"cniVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8), "CNI_COMMAND", "ADD",
                "WEFT_CNI_SOCKET", socket().toString());
        assertEquals(11, run.exitCode());
        assertEquals("{\"cniVersion\":\"1.0.0\",\"code\":11,\"msg\":\"Weft node runtime is not reachable\","
                + "\"details\":\"" + socket() + " closed the connection before its reply was complete (stdout cut short); "
                + "the node runtime may have stopped: " + HOW_TO_START + "\"}\n", run.out());
    }

    @Test
    public void anAnswerSentBeforeTheRequestWasReadStillReachesTheCaller() throws Exception {
        // a server refusing an oversize request may answer and close without reading it all
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket()));
        ServerSocketChannel listening = server;
        String error = "{\"cniVersion\":\"1.0.0\",\"code\":6,\"msg\":\"request too large\"}";
        CompletableFuture<Void> answered = CompletableFuture.runAsync(() -> {
            try (SocketChannel connection = listening.accept()) {
                connection.read(ByteBuffer.allocate(8)); // magic and envCount, nothing more
                byte[] out = error.getBytes(StandardCharsets.UTF_8);
                connection.write(ByteBuffer.allocate(12 + out.length).putInt(6).putInt(out.length).put(out).putInt(0).flip());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Run run = runShim(new byte[8 << 20], "CNI_COMMAND", "ADD", "WEFT_CNI_SOCKET", socket().toString());
        answered.get(10, TimeUnit.SECONDS);
        assertEquals(run.out() + run.stderr(), 6, run.exitCode());
        assertEquals(error, run.out());
    }

    @Test
    public void serverGoneWhileSendingIsTryAgainLater() throws Exception {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket()));
        ServerSocketChannel listening = server;
        CompletableFuture.runAsync(() -> {
            try (SocketChannel connection = listening.accept()) {
                connection.read(ByteBuffer.allocate(8));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Run run = runShim(new byte[8 << 20], "CNI_COMMAND", "ADD", "WEFT_CNI_SOCKET", socket().toString());
        assertEquals(11, run.exitCode());
        assertTrue(run.out(), run.out().matches("\\{\"cniVersion\":\"1.1.0\",\"code\":11,\"msg\":\"Weft node runtime is not reachable\","
                + "\"details\":\"sending the request to " + Pattern.quote(socket().toString())
                + " failed: (Broken pipe|Connection reset by peer); " + Pattern.quote(HOW_TO_START) + "\"\\}\n"));
    }

    @Test
    public void versionScanIgnoresValuesThatAreNotVersions() throws Exception {
        Run run = runShim("{\"cniVersion\":\"1.0\\\"}, \\\"x\"}".getBytes(StandardCharsets.UTF_8),
                "WEFT_CNI_SOCKET", socket().toString());
        assertEquals(11, run.exitCode());
        assertTrue(run.out(), run.out().startsWith("{\"cniVersion\":\"1.1.0\","));
    }
}
