package io.weft.bgp.internal;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.weft.api.bgp.BgpNodeStatus;
import io.weft.api.bgp.BgpSession;
import io.weft.api.datastore.Datastore;
import io.weft.api.model.NodeNames;
import io.weft.api.net.Cidr;
import io.weft.api.routing.RouteSink;
import io.weft.api.routing.RouteSource;
import io.weft.api.status.LeasedValue;
import io.weft.bgp.BgpSpeaker;
import io.weft.bgp.Community;
import io.weft.bgp.PeerConfig;
import io.weft.bgp.PeerStatus;
import io.weft.bgp.SpeakerConfig;

/**
 * The speaker as a service: configured under PID {@code io.weft.bgp}, it advertises what every
 * {@link RouteSource} offers and hands learned best paths to every {@link RouteSink}; both come
 * and go at runtime. Peers come from the configuration for now (sessions derived from
 * BGPPeer/Node resources by the peering topologies are the next step).
 *
 * <p>It publishes this node's sessions as a {@link BgpNodeStatus} under
 * {@code /weft/runtime/bgp/<node>} in the bound {@link Datastore}, on a lease, for
 * {@code weft:node-status} and {@code weftctl node status} on any node: a state change within a
 * second, changed prefix counts at most every {@code statusRefreshSeconds}.
 */
@Component(service = {}, configurationPid = "io.weft.bgp", configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true)
@Designate(ocd = BgpSpeakerComponent.Config.class)
public final class BgpSpeakerComponent {

    @ObjectClassDefinition(name = "Weft BGP speaker", description = "Weft's BGP-4 speaker (io.weft.bgp)")
    public @interface Config {
        @AttributeDefinition(description = "BGP identifier, an IPv4 address (the node's)")
        String routerId();

        @AttributeDefinition(description = "local AS number (Calico's default is 64512)")
        long asNumber() default 64512;

        @AttributeDefinition(description = "TCP port to accept sessions on; 0 accepts none")
        int port() default 179;

        @AttributeDefinition(description = "address to listen on; empty for all")
        String listenAddress() default "";

        @AttributeDefinition(description = "route-reflector cluster id (IPv4 form); empty when not a reflector")
        String clusterId() default "";

        @AttributeDefinition(description = "graceful-restart time advertised, seconds; -1 to not offer it")
        int gracefulRestartSeconds() default 120;

        @AttributeDefinition(description = "hold time offered, seconds (0 or 3-65535)")
        int holdTimeSeconds() default 90;

        @AttributeDefinition(description = "peers, one per entry: 'NAME ADDRESS AS [passive] [rr-client] [next-hop-self] [export-community=65000:100]...'")
        String[] peers() default {};

        @AttributeDefinition(description = "this node's name, under which its BGP status is published; empty: NODENAME, then the host name")
        String nodeName() default "";

        @AttributeDefinition(description = "seconds between republishing changed prefix counts (state changes go out within a second)")
        int statusRefreshSeconds() default 10;
    }

    /** How often the sessions are looked at for a change to publish. */
    static final Duration STATUS_POLL = Duration.ofSeconds(1);

    private final BgpSpeaker speaker;
    private final Map<RouteSource, AutoCloseable> sources = new ConcurrentHashMap<>();
    private final Map<RouteSink, AutoCloseable> sinks = new ConcurrentHashMap<>();
    /** Each session's PEER TYPE, recorded when it is added. */
    private final Map<String, BgpSession.Kind> kinds = new ConcurrentHashMap<>();
    private final String nodeName;
    private final String routerId;
    private final long asNumber;
    private final StatusPublisher status;
    private final ScheduledExecutorService statusLoop;
    private volatile Datastore datastore;

