package io.weft.cni;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.weft.api.cni.CniCommand;
import io.weft.api.net.RootOnlySockets;
import io.weft.api.cni.CniHandler;
import io.weft.api.cni.CniRequest;
import io.weft.api.cni.CniResponse;
import io.weft.api.provider.WeftProvider;

/**
 * Serves the CNI shim on a root-only Unix socket: one request per connection, decoded from the
 * shim's frame ({@link CniWire}), handed to the {@link CniHandler} registered for the network
 * configuration's {@code type}, and the handler's stdout, stderr and exit code sent back.
 *
 * <p>Plain JDK Unix-domain channels and blocking worker threads rather than Netty: each
 * connection carries exactly one request whose handling blocks on the kernel and the datastore
 * anyway, and the JDK needs no native transport bundle.
 */
@Component(configurationPid = CniConfig.PID, immediate = true)
@Designate(ocd = CniConfig.class)
public class CniServer {

    private static final Logger LOG = LoggerFactory.getLogger(CniServer.class);

    private final Map<String, CniHandler> handlers = new ConcurrentHashMap<>();
    private final ObjectMapper json = new ObjectMapper();
    private final Path path;
    private final int maxRequestBytes;
    /** How long a request waits for its plugin type's handler while the node starts (the socket opens first). */
    private final long handlerWaitNanos;
    private final ServerSocketChannel server;
    private final ThreadPoolExecutor workers;

    @Activate
    public CniServer(CniConfig config) {
        this(Path.of(config.socketPath()), config.maxRequestBytes(), config.maxConcurrentRequests(), config.enabled(),
                config.providerWaitMillis());
    }

    /** For tests and tools: serve on {@code path}; handlers are added with {@link #addHandler}. */
    public CniServer(Path path, int maxRequestBytes, int maxConcurrent, boolean enabled) {
        this(path, maxRequestBytes, maxConcurrent, enabled, 2000);
    }

