package io.weft.bgp;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.weft.api.net.Cidr;
import io.weft.api.routing.Route;
import io.weft.api.routing.RouteSink;
import io.weft.api.routing.RouteSource;
import io.weft.bgp.internal.SpeakerCore;

/**
 * A running BGP speaker: sessions, RIBs, origination. Thread-safe; every call runs on the
 * speaker's own event loop.
 *
 * <pre>{@code
 * try (BgpSpeaker bgp = BgpSpeaker.start(SpeakerConfig.of(routerId, 64512))) {
 *     bgp.addPeer(PeerConfig.of("Mesh_10.0.0.2", peerAddress, 64512));
 *     bgp.originate(Cidr.parse("10.244.1.0/26"));
 * }
 * }</pre>
 */
public final class BgpSpeaker implements AutoCloseable {
    private final SpeakerCore core;

    private BgpSpeaker(SpeakerCore core) {
        this.core = core;
    }

    /** Starts the speaker and, when a port is configured, listens for peers. */
    public static BgpSpeaker start(SpeakerConfig config) throws InterruptedException {
        SpeakerCore core = new SpeakerCore(config);
        core.start();
        return new BgpSpeaker(core);
    }

    public void addPeer(PeerConfig peer) {
        core.addPeer(peer);
    }

    /** Ends the session with Cease (peer de-configured) and forgets the peer's routes. */
    public boolean removePeer(String name) {
        return core.removePeer(name);
    }

    public List<PeerStatus> peers() {
        return core.peers();
    }

    public Optional<PeerStatus> peer(String name) {
        return peers().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** Asks the peer to send its routes again (ROUTE-REFRESH, RFC 2918). */
    public void refresh(String peerName) {
        core.refresh(peerName);
    }

    public void originate(Cidr prefix) {
        core.originate(prefix, List.of());
    }

    /**
     * Originates {@code prefix} tagged with {@code communities} (standard, large, well-known: a
     * {@link Community#NO_EXPORT} route stays inside the AS). Originating it again replaces them.
     */
    public void originate(Cidr prefix, List<Community> communities) {
        core.originate(prefix, List.copyOf(communities));
    }

    public void withdraw(Cidr prefix) {
        core.withdraw(prefix);
    }

    /**
     * Advertises what {@code source} offers, for as long as the returned handle is open. A route's
     * {@code communities} attribute ("65000:100 65000:1:2 no-export") tags it.
     */
    public AutoCloseable subscribe(RouteSource source) {
        return source.subscribe(core::apply);
    }

    /** Sends learned best paths to {@code sink}: a full table at once, then deltas. */
    public AutoCloseable addSink(RouteSink sink) {
        return core.addSink(sink);
    }

    /**
     * The Loc-RIB: best paths with their ECMP next hops, sorted by prefix; a path kept through its
     * peer's graceful restart has the attribute {@code stale=true} until the peer sends it again.
     */
    public List<Route> routes() {
        return core.routes();
    }

    public int routeCount() {
        return core.routeCount();
    }

    /** Table sizes (Loc-RIB entries, distinct attribute sets). */
    public Map<String, Integer> stats() {
        return core.stats();
    }

    /** Ends every session with Cease (administrative shutdown). */
    @Override
    public void close() {
        core.close();
    }

    /** Drops every session without a NOTIFICATION, as a crash would (peers keep our routes: graceful restart). */
    public void abort() {
        core.abort();
    }
}
