package io.weft.bgp.internal;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.channel.unix.RawUnixChannelOption;
import io.weft.api.net.Cidr;
import io.weft.api.routing.NextHop;
import io.weft.api.routing.Route;
import io.weft.api.routing.RouteSink;
import io.weft.api.routing.RouteUpdate;
import io.weft.bgp.PeerConfig;
import io.weft.bgp.PeerStatus;
import io.weft.bgp.Community;
import io.weft.bgp.RouteFilter;
import io.weft.bgp.SpeakerConfig;

/**
 * The speaker's engine: one event-loop thread owns every session and every RIB, so the hot path
 * takes no locks (BIRD is single-threaded for the same reason). Public calls hop onto that
 * thread. Epoll is used when available (it is the transport that can set TCP_MD5SIG).
 */
public final class SpeakerCore implements AutoCloseable {
    static final Logger LOG = LoggerFactory.getLogger("io.weft.bgp");
    // GTSM (RFC 5082) socket options, which Netty does not name: linux/in.h and linux/in6.h
    private static final IntegerUnixChannelOption IP_TTL = new IntegerUnixChannelOption("IP_TTL", 0, 2);
    private static final IntegerUnixChannelOption IP_MINTTL = new IntegerUnixChannelOption("IP_MINTTL", 0, 21);
    private static final IntegerUnixChannelOption IPV6_UNICAST_HOPS = new IntegerUnixChannelOption("IPV6_UNICAST_HOPS", 41, 16);
    private static final IntegerUnixChannelOption IPV6_MINHOPCOUNT = new IntegerUnixChannelOption("IPV6_MINHOPCOUNT", 41, 73);
    // linux/tcp.h: keep each connection's SYN headers on the listening socket, read them once accepted
    private static final IntegerUnixChannelOption TCP_SAVE_SYN = new IntegerUnixChannelOption("TCP_SAVE_SYN", 6, 27);
    private static final RawUnixChannelOption TCP_SAVED_SYN = new RawUnixChannelOption("TCP_SAVED_SYN", 6, 28, 256);
    /** Route attribute a {@code RouteSource} sets to tag what it offers: "65000:100 65000:1:2 no-export". */
    public static final String COMMUNITIES_ATTRIBUTE = "communities";
    private static final int WARMUP_PREFIXES = Integer.getInteger("weft.bgp.warmupPrefixes", 100_000);

    final SpeakerConfig config;
    final Prefixes prefixes = new Prefixes();
    final Rib rib;
    private final UpdatePacker packer;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final boolean epoll;
    private Channel server;
    private final Map<String, PeerSession> byName = new LinkedHashMap<>();
    private final Map<InetAddress, PeerSession> byAddress = new HashMap<>();
    private final List<RouteSink> sinks = new CopyOnWriteArrayList<>();
    /** False for a scratch speaker on another's event loop ({@link SessionWarmup}): it neither logs nor owns the loop. */
    private final boolean ownsLoop;
    private final Logger log;

    public SpeakerCore(SpeakerConfig config) {
        this(config, null);
    }

    /** A speaker on its own event loop, or, given {@code shared}, a silent scratch speaker on that one's. */
    SpeakerCore(SpeakerConfig config, EventLoopGroup shared) {
        this.config = config;
        this.ownsLoop = shared == null;
        this.log = ownsLoop ? LOG : org.slf4j.helpers.NOPLogger.NOP_LOGGER;
        this.epoll = ownsLoop ? Epoll.isAvailable() : shared instanceof EpollEventLoopGroup;
        this.group = !ownsLoop ? shared : epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
        this.loop = group.next();
        Integer cluster = config.clusterId() == null ? null : toInt(config.clusterId());
        this.rib = new Rib(prefixes, config.localAs(), toInt(config.routerId()), cluster,
                () -> loop.execute(this::flush));
        this.packer = new UpdatePacker(rib);
        rib.sinkChunkFull = this::handOverToSinks;
    }

