package io.weft.bgp.internal;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;

import io.netty.buffer.ByteBuf;
import io.weft.bgp.PeerConfig;
import io.weft.bgp.PeerState;
import io.weft.bgp.PeerStatus;

/**
 * One configured neighbour: the RFC 4271 state machine over at most two connections (ours and
 * the peer's, until collision detection keeps one), connect retry, graceful restart as helper,
 * max-prefix, and the bridge from decoded UPDATEs to the RIB. Runs on the speaker's event loop.
 */
final class PeerSession {
    final SpeakerCore speaker;
    final PeerConfig config;
    final RibPeer ribPeer;
    private BgpConnection outbound;
    private BgpConnection inbound;
    private BgpConnection active;
    private PeerState state = PeerState.IDLE;
    private Instant since = Instant.now();
    private String lastError;
    private ScheduledFuture<?> retryTimer;
    private ScheduledFuture<?> staleTimer;
    private boolean connecting;
    private boolean stopped;
    private boolean overLimit;
    /** End-of-RIB received in this session, per family (for the restarting speaker's deferral). */
    private boolean endOfRib4;
    private boolean endOfRib6;
    /** A connection to or from the peer ended without a session since the speaker started. */
    private boolean attemptFailed;

    PeerSession(SpeakerCore speaker, PeerConfig config, RibPeer ribPeer) {
        this.speaker = speaker;
        this.config = config;
        this.ribPeer = ribPeer;
        ribPeer.session = this;
        this.sink = new RibUpdateSink(speaker.rib, ribPeer, this::endOfRib);
    }

    private final RibUpdateSink sink;

    String name() {
        return config.name();
    }

    Logger log() {
        return speaker.log();
    }

    long localAs() {
        return config.localAs() != 0 ? config.localAs() : speaker.config.localAs();
    }

    boolean ibgp() {
        return config.peerAs() == localAs();
    }

    OpenMessage localOpen() {
        List<Integer> families = new ArrayList<>();
        if (config.ipv4()) {
            families.add(OpenMessage.IPV4_UNICAST);
        }
        if (config.ipv6()) {
            families.add(OpenMessage.IPV6_UNICAST);
        }
        int gr = speaker.config.gracefulRestartTime() == null ? -1 : (int) speaker.config.gracefulRestartTime().toSeconds();
        return new OpenMessage(4, localAs(), (int) speaker.config.holdTime().toSeconds(), speaker.rib.routerId, true,
                families, true, true, gr, speaker.config.restarting(), speaker.config.restarting() ? families : List.of());
    }

    void start() {
        stopped = false;
        if (config.passive()) {
            setState(PeerState.ACTIVE);
        } else {
            connect();
        }
    }

    private void connect() {
        if (stopped || connecting || outbound != null || active != null) {
            return;
        }
        connecting = true;
        setState(PeerState.CONNECT);
        BgpConnection c = new BgpConnection(this, true);
        speaker.connect(this, c).addListener(f -> {
            connecting = false;
            if (f.isSuccess()) {
                outbound = c;
            } else {
                attemptFailed = true;
                speaker.checkSelectionDeferral();
                lastError = "connect to " + config.address().getHostAddress() + ":" + config.port() + " failed: "
                        + f.cause().getMessage();
                if (active == null && inbound == null) {
                    setState(PeerState.ACTIVE);
                }
                scheduleRetry();
            }
        });
    }