    @Activate
    public BgpSpeakerComponent(Config config) throws InterruptedException {
        SpeakerConfig sc = speakerConfig(config);
        List<PeerConfig> peers = new ArrayList<>();
        for (String p : config.peers()) {
            peers.add(parsePeer(p));
        }
        if (config.statusRefreshSeconds() < 1) {
            throw new IllegalArgumentException("io.weft.bgp: statusRefreshSeconds " + config.statusRefreshSeconds()
                    + " must be at least 1");
        }
        nodeName = NodeNames.resolve(config.nodeName(), System.getenv());
        routerId = Cidr.format(sc.routerId());
        asNumber = sc.localAs();
        status = new StatusPublisher(nodeName, Duration.ofSeconds(config.statusRefreshSeconds()));
        speaker = BgpSpeaker.start(sc);
        try {
            for (PeerConfig p : peers) {
                addPeer(p, kindOfConfiguredPeer(p.name()));
            }
        } catch (RuntimeException e) {
            speaker.close();
            throw e;
        }
        statusLoop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "weft-bgp-status");
            t.setDaemon(true);
            return t;
        });
        statusLoop.scheduleWithFixedDelay(this::publishStatus, 0, STATUS_POLL.toMillis(), TimeUnit.MILLISECONDS);
        long keepAlive = StatusPublisher.TTL.toMillis() / 3;
        statusLoop.scheduleWithFixedDelay(status::keepAlive, keepAlive, keepAlive, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts a session of the given PEER TYPE. Configured peers come through here now; sessions
     * from the peering topologies will too, with the kind their {@link BgpSession} says.
     */
    private void addPeer(PeerConfig peer, BgpSession.Kind kind) {
        kinds.put(peer.name(), kind);
        speaker.addPeer(peer);
    }

    /**
     * A peer from the {@code peers} property is a global peer, as a BGPPeer without node or
     * selector would be, unless its name says otherwise the way calicoctl reads BIRD's protocol
     * names ({@code Mesh_…}, {@code Node_…}).
     */
    static BgpSession.Kind kindOfConfiguredPeer(String name) {
        if (name.startsWith("Mesh_")) {
            return BgpSession.Kind.MESH;
        }
        if (name.startsWith("Node_")) {
            return BgpSession.Kind.NODE;
        }
        return BgpSession.Kind.GLOBAL;
    }

    static SpeakerConfig speakerConfig(Config c) {
        if (c.routerId() == null || c.routerId().isBlank()) {
            throw new IllegalArgumentException("io.weft.bgp: routerId is required (the node's IPv4 address)");
        }
        SpeakerConfig sc = SpeakerConfig.of(address("routerId", c.routerId()), c.asNumber()).withPort(c.port())
                .withTimers(Duration.ofSeconds(c.holdTimeSeconds()), null)
                .withGracefulRestart(c.gracefulRestartSeconds() < 0 ? null : Duration.ofSeconds(c.gracefulRestartSeconds()),
                        // every start may be a restart (node runtime restarted, component reconfigured):
                        // peers that still hold our routes keep them, and selection waits for the
                        // peers' tables before the kernel gets any; on a first start it costs nothing
                        c.gracefulRestartSeconds() >= 0);
        if (!c.listenAddress().isBlank()) {
            sc = sc.withListenAddress(address("listenAddress", c.listenAddress()));
        }
        if (!c.clusterId().isBlank()) {
            sc = sc.withClusterId(address("clusterId", c.clusterId()));
        }
        return sc;
    }

    /** {@code NAME ADDRESS AS [passive] [rr-client] [next-hop-self] [export-community=C]...} */
    static PeerConfig parsePeer(String entry) {
        String[] f = entry.trim().split("\\s+");
        if (f.length < 3) {
            throw new IllegalArgumentException("io.weft.bgp: peer '" + entry
                    + "' needs at least NAME ADDRESS AS, e.g. 'Global_10.0.0.2 10.0.0.2 65002 passive'");
        }
        long as;
        try {
            as = Long.parseLong(f[2]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("io.weft.bgp: peer '" + entry + "': AS '" + f[2] + "' is not a number");
        }
        PeerConfig p = PeerConfig.of(f[0], address("peer " + f[0] + " address", f[1]), as);
        List<Community> exportCommunities = new ArrayList<>();
        for (int i = 3; i < f.length; i++) {
            if (f[i].startsWith("export-community=")) {
                try {
                    exportCommunities.add(Community.parse(f[i].substring("export-community=".length())));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("io.weft.bgp: peer '" + entry + "': " + e.getMessage(), e);
                }
                continue;
            }
            switch (f[i]) {
                case "passive" -> p = p.withPassive(true);
                case "rr-client" -> p = p.withRouteReflectorClient(true);
                case "next-hop-self" -> p = p.withNextHop(true, false);
                default -> throw new IllegalArgumentException("io.weft.bgp: peer '" + entry + "': unknown option '" + f[i]
                        + "' (use passive, rr-client, next-hop-self, export-community=65000:100)");
            }
        }
        return exportCommunities.isEmpty() ? p : p.withExportCommunities(exportCommunities);
    }

    private static InetAddress address(String field, String text) {
        try {
            return Cidr.parseAddress(text.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("io.weft.bgp: " + field + " '" + text + "' is not an IP address");
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void bindSource(RouteSource source) {
        sources.put(source, speaker.subscribe(source));
    }

    public void unbindSource(RouteSource source) {
        closeQuietly(sources.remove(source));
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindSink(RouteSink sink) {
        sinks.put(sink, speaker.addSink(sink));
    }

    void unbindSink(RouteSink sink) {
        closeQuietly(sinks.remove(sink));
    }

    /**
     * Where this node's BGP status is published. Optional and dynamic: without a datastore the
     * speaker runs all the same; a swapped datastore gets the status at once.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void bindDatastore(Datastore bound) {
        datastore = bound;
        try {
            statusLoop.execute(this::publishStatus);
        } catch (RejectedExecutionException e) {
            // deactivating
        }
    }

    public void unbindDatastore(Datastore departed) {
        if (datastore == departed) {
            datastore = null;
        }
    }

    BgpSpeaker speaker() {
        return speaker;
    }

    String nodeName() {
        return nodeName;
    }

    /** This node's sessions now, sorted by name. */
    BgpNodeStatus currentStatus() {
        List<BgpNodeStatus.Peer> peers = new ArrayList<>();
        for (PeerStatus p : speaker.peers()) {
            peers.add(new BgpNodeStatus.Peer(p.name(), Cidr.format(p.address()),
                    kinds.getOrDefault(p.name(), kindOfConfiguredPeer(p.name())), p.peerAs(), p.state().display(),
                    p.since(), p.peerRouterId(), p.holdTime(), p.received(), p.accepted(), p.advertised(),
                    operatorWording(p.lastError())));
        }
        peers.sort(Comparator.comparing(BgpNodeStatus.Peer::name));
        return new BgpNodeStatus(nodeName, routerId, asNumber, peers, null);
    }

    /**
     * An error as an operator reads it in the status table: Netty's epoll connect errors say
     * {@code finishConnect(..) failed: Connection refused: /10.0.0.2:179} where the session's own
     * text already names the address.
     */
    static String operatorWording(String error) {
        if (error == null) {
            return null;
        }
        return error.replace("finishConnect(..) failed: ", "").replaceFirst(": /[0-9A-Fa-f.:%]+:\\d+$", "");
    }

    /** On the status thread: publishes what changed. */
    private void publishStatus() {
        try {
            status.publish(datastore, currentStatus());
        } catch (RuntimeException e) {
            // the speaker is closing, or a bug: the status must not stop the speaker, and the next poll tries again
            SpeakerCore.LOG.debug("node {}: BGP status not published: {}", nodeName, e.toString());
        }
    }

    /** Stops publishing and removes the status: a stopped speaker says nothing rather than something stale. */
    @Deactivate
    public void deactivate() {
        statusLoop.shutdownNow();
        try {
            statusLoop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        status.withdraw();
        sources.values().forEach(BgpSpeakerComponent::closeQuietly);
        sinks.values().forEach(BgpSpeakerComponent::closeQuietly);
        speaker.close();
    }

    /**
     * Keeps one node's {@link BgpNodeStatus} in a datastore on a lease (so a node whose runtime
     * died drops out by itself). Called on the status thread only.
     *
     * <p>A change of the sessions (state, since, error, the set of peers) is written at once, at
     * most once per {@link #MIN_INTERVAL}; a change of prefix counts alone waits for
     * {@code refresh} since the last write, so a table arriving at thousands of prefixes a second
     * is not a write a second per node.
     */
    static final class StatusPublisher {
        static final Duration TTL = Duration.ofSeconds(30);
        static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

        private final String node;
        private final Duration refresh;
        private final LeasedValue entry = new LeasedValue(TTL);
        /** The sessions and the counts as last written, without the publication time. */
        private BgpNodeStatus lastWritten;
        private long lastWriteNanos;

        StatusPublisher(String node, Duration refresh) {
            this.node = node;
            this.refresh = refresh;
        }

        /** Writes {@code now} to {@code to} when it says something new enough; {@code to} may be null. */
        void publish(Datastore to, BgpNodeStatus now) {
            if (to == null) {
                return;
            }
            boolean fresh = entry.needsWrite(to) || lastWritten == null;
            if (!fresh && now.equals(lastWritten)) {
                return;
            }
            long sinceLast = System.nanoTime() - lastWriteNanos;
            boolean sessionsChanged = fresh || !sessions(now).equals(sessions(lastWritten));
            if (!fresh && sinceLast < (sessionsChanged ? MIN_INTERVAL : refresh).toNanos()) {
                return; // the next poll looks again
            }
            BgpNodeStatus stamped = new BgpNodeStatus(now.node(), now.routerId(), now.asNumber(), now.peers(), Instant.now());
            LeasedValue.Outcome outcome = entry.write(to, stamped.key(), stamped.encode());
            if (outcome == LeasedValue.Outcome.WRITTEN) {
                lastWritten = now;
                lastWriteNanos = System.nanoTime();
            } else if (entry.newFailure() != null) {
                SpeakerCore.LOG.warn("node {}: cannot publish the BGP status at {}: {} (retrying)", node, stamped.key(),
                        entry.newFailure());
            }
        }

        /** What a session change is: everything but the prefix counts. */
        private static List<List<Object>> sessions(BgpNodeStatus s) {
            return s.peers().stream().map(p -> List.<Object>of(p.name(), p.address(), p.type(), p.peerAs(), p.state(),
                    String.valueOf(p.since()), p.peerRouterId(), p.holdTime(), p.lastError())).toList();
        }

        /** Keeps the lease alive; a lost lease is granted again by the next publish. */
        void keepAlive() {
            String lost = entry.keepAlive();
            if (lost != null) {
                SpeakerCore.LOG.info("node {}: BGP status lease lost ({}); publishing again", node, lost);
                lastWritten = null;
            }
        }

        /** Removes the status by ending its lease. */
        void withdraw() {
            entry.withdraw();
            lastWritten = null;
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                SpeakerCore.LOG.warn("closing a route subscription: {}", e.toString());
            }
        }
    }
}
