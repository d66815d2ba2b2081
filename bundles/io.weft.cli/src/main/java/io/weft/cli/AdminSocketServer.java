package io.weft.cli;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

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

import io.weft.api.datastore.Datastore;
import io.weft.api.ipam.IpamService;
import io.weft.api.net.RootOnlySockets;
import io.weft.api.resource.ResourceCodec;
import io.weft.api.resource.ResourceStore;

/**
 * Serves weftctl on a root-only Unix socket: each connection carries one command, which runs
 * through the same {@link ResourceCommands} (and {@link IpamCommands} for {@code ipam …}) as the
 * console, against whatever datastore and IPAM provider the node uses. This is how weftctl reaches the embedded datastore, which only the node may open.
 */
@Component(configurationPid = AdminSocketConfig.PID, immediate = true)
@Designate(ocd = AdminSocketConfig.class)
public class AdminSocketServer {

    private static final Logger LOG = LoggerFactory.getLogger(AdminSocketServer.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile ResourceStore store;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile ResourceCodec codec;

    /** Only the {@code ipam} commands need it; without one they say what to install. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile IpamService ipam;

    /** Only {@code node status} needs it: it reads what the nodes publish under {@code /weft/runtime/}. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile Datastore datastore;

    private final Path path;
    private final ServerSocketChannel server;
    private final ExecutorService workers = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "weft-admin-socket");
        t.setDaemon(true);
        return t;
    });

    @Activate
    public AdminSocketServer(AdminSocketConfig config) {
        this.path = Path.of(config.path());
        ServerSocketChannel opened = null;
        if (config.enabled()) {
            try {
                opened = open(path);
                LOG.info("weftctl admin socket listening on {}", path);
            } catch (IOException | RuntimeException e) {
                LOG.warn("weftctl admin socket disabled: cannot listen on {}: {} (run the node as root, or set "
                        + "path in etc/{}.cfg)", path, e.getMessage(), AdminSocketConfig.PID);
            }
        }
        this.server = opened;
        if (server != null) {
            Thread acceptor = new Thread(this::accept, "weft-admin-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }
    }

    /** For tests and tools: serve on {@code path} with fixed services. */
    public AdminSocketServer(Path path, ResourceStore store, ResourceCodec codec) throws IOException {
        this(path, store, codec, null);
    }

    /** For tests and tools: serve on {@code path} with fixed services, {@code ipam} may be null. */
    public AdminSocketServer(Path path, ResourceStore store, ResourceCodec codec, IpamService ipam) throws IOException {
        this(path, store, codec, ipam, null);
    }

    /** For tests and tools: serve on {@code path} with fixed services; {@code ipam} and {@code datastore} may be null. */
    public AdminSocketServer(Path path, ResourceStore store, ResourceCodec codec, IpamService ipam, Datastore datastore)
            throws IOException {
        this.path = path;
        this.store = store;
        this.codec = codec;
        this.ipam = ipam;
        this.datastore = datastore;
        this.server = open(path);
        Thread acceptor = new Thread(this::accept, "weft-admin-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private static ServerSocketChannel open(Path path) throws IOException {
        return RootOnlySockets.listen(path, "weftctl");
    }

    private void accept() {
        while (server.isOpen()) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (server.isOpen()) {
                    LOG.warn("admin socket accept failed: {}", e.getMessage());
                }
                continue;
            }
            try {
                workers.execute(() -> serve(client));
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                // the server is being stopped: the client sees its connection closed, and the
                // accept loop must not die with an exception meanwhile
                try {
                    client.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client;
                DataInputStream in = new DataInputStream(Channels.newInputStream(client));
                DataOutputStream out = new DataOutputStream(Channels.newOutputStream(client))) {
            AdminProtocol.Request request;
            try {
                request = AdminProtocol.readRequest(in);
            } catch (IOException e) {
                AdminProtocol.writeReply(out, 1, "", "weftctl: bad request: " + e.getMessage() + "\n");
                return;
            }
            ResourceCommands.Outcome outcome = execute(request);
            AdminProtocol.writeReply(out, outcome.exitCode(), outcome.out(), outcome.err());
        } catch (IOException e) {
            LOG.debug("admin socket client went away: {}", e.getMessage());
        }
    }

    ResourceCommands.Outcome execute(AdminProtocol.Request request) {
        ResourceStore s = store;
        ResourceCodec c = codec;
        boolean nodeCommand = !request.args().isEmpty() && request.args().get(0).equals("node");
        if (!nodeCommand && (s == null || c == null)) {
            return new ResourceCommands.Outcome(1, "", "weftctl: the node has no " + (c == null ? "resource codec" : "resource store")
                    + " yet (see weft:status on its console)\n");
        }
        return CtlCommandLine.execute(request.args(), request.input(), s, c, ipam, datastore);
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