    private CniServer(Path path, int maxRequestBytes, int maxConcurrent, boolean enabled, int handlerWaitMillis) {
        this.path = path;
        this.handlerWaitNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, handlerWaitMillis));
        this.maxRequestBytes = maxRequestBytes;
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(2, Math.max(2, maxConcurrent), 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "weft-cni-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        ServerSocketChannel opened = null;
        if (enabled) {
            try {
                opened = open(path);
                LOG.info("CNI server listening on {}", path);
            } catch (IOException | RuntimeException e) {
                LOG.error("CNI server disabled: cannot listen on {}: {} (the node runs as root? another node running? "
                        + "socketPath in etc/{}.cfg)", path, e.getMessage(), CniConfig.PID);
            }
        }
        this.server = opened;
        if (server != null) {
            Thread acceptor = new Thread(this::accept, "weft-cni-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void addHandler(CniHandler handler, Map<String, Object> properties) {
        for (String type : types(properties)) {
            handlers.put(type, handler);
            LOG.info("CNI plugin type '{}' is served", type);
        }
    }

    public void removeHandler(CniHandler handler, Map<String, Object> properties) {
        for (String type : types(properties)) {
            handlers.remove(type, handler);
        }
    }

    private static List<String> types(Map<String, Object> properties) {
        Object v = properties.get(WeftProvider.PROPERTY);
        if (v instanceof String s) {
            return List.of(s);
        }
        if (v instanceof String[] a) {
            return List.of(a);
        }
        if (v instanceof Collection<?> c) {
            return c.stream().map(String::valueOf).toList();
        }
        return List.of();
    }

    public Path path() {
        return path;
    }

    public boolean listening() {
        return server != null && server.isOpen();
    }

    private static ServerSocketChannel open(Path path) throws IOException {
        return RootOnlySockets.listen(path, "CNI");
    }

    private void accept() {
        while (server.isOpen()) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (server.isOpen()) {
                    LOG.warn("CNI socket accept failed: {}", e.getMessage());
                }
                continue;
            }
            try {
                workers.execute(() -> serve(client));
            } catch (RejectedExecutionException e) {
                // the shim reads a truncated reply and reports "try again later" (code 11)
                LOG.warn("CNI server busy: {} requests in flight (maxConcurrentRequests); refusing one",
                        workers.getActiveCount());
                closeQuietly(client);
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client;
                DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(client)));
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(client)))) {
            CniResponse response;
            try {
                response = handle(CniWire.readRequest(in, maxRequestBytes));
            } catch (CniWire.BadFrameException e) {
                // read the rest first: closing on unread data resets the connection, and the shim
                // would report "runtime not reachable" instead of this error
                drain(in);
                response = failure(null, new CniFailure(CniFailure.DECODING_FAILURE, "bad request: " + e.getMessage(),
                        "only the weft CNI shim speaks this socket's protocol"));
            }
            CniWire.writeResponse(out, response);
        } catch (IOException e) {
            LOG.debug("CNI client went away: {}", e.getMessage());
        }
    }

    /** Discards what the client still sends, up to a bound, so the error reply reaches it. */
    private void drain(DataInputStream in) throws IOException {
        long limit = 64L * Math.max(maxRequestBytes, 1 << 16);
        byte[] sink = new byte[64 * 1024];
        long total = 0;
        int n;
        while (total < limit && (n = in.read(sink)) > 0) {
            total += n;
        }
    }

    /** Decodes the environment, picks the handler for the config's type and runs it. */
    CniResponse handle(CniWire.Request wire) {
        Map<String, String> env = wire.env();
        String version = null;
        try {
            JsonNode conf;
            try {
                conf = json.readTree(wire.stdin());
            } catch (IOException e) {
                throw new CniFailure(CniFailure.DECODING_FAILURE, "network configuration is not valid JSON",
                        String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
            }
            if (conf == null || !conf.isObject()) {
                throw new CniFailure(CniFailure.DECODING_FAILURE, "network configuration is not a JSON object",
                        "the runtime passes the network config on stdin");
            }
            version = conf.path("cniVersion").asText(null);
            CniCommand command = command(env.get("CNI_COMMAND"));
            String type = conf.path("type").asText("");
            CniHandler handler = awaitHandler(type);
            if (handler == null) {
                throw new CniFailure(type.isEmpty() ? CniFailure.INVALID_NETWORK_CONFIG : CniFailure.TRY_AGAIN_LATER,
                        type.isEmpty() ? "network configuration has no type" : "no CNI plugin of type '" + type + "' is running",
                        "types served now: " + handlers.keySet());
            }
            return handler.handle(new CniRequest(command, env.get("CNI_CONTAINERID"), env.get("CNI_NETNS"),
                    env.get("CNI_IFNAME"), args(env.get("CNI_ARGS")), env.get("CNI_PATH"), wire.stdin()));
        } catch (CniFailure f) {
            LOG.warn("CNI request refused (code {}): {} — {}", f.code(), f.getMessage(), f.details());
            return failure(version, f);
        }
    }

    /** The handler for {@code type}, waiting briefly for it: a restarted node opens the socket before its handlers bind. */
    private CniHandler awaitHandler(String type) {
        CniHandler handler = handlers.get(type);
        long deadline = System.nanoTime() + handlerWaitNanos;
        while (handler == null && !type.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            handler = handlers.get(type);
        }
        return handler;
    }

    private static CniCommand command(String value) throws CniFailure {
        if (value == null || value.isEmpty()) {
            throw new CniFailure(CniFailure.INVALID_ENVIRONMENT, "CNI_COMMAND is not set",
                    "the runtime sets CNI_COMMAND to ADD, DEL, CHECK, STATUS, GC or VERSION");
        }
        try {
            return CniCommand.valueOf(value);
        } catch (IllegalArgumentException e) {
            throw new CniFailure(CniFailure.INVALID_ENVIRONMENT, "unknown CNI_COMMAND '" + value + "'",
                    "expected ADD, DEL, CHECK, STATUS, GC or VERSION");
        }
    }

    /** CNI_ARGS: {@code K8S_POD_NAMESPACE=ns;K8S_POD_NAME=pod;IgnoreUnknown=1}. */
    static Map<String, String> args(String raw) throws CniFailure {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isBlank()) {
            return out;
        }
        for (String pair : raw.split(";")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new CniFailure(CniFailure.INVALID_ENVIRONMENT, "CNI_ARGS entry '" + pair + "' is not KEY=VALUE",
                        "CNI_ARGS looks like K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0");
            }
            out.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return out;
    }

    private CniResponse failure(String version, CniFailure f) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("cniVersion", version == null ? "1.1.0" : version);
        body.put("code", f.code());
        body.put("msg", f.getMessage());
        body.put("details", f.details());
        try {
            return new CniResponse(f.code(), json.writeValueAsBytes(body),
                    ("weft: " + f.getMessage() + " (" + f.details() + ")\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // already gone
        }
    }

    @Deactivate
    public void close() {
        if (server != null) {
            try {
                server.close();
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // the node is stopping; nothing left to do
            }
        }
        workers.shutdownNow();
    }
}