    private void scheduleRetry() {
        if (stopped || config.passive() || (retryTimer != null && !retryTimer.isDone())) {
            return;
        }
        retryTimer = speaker.loop().schedule(this::connect, speaker.config.connectRetry().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** An accepted connection from the peer's address. */
    boolean acceptInbound(BgpConnection c) {
        if (stopped || overLimit) {
            return false;
        }
        if (inbound != null && !inbound.closing()) {
            inbound.close(); // the peer gave up on it and is trying again
        }
        inbound = c;
        return true;
    }

    /** The peer's connection was refused before it became a session (GTSM): status says why. */
    void inboundRefused(String why) {
        lastError = why;
    }

    void connectionStateChanged(BgpConnection c) {
        refreshState();
    }

    void openReceived(BgpConnection c) throws BgpNotification {
        OpenMessage open = c.remoteOpen;
        if (open.as() != config.peerAs()) {
            long as = open.as();
            throw new BgpNotification(BgpNotification.OPEN, 2, new byte[] {(byte) (as >>> 8), (byte) as},
                    "peer says AS " + as + ", configured " + config.peerAs());
        }
        if (open.holdTime() == 1 || open.holdTime() == 2) {
            throw new BgpNotification(BgpNotification.OPEN, 6, "hold time " + open.holdTime() + " s (must be 0 or >= 3)");
        }
        if (open.bgpId() == 0 || (ibgp() && open.bgpId() == speaker.rib.routerId)) {
            throw new BgpNotification(BgpNotification.OPEN, 3, "peer's BGP identifier " + ipv4(open.bgpId())
                    + " is zero or ours");
        }
        // collision detection (RFC 4271 6.8)
        BgpConnection other = c == outbound ? inbound : outbound;
        if (other != null && !other.closing()) {
            if (other.state == PeerState.ESTABLISHED) {
                if (open.grTime() >= 0 && speaker.config.gracefulRestartTime() != null) {
                    // the peer restarted and we had not noticed: the old session is gone (RFC 4724 4.2)
                    other.close();
                } else {
                    c.notify(BgpNotification.CEASE, 7, new byte[0]);
                    return;
                }
            } else if (other.state == PeerState.OPEN_CONFIRM || other.remoteOpen != null) {
                boolean keepOurs = Integer.toUnsignedLong(speaker.rib.routerId) > Integer.toUnsignedLong(open.bgpId());
                BgpConnection loser = keepOurs ? inbound : outbound;
                loser.notify(BgpNotification.CEASE, 7, new byte[0]);
                if (loser == c) {
                    return;
                }
            }
        }
        c.confirmOpen((int) speaker.config.holdTime().toSeconds());
        refreshState();
    }

    void established(BgpConnection c) {
        active = c;
        OpenMessage open = c.remoteOpen;
        RibPeer p = ribPeer;
        p.ibgp = ibgp();
        p.routeReflectorClient = config.routeReflectorClient();
        p.localAs = localAs();
        p.peerAs = config.peerAs();
        p.remoteId = open.bgpId();
        p.remoteAddress = config.address().getAddress();
        p.as4 = open.as4();
        p.ipv4 = config.ipv4() && open.afiSafis().contains(OpenMessage.IPV4_UNICAST);
        p.ipv6 = config.ipv6() && open.afiSafis().contains(OpenMessage.IPV6_UNICAST);
        InetAddress local = c.localAddress().getAddress();
        p.localAddress4 = local instanceof Inet4Address ? local.getAddress()
                : config.ipv4NextHop() == null ? null : config.ipv4NextHop().getAddress();
        p.localAddress6 = !(local instanceof Inet4Address) ? local.getAddress()
                : config.ipv6NextHop() == null ? null : config.ipv6NextHop().getAddress();
        p.nextHopSelf = config.nextHopSelf();
        p.keepNextHop = config.keepNextHop();
        p.maxPrefixes = config.maxPrefixes();
        p.importPolicy = speaker.hook(config.importFilter());
        p.lastImported = null; // the loop-check cache belongs to the session's AS numbers
        p.exportPolicy = speaker.hook(config.exportFilter());
        p.exportCommunities = SpeakerCore.standardValues(config.exportCommunities());
        p.exportLargeCommunities = SpeakerCore.largeTriples(config.exportCommunities());
        c.maxMessage = open.extendedMessage() ? BgpConnection.MAX_EXTENDED : BgpConnection.MAX_MESSAGE;
        // peers whose exports are byte-for-byte the same may share one update group
        p.exportSignature = p.exportPolicy != null ? null
                : p.ibgp + "/" + p.routeReflectorClient + "/" + p.localAs + "/" + p.peerAs + "/" + p.nextHopSelf + "/"
                        + p.keepNextHop + "/" + java.util.Arrays.toString(p.localAddress4) + "/"
                        + java.util.Arrays.toString(p.localAddress6) + "/" + p.ipv4 + "/" + p.ipv6 + "/" + p.as4 + "/"
                        + c.maxMessage + "/" + config.exportCommunities();
        c.parser = new UpdateParser(speaker.prefixes, speaker.rib.interner, open.as4(), p.ibgp, config.peerAs());
        boolean keptStale = p.stale != null;
        if (keptStale && open.grTime() < 0) {
            speaker.rib.purgeStale(p, 0); // the peer no longer offers graceful restart
        }
        p.established = true;
        lastError = null;
        setState(PeerState.ESTABLISHED);
        log().info("peer {}: established (AS {}, id {}, hold {} s{}{})", name(), config.peerAs(), ipv4(open.bgpId()),
                c.holdSeconds, p.ipv4 ? ", ipv4" : "", p.ipv6 ? ", ipv6" : "");
        endOfRib4 = false;
        endOfRib6 = false;
        if (!speaker.selectionDeferred()) {
            speaker.rib.scheduleFullExport(p);
        }
        speaker.checkSelectionDeferral();
    }

    /**
     * Whether the restarting speaker's selection need not wait for this peer any more: it is up
     * and sent End-of-RIB for every family it negotiated (a peer that offers no graceful restart
     * may never send one; being up counts), or it is down: a connection to or from it failed
     * since the start. Waiting for a peer that is down would hold every other peer's routes back
     * for the whole deferral; as FRR does, only peers that are there are waited for.
     */
    boolean selectionInputReady() {
        if (active == null || !ribPeer.established) {
            return attemptFailed;
        }
        if (active.remoteOpen.grTime() < 0) {
            return true;
        }
        return (!ribPeer.ipv4 || endOfRib4) && (!ribPeer.ipv6 || endOfRib6);
    }

    void updateReceived(BgpConnection c, ByteBuf body) throws BgpNotification {
        UpdateParser.Outcome outcome = c.parser.parse(body, sink);
        if (outcome != UpdateParser.Outcome.OK) {
            lastError = "UPDATE " + (outcome == UpdateParser.Outcome.TREAT_AS_WITHDRAW ? "treated as withdraw" : "attribute discarded")
                    + ": " + c.parser.lastProblem();
            log().warn("peer {}: {}", name(), lastError);
        }
        if (ribPeer.maxPrefixes > 0 && ribPeer.adjRibIn.size() > ribPeer.maxPrefixes) {
            int max = ribPeer.maxPrefixes;
            overLimit = true;
            throw new BgpNotification(BgpNotification.CEASE, 1,
                    new byte[] {0, 1, 1, (byte) (max >>> 24), (byte) (max >>> 16), (byte) (max >>> 8), (byte) max},
                    "peer sent more than " + max + " prefixes");
        }
    }

    private void endOfRib(int afiSafi) {
        log().info("peer {}: End-of-RIB for {}", name(), afiSafi == OpenMessage.IPV6_UNICAST ? "IPv6" : "IPv4");
        if (afiSafi == OpenMessage.IPV6_UNICAST) {
            endOfRib6 = true;
        } else {
            endOfRib4 = true;
        }
        speaker.checkSelectionDeferral();
        if (ribPeer.stale != null) {
            speaker.rib.purgeStale(ribPeer, afiSafi);
            if (ribPeer.stale == null && staleTimer != null) {
                staleTimer.cancel(false);
            }
        }
    }

    void refreshRequested(int afiSafi) {
        if (active != null) {
            speaker.rib.scheduleFullExport(ribPeer);
            ribPeer.endOfRibPending = false;
        }
    }

    void sendRouteRefresh() {
        if (active != null && active.remoteOpen.routeRefresh()) {
            if (ribPeer.ipv4) {
                active.sendRouteRefresh(OpenMessage.IPV4_UNICAST);
            }
            if (ribPeer.ipv6) {
                active.sendRouteRefresh(OpenMessage.IPV6_UNICAST);
            }
        }
    }

    void notificationReceived(BgpConnection c, int code, int subcode) {
        lastError = "received NOTIFICATION " + BgpNotification.describe(code, subcode);
        log().warn("peer {}: {}", name(), lastError);
    }

    void notificationSent(BgpConnection c, BgpNotification n) {
        lastError = "sent NOTIFICATION " + BgpNotification.describe(n.code, n.subcode) + " (" + n.getMessage() + ")";
        log().warn("peer {}: {}", name(), lastError);
    }

    void connectionError(BgpConnection c, Throwable cause) {
        lastError = "connection error: " + cause.getMessage();
    }

    void connectionClosed(BgpConnection c) {
        attemptFailed = true; // a restarting speaker's selection need not wait for this peer while it is down
        if (c == outbound) {
            outbound = null;
        }
        if (c == inbound) {
            inbound = null;
        }
        if (c == active) {
            active = null;
            sessionDown(c);
        }
        refreshState();
        speaker.checkSelectionDeferral();
        if (overLimit) {
            // like BIRD's "receive limit ... action restart": stay down a while, then try again
            speaker.loop().schedule(() -> {
                overLimit = false;
                scheduleRetry();
            }, 30, TimeUnit.SECONDS);
            return;
        }
        scheduleRetry();
    }

    private void sessionDown(BgpConnection c) {
        RibPeer p = ribPeer;
        p.established = false;
        p.resetExport();
        OpenMessage open = c.remoteOpen;
        boolean graceful = !c.notified && !stopped && open != null && open.grTime() >= 0
                && speaker.config.gracefulRestartTime() != null;
        if (graceful) {
            int seconds = open.grTime();
            log().info("peer {}: session lost, keeping its {} routes as stale for {} s (graceful restart)", name(),
                    p.adjRibIn.size(), seconds);
            speaker.rib.markStale(p);
            if (staleTimer != null) {
                staleTimer.cancel(false);
            }
            staleTimer = speaker.loop().schedule(() -> {
                if (ribPeer.stale != null) {
                    log().info("peer {}: restart time over, dropping stale routes", name());
                    speaker.rib.purgeStale(ribPeer, 0);
                }
            }, Math.max(1, seconds), TimeUnit.SECONDS);
        } else {
            speaker.rib.dropRoutes(p);
        }
    }

    /** Stops the session: Cease with {@code subcode} (2 administrative shutdown), or silently. */
    void stop(int subcode, boolean silently) {
        stopped = true;
        if (retryTimer != null) {
            retryTimer.cancel(false);
        }
        if (staleTimer != null) {
            staleTimer.cancel(false);
        }
        for (BgpConnection c : new BgpConnection[] {outbound, inbound}) {
            if (c != null) {
                if (silently) {
                    c.close();
                } else {
                    c.notify(BgpNotification.CEASE, subcode, new byte[0]);
                }
            }
        }
    }

    private void refreshState() {
        PeerState s;
        if (active != null) {
            s = PeerState.ESTABLISHED;
        } else if (isIn(PeerState.OPEN_CONFIRM)) {
            s = PeerState.OPEN_CONFIRM;
        } else if (isIn(PeerState.OPEN_SENT)) {
            s = PeerState.OPEN_SENT;
        } else if (connecting) {
            s = PeerState.CONNECT;
        } else {
            s = stopped ? PeerState.IDLE : overLimit ? PeerState.IDLE : PeerState.ACTIVE;
        }
        setState(s);
    }

    private boolean isIn(PeerState s) {
        return (outbound != null && outbound.state == s) || (inbound != null && inbound.state == s);
    }

    private void setState(PeerState s) {
        if (s != state) {
            state = s;
            since = Instant.now();
        }
    }

    PeerStatus status() {
        int received = ribPeer.accepted() + ribPeer.rejected.size();
        return new PeerStatus(name(), config.address(), config.peerAs(), state, since,
                active == null ? null : ipv4(active.remoteOpen.bgpId()), active == null ? 0 : active.holdSeconds,
                received, ribPeer.accepted(), ribPeer.adjRibOut.size(), lastError);
    }

    BgpConnection active() {
        return active;
    }

    InetSocketAddress remote() {
        return new InetSocketAddress(config.address(), config.port());
    }

    static String ipv4(int id) {
        return (id >>> 24) + "." + ((id >>> 16) & 0xFF) + "." + ((id >>> 8) & 0xFF) + "." + (id & 0xFF);
    }
}