    /**
     * Warms the decoder, the RIB and the session path up (before any peer: see
     * {@link DecoderWarmup}, {@link SessionWarmup}), then binds the listening socket (when a port
     * is configured).
     */
    public void start() throws InterruptedException {
        call(() -> {
            DecoderWarmup.run(WARMUP_PREFIXES);
            deferSelectionIfRestarting();
            return null;
        });
        if (WARMUP_PREFIXES > 0) {
            long t0 = System.nanoTime();
            boolean warmed = SessionWarmup.run(group);
            LOG.debug("session warm-up {} in {} ms", warmed ? "done" : "gave up", (System.nanoTime() - t0) / 1_000_000);
        }
        if (config.port() == 0) {
            return;
        }
        listen(config.listenAddress() == null ? new InetSocketAddress(config.port())
                : new InetSocketAddress(config.listenAddress(), config.port()));
    }

    /** Binds a listening socket at {@code bind}; returns its port. */
    int listen(InetSocketAddress bind) throws InterruptedException {
        ServerBootstrap sb = new ServerBootstrap().group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel listening) {
                        if (epoll) {
                            prepareListeningSocketForGtsm(listening); // runs before bind and listen
                        }
                    }
                })
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        InetAddress from = ch.remoteAddress().getAddress();
                        PeerSession s = byAddress.get(from);
                        if (s != null && s.config.ttlSecurityHops() > 0 && !passesGtsm(ch, s)) {
                            ch.close();
                            return;
                        }
                        BgpConnection c = s == null ? null : new BgpConnection(s, false);
                        if (c == null || !s.acceptInbound(c)) {
                            log.info("refused a BGP connection from {}: {}", from.getHostAddress(),
                                    s == null ? "not a configured peer" : "session stopped or over its prefix limit");
                            ch.close();
                            return;
                        }
                        int hops = s.config.ttlSecurityHops();
                        if (hops > 0) { // from now on the kernel drops what came from further away
                            boolean v6 = isV6(from);
                            ch.config().setOption(v6 ? IPV6_UNICAST_HOPS : IP_TTL, 255);
                            ch.config().setOption(v6 ? IPV6_MINHOPCOUNT : IP_MINTTL, 256 - hops);
                        }
                        ch.pipeline().addLast(c);
                    }
                });
        ChannelFuture f = sb.bind(bind).await();
        if (!f.isSuccess()) {
            if (ownsLoop) {
                group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            }
            throw new IllegalStateException("cannot listen for BGP on " + bind + ": " + f.cause().getMessage()
                    + " (another BGP daemon on the port? set a different port)", f.cause());
        }
        server = f.channel();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /**
     * GTSM on a listening socket shared with peers that do not use it. A minimum TTL there would
     * shut those peers out, and one set on the accepted socket comes too late: the kernel has
     * already taken the handshake and whatever the peer sent before {@link #passesGtsm} ran
     * (seen against BIRD without {@code ttl security}: its OPEN got in with TTL 1 and BIRD went
     * Established while Weft, dropping the rest, sat in OpenConfirm). So the listening socket
     * keeps each SYN and the accepted connection is judged by its SYN's TTL. SYN-ACKs leave with
     * TTL 255 from here, as a GTSM peer's check wants; harmless for the others.
     */
    private static void prepareListeningSocketForGtsm(Channel listening) {
        // the socket may be dual-stack: both TTLs
        for (IntegerUnixChannelOption option : new IntegerUnixChannelOption[] {IP_TTL, IPV6_UNICAST_HOPS, TCP_SAVE_SYN}) {
            try {
                listening.config().setOption(option, option == TCP_SAVE_SYN ? 1 : 255);
            } catch (RuntimeException e) {
                LOG.debug("listening socket: {} not set: {}", option.name(), e.toString());
            }
        }
    }

    /** Whether the SYN of an accepted connection came from at most the peer's GTSM hop count away. */
    private static boolean passesGtsm(SocketChannel ch, PeerSession s) {
        int needed = 256 - s.config.ttlSecurityHops();
        int ttl;
        try {
            ttl = synTtl(ch.config().getOption(TCP_SAVED_SYN));
        } catch (RuntimeException e) {
            ttl = -1;
        }
        if (ttl >= needed) {
            return true;
        }
        String why = ttl < 0
                ? "GTSM: no saved SYN to check the TTL of (kernel without TCP_SAVE_SYN?); connection refused"
                : "GTSM: connection refused, its SYN arrived with TTL " + ttl + " but " + s.config.ttlSecurityHops()
                        + " hop(s) allow no less than " + needed
                        + " (is the peer sending with TTL 255, e.g. BIRD 'ttl security on', and that close?)";
        LOG.info("peer {}: {}", s.name(), why);
        s.inboundRefused(why);
        return false;
    }

    /** TTL (IPv4) or hop limit (IPv6) of a saved SYN's network header, or -1 when there is none. */
    static int synTtl(java.nio.ByteBuffer syn) {
        if (syn == null || syn.remaining() < 40) {
            return -1;
        }
        int version = (syn.get(syn.position()) & 0xFF) >>> 4;
        return version == 4 ? syn.get(syn.position() + 8) & 0xFF
                : version == 6 ? syn.get(syn.position() + 7) & 0xFF : -1;
    }

    EventLoop loop() {
        return loop;
    }

    ChannelFuture connect(PeerSession s, BgpConnection c) {
        Bootstrap b = new Bootstrap().group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(c);
        if (s.config.password() != null) {
            b.option(EpollChannelOption.TCP_MD5SIG, Map.of(s.config.address(), md5Key(s.config)));
        }
        if (s.config.ttlSecurityHops() > 0) {
            boolean v6 = isV6(s.config.address());
            b.option(v6 ? IPV6_UNICAST_HOPS : IP_TTL, 255);
            b.option(v6 ? IPV6_MINHOPCOUNT : IP_MINTTL, 256 - s.config.ttlSecurityHops());
        }
        return s.config.sourceAddress() == null ? b.connect(s.remote())
                : b.connect(s.remote(), new InetSocketAddress(s.config.sourceAddress(), 0));
    }

    private static byte[] md5Key(PeerConfig p) {
        return p.password().getBytes(StandardCharsets.UTF_8);
    }

    /** The listening socket's MD5 keys: one per peer with a password (the kernel matches by address). */
    private void updateServerKeys() {
        if (server == null) {
            return;
        }
        Map<InetAddress, byte[]> keys = new HashMap<>();
        for (PeerSession s : byName.values()) {
            if (s.config.password() != null) {
                keys.put(s.config.address(), md5Key(s.config));
            }
        }
        if (!keys.isEmpty() || epoll) {
            server.config().setOption(EpollChannelOption.TCP_MD5SIG, keys);
        }
    }

    // ------------------------------------------------------------ public operations (any thread)

    public void addPeer(PeerConfig peer) {
        if ((peer.password() != null || peer.ttlSecurityHops() > 0) && !epoll) {
            throw new IllegalStateException("peer " + peer.name()
                    + ": TCP MD5 and TTL security need Netty's epoll transport, which is not available on this host");
        }
        call(() -> {
            if (byName.containsKey(peer.name())) {
                throw new IllegalArgumentException("peer " + peer.name() + " already exists; remove it first");
            }
            if (byAddress.containsKey(peer.address())) {
                throw new IllegalArgumentException("peer " + peer.name() + ": address " + peer.address().getHostAddress()
                        + " is already used by peer " + byAddress.get(peer.address()).name());
            }
            PeerSession s = new PeerSession(this, peer, rib.addPeer(peer.name()));
            byName.put(peer.name(), s);
            byAddress.put(peer.address(), s);
            updateServerKeys();
            s.start();
            return null;
        });
    }

    public boolean removePeer(String name) {
        return call(() -> {
            PeerSession s = byName.remove(name);
            if (s == null) {
                return false;
            }
            byAddress.remove(s.config.address());
            s.stop(3, false);
            rib.removePeer(s.ribPeer);
            updateServerKeys();
            checkSelectionDeferral(); // the peer we were waiting for may be this one
            return true;
        });
    }

    // ---------------------------------------------------------------- selection deferral

    /**
     * RFC 4724 4.2, as restarting speaker: peers keep our routes (stale) while we come back, so
     * we neither advertise nor hand routes to the sinks (the kernel) until every peer has sent
     * its table and End-of-RIB. Advertising earlier would send peers a partial table (their stale
     * copies of the rest are then dropped at our End-of-RIB), and giving the agent a partial
     * table would take routes out of the kernel that the peers are about to send again.
     */
    private boolean selectionDeferred;
    private ScheduledFuture<?> deferralTimer;

    private void deferSelectionIfRestarting() {
        if (!config.restarting() || config.gracefulRestartTime() == null) {
            return;
        }
        // peers drop our stale routes when our restart time runs out: finish well before that
        long millis = Math.max(1, config.gracefulRestartTime().toMillis() / 2);
        selectionDeferred = true;
        deferralTimer = loop.schedule(() -> completeSelection("the selection deferral timer (" + millis
                + " ms, half the restart time) ran out"), millis, TimeUnit.MILLISECONDS);
        LOG.info("restarting: route selection deferred until every peer sends End-of-RIB, at most {} ms", millis);
    }

    boolean selectionDeferred() {
        return selectionDeferred;
    }

    /** Ends the deferral once every peer that is up has sent its whole table and the rest are known down. */
    void checkSelectionDeferral() {
        if (!selectionDeferred) {
            return;
        }
        for (PeerSession s : byName.values()) {
            if (!s.selectionInputReady()) {
                return;
            }
        }
        completeSelection("every peer sent End-of-RIB");
    }

    private void completeSelection(String why) {
        if (!selectionDeferred) {
            return;
        }
        selectionDeferred = false;
        if (deferralTimer != null) {
            deferralTimer.cancel(false);
        }
        LOG.info("restarting: route selection done ({}); advertising to {} peer(s)", why,
                byName.values().stream().filter(s -> s.active() != null && s.ribPeer.established).count());
        for (PeerSession s : byName.values()) {
            if (s.active() != null && s.ribPeer.established) {
                rib.scheduleFullExport(s.ribPeer);
            }
        }
        if (!sinks.isEmpty()) {
            RouteUpdate table = fullTable();
            for (RouteSink sink : sinks) {
                sink.accept(table);
            }
        }
        rib.sinkDirty.clear();
        rib.requestFlush();
    }

    public List<PeerStatus> peers() {
        return call(() -> byName.values().stream().map(PeerSession::status).toList());
    }

    public void refresh(String name) {
        call(() -> {
            PeerSession s = byName.get(name);
            if (s == null) {
                throw new IllegalArgumentException("no peer named " + name);
            }
            s.sendRouteRefresh();
            return null;
        });
    }

    /** Originates a route from this speaker (ORIGIN IGP, empty AS path, next hop self) carrying {@code communities}. */
    public void originate(Cidr prefix, List<Community> communities) {
        call(() -> {
            rib.announce(rib.peers[Rib.LOCAL], prefixes.key(prefix), localAttributes(communities));
            return null;
        });
    }

    public void withdraw(Cidr prefix) {
        call(() -> {
            rib.withdraw(rib.peers[Rib.LOCAL], prefixes.key(prefix));
            return null;
        });
    }

    /** Applies a route source's update: upserts originate, withdrawals withdraw, a full table replaces. */
    public void apply(RouteUpdate update) {
        call(() -> {
            RibPeer local = rib.peers[Rib.LOCAL];
            Set<Long> keep = new java.util.HashSet<>();
            Map<String, PathAttributes> byCommunities = new HashMap<>();
            for (Route r : update.upserts()) {
                long k = prefixes.key(r.destination());
                keep.add(k);
                String communities = r.attributes().getOrDefault(COMMUNITIES_ATTRIBUTE, "");
                PathAttributes attrs = byCommunities.get(communities);
                if (attrs == null) {
                    try {
                        attrs = localAttributes(Community.parseList(communities));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("route " + r.destination() + " from " + update.origin()
                                + ": attribute " + COMMUNITIES_ATTRIBUTE + ": " + e.getMessage(), e);
                    }
                    byCommunities.put(communities, attrs);
                }
                rib.announce(local, k, attrs);
            }
            for (Cidr c : update.withdrawals()) {
                rib.withdraw(local, prefixes.key(c));
            }
            if (update.fullTable()) {
                LongList all = local.adjRibIn.keys();
                for (int i = 0; i < all.size(); i++) {
                    if (!keep.contains(all.get(i))) {
                        rib.withdraw(local, all.get(i));
                    }
                }
            }
            return null;
        });
    }

    private PathAttributes localAttributes(List<Community> communities) {
        PathAttributes.Builder b = new PathAttributes.Builder();
        b.origin = 0;
        b.communities = standardValues(communities);
        b.largeCommunities = largeTriples(communities);
        return rib.interner.intern(b.build());
    }

    public int routeCount() {
        return call(() -> rib.locRib.size());
    }

    /**
     * The Loc-RIB as routes: ECMP next hops, and AS path, origin, preference, peer as attributes
     * ({@code stale=true} while the path is kept through its peer's graceful restart).
     */
    public List<Route> routes() {
        return call(() -> {
            List<Route> out = new ArrayList<>(rib.locRib.size());
            LongList keys = rib.locRib.keys();
            for (int i = 0; i < keys.size(); i++) {
                out.add(route(keys.get(i)));
            }
            out.sort((a, b) -> a.destination().compareTo(b.destination()));
            return out;
        });
    }

    private Route route(long key) {
        List<RibPeer> paths = rib.multipath(key);
        if (paths.isEmpty()) {
            return null;
        }
        PathAttributes best = (PathAttributes) rib.locRib.get(key);
        RibPeer first = paths.get(0);
        boolean stale = first.isStale(key);
        if (paths.size() == 1 && first == lastFirst && best == lastBest && stale == lastStale) {
            return new Route(prefixes.cidr(key), lastForm.nextHops(), lastForm.attributes());
        }
        List<PathAttributes> each;
        if (paths.size() == 1) {
            each = List.of(best);
        } else {
            each = new ArrayList<>(paths.size());
            for (RibPeer p : paths) {
                each.add(p.candidate(key));
            }
        }
        RouteShape shape = new RouteShape(first, best, each, stale);
        SinkForm form = sinkForms.get(shape);
        if (form == null) {
            if (sinkForms.size() >= SINK_FORMS_LIMIT) {
                sinkForms.clear();
            }
            form = sinkForm(shape);
            sinkForms.put(shape, form);
        }
        if (paths.size() == 1) {
            lastFirst = first;
            lastBest = best;
            lastStale = stale;
            lastForm = form;
        }
        return new Route(prefixes.cidr(key), form.nextHops(), form.attributes());
    }

    /*
     * The last single-path shape and its form: a table load is long runs of prefixes sharing one
     * path, and hashing a shape per prefix (its attributes and list) was a tenth of the hand-over.
     * A form depends on its shape only, so it cannot go stale.
     */
    private RibPeer lastFirst;
    private PathAttributes lastBest;
    private boolean lastStale;
    private SinkForm lastForm;

    /**
     * What a learned route looks like to a route sink apart from its prefix: the same for every
     * prefix with the same paths. Attribute sets are interned, so a table of a million prefixes
     * has a handful of these; each is built once (next hops, the attribute map with the AS path
     * as text) instead of once per prefix, which was most of the hand-over to the agent.
     */
    private record RouteShape(RibPeer first, PathAttributes best, List<PathAttributes> paths, boolean stale) {
    }

    private record SinkForm(List<NextHop> nextHops, Map<String, String> attributes) {
    }

    private static final int SINK_FORMS_LIMIT = 4096;
    private final Map<RouteShape, SinkForm> sinkForms = new HashMap<>();

    private SinkForm sinkForm(RouteShape shape) {
        PathAttributes best = shape.best();
        Set<NextHop> hops = new LinkedHashSet<>();
        for (PathAttributes a : shape.paths()) {
            if (a.nextHop != null) {
                hops.add(new NextHop(address(a.nextHop), null));
            }
        }
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("from", rib.peers[Rib.LOCAL] == shape.first() ? "local" : shape.first().name);
        attrs.put("as_path", best.asPathText());
        attrs.put("origin", best.originText());
        attrs.put("local_pref", String.valueOf(Rib.localPref(best)));
        if (best.med >= 0) {
            attrs.put("med", String.valueOf(best.med));
        }
        if (best.communities != null) {
            StringBuilder sb = new StringBuilder();
            for (int c : best.communities) {
                sb.append(sb.length() > 0 ? " " : "").append(c >>> 16).append(':').append(c & 0xFFFF);
            }
            attrs.put("communities", sb.toString());
        }
        if (best.largeCommunities != null) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i + 2 < best.largeCommunities.length; i += 3) {
                sb.append(sb.length() > 0 ? " " : "").append(Integer.toUnsignedLong(best.largeCommunities[i])).append(':')
                        .append(Integer.toUnsignedLong(best.largeCommunities[i + 1])).append(':')
                        .append(Integer.toUnsignedLong(best.largeCommunities[i + 2]));
            }
            attrs.put("large_communities", sb.toString());
        }
        if (best.hasOriginatorId) {
            attrs.put("originator_id", PeerSession.ipv4(best.originatorId));
        }
        if (best.clusterList != null) {
            StringBuilder sb = new StringBuilder();
            for (int c : best.clusterList) {
                sb.append(sb.length() > 0 ? " " : "").append(PeerSession.ipv4(c));
            }
            attrs.put("cluster_list", sb.toString());
        }
        if (shape.stale()) {
            attrs.put("stale", "true");
        }
        // immutable copies (List.copyOf, Map.copyOf): Route keeps such as they are, so every prefix shares them
        return new SinkForm(List.copyOf(hops), Map.copyOf(attrs));
    }

    private static InetAddress address(byte[] nextHop) {
        try {
            return InetAddress.getByAddress(nextHop.length == 32 ? java.util.Arrays.copyOf(nextHop, 16) : nextHop);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    public AutoCloseable addSink(RouteSink sink) {
        call(() -> {
            sinks.add(sink);
            rib.sinkWanted = true;
            if (!selectionDeferred) { // else the sink gets the table when selection is done
                sink.accept(fullTable());
            }
            return null;
        });
        return () -> call(() -> {
            sinks.remove(sink);
            rib.sinkWanted = !sinks.isEmpty();
            return null;
        });
    }

    /** Every learned best path, as a full-table update for a route sink. */
    private RouteUpdate fullTable() {
        List<Route> all = new ArrayList<>();
        LongList keys = rib.locRib.keys();
        for (int i = 0; i < keys.size(); i++) {
            Route r = route(keys.get(i));
            if (r != null && rib.locRib.getInt(keys.get(i), 0) != Rib.LOCAL) {
                all.add(r);
            }
        }
        return new RouteUpdate("bgp", true, all, List.of());
    }

    /** Memory and table figures for benchmarks and status. */
    public Map<String, Integer> stats() {
        return call(rib::stats);
    }

    // ------------------------------------------------------------ event-loop side

    private void flush() {
        rib.flushed();
        if (selectionDeferred) { // everything goes out as full tables when selection is done
            rib.sinkDirty.clear();
            return;
        }
        List<RibPeer> synced = null;
        for (PeerSession s : byName.values()) {
            BgpConnection c = s.active();
            RibPeer p = s.ribPeer;
            if (c != null && p.established && !p.isFollower()) {
                packer.flush(p, p.followers.isEmpty() ? output(c) : groupOutput(p), c.maxMessage, c.as4);
                if (p.exportSignature != null && !p.endOfRibPending) {
                    if (synced == null) {
                        synced = new ArrayList<>();
                    }
                    synced.add(p);
                }
            }
        }
        if (synced != null && synced.size() > 1) {
            formGroups(synced);
        }
        handOverToSinks();
    }

    /**
     * Gives the sinks the prefixes changed so far (event loop): at the end of every flush and
     * whenever {@link Rib#SINK_CHUNK} have gathered. During a selection deferral they get a full
     * table when it ends instead.
     */
    private void handOverToSinks() {
        if (!selectionDeferred && !sinks.isEmpty() && !rib.sinkDirty.isEmpty()) {
            notifySinks();
        }
        rib.sinkDirty.clear();
    }

    /** Prefixes already in the update being built (a prefix may change twice before a hand-over). */
    private final PrefixTable sinkSeen = new PrefixTable(2 * Rib.SINK_CHUNK, false);

    private void notifySinks() {
        LongList dirty = rib.sinkDirty;
        List<Route> upserts = new ArrayList<>(dirty.size());
        List<Cidr> withdrawals = new ArrayList<>();
        for (int i = 0; i < dirty.size(); i++) {
            long k = dirty.get(i);
            if (sinkSeen.put(k, Boolean.TRUE) != null) {
                continue;
            }
            int slot = rib.locRib.getInt(k, -1);
            if (slot < 0 || slot == Rib.LOCAL) {
                withdrawals.add(prefixes.cidr(k));
            } else {
                upserts.add(route(k));
            }
        }
        sinkSeen.clear();
        RouteUpdate u = new RouteUpdate("bgp", false, upserts, withdrawals);
        for (RouteSink s : sinks) {
            try {
                s.accept(u);
            } catch (RuntimeException e) {
                LOG.error("route sink {} failed", s, e);
            }
        }
    }

    /**
     * Peers that have just been flushed are all in sync with the Loc-RIB; those with equal export
     * rules join one update group, so a reflector computes and encodes each UPDATE once for all
     * its clients (what FRR calls update groups).
     */
    private void formGroups(List<RibPeer> synced) {
        Map<String, RibPeer> leaders = new HashMap<>();
        for (RibPeer p : synced) {
            if (!p.followers.isEmpty()) {
                leaders.putIfAbsent(p.exportSignature, p);
            }
        }
        for (RibPeer p : synced) {
            RibPeer leader = leaders.putIfAbsent(p.exportSignature, p);
            if (leader != null && leader != p && p.followers.isEmpty() && !p.isFollower()) {
                p.follow(leader);
            }
        }
    }

    /** Writes each buffer to the leader and every follower (shared, reference-counted). */
    private static UpdatePacker.Output groupOutput(RibPeer leader) {
        List<BgpConnection> members = new ArrayList<>(leader.followers.size() + 1);
        members.add(((PeerSession) leader.session).active());
        for (RibPeer f : leader.followers) {
            BgpConnection c = ((PeerSession) f.session).active();
            if (c != null) {
                members.add(c);
            }
        }
        return new UpdatePacker.Output() {
            @Override
            public ByteBufAllocator alloc() {
                return members.get(0).ctx.alloc();
            }

            @Override
            public void write(ByteBuf messages) {
                for (BgpConnection c : members) {
                    c.ctx.write(messages.retainedDuplicate(), c.ctx.voidPromise());
                }
                messages.release();
            }

            @Override
            public void flush() {
                for (BgpConnection c : members) {
                    c.ctx.flush();
                }
            }
        };
    }

    private static UpdatePacker.Output output(BgpConnection c) {
        return new UpdatePacker.Output() {
            @Override
            public ByteBufAllocator alloc() {
                return c.ctx.alloc();
            }

            @Override
            public void write(ByteBuf messages) {
                c.ctx.write(messages, c.ctx.voidPromise());
            }

            @Override
            public void flush() {
                c.ctx.flush();
            }
        };
    }

    RoutePolicyHook hook(RouteFilter filter) {
        return filter == null ? null : new CompiledRouteFilter(filter, prefixes);
    }

    /** The standard communities of {@code all} as wire values, or null when there are none. */
    static int[] standardValues(List<Community> all) {
        int[] out = all.stream().filter(c -> !c.large()).mapToInt(Community::standardValue).toArray();
        return out.length == 0 ? null : out;
    }

    /** The large communities of {@code all} as triples, or null when there are none. */
    static int[] largeTriples(List<Community> all) {
        int[] out = all.stream().filter(Community::large)
                .flatMapToInt(c -> java.util.stream.IntStream.of((int) c.global(), (int) c.local1(), (int) c.local2()))
                .toArray();
        return out.length == 0 ? null : out;
    }

    <T> T call(Callable<T> task) {
        if (loop.inEventLoop()) {
            try {
                return task.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        try {
            return loop.submit(task).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the BGP event loop did not answer in 30 s", e);
        }
    }

    /** Ends every session with Cease (administrative shutdown) and releases the sockets. */
    @Override
    public void close() {
        stopAll(false);
    }

    /** Drops every connection without a NOTIFICATION, as a crash would: peers start graceful restart. */
    public void abort() {
        stopAll(true);
    }

    /** Ends a scratch speaker's sessions and socket; the event loop stays its owner's. */
    void stopScratch() {
        try {
            call(() -> {
                for (PeerSession s : byName.values()) {
                    s.stop(2, false); // Cease: the other side keeps nothing as stale
                }
                if (server != null) {
                    server.close();
                }
                return null;
            });
        } catch (RuntimeException e) {
            log.debug("stopping a scratch speaker: {}", e.toString());
        }
    }

    Logger log() {
        return log;
    }

    private void stopAll(boolean silently) {
        try {
            call(() -> {
                for (PeerSession s : byName.values()) {
                    s.stop(2, silently);
                }
                if (server != null) {
                    server.close();
                }
                return null;
            });
            Thread.sleep(100); // let the NOTIFICATIONs leave
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("stopping the BGP speaker: {}", e.toString());
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    static int toInt(InetAddress a) {
        byte[] b = a.getAddress();
        return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }

    static boolean isV6(InetAddress a) {
        return a instanceof Inet6Address;
    }
}
