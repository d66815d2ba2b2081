package io.weft.bgp.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.EventLoopGroup;
import io.weft.api.net.Cidr;
import io.weft.api.routing.Route;
import io.weft.api.routing.RouteUpdate;
import io.weft.bgp.PeerConfig;
import io.weft.bgp.SpeakerConfig;

/**
 * One BGP session over loopback through the speaker's real pipeline, when it starts: two scratch
 * speakers on its event loop, one listening, one calling, go through the accept, OPEN and
 * KEEPALIVE, a table of UPDATEs decoded into a RIB and handed to a route sink, and its
 * withdrawal. Without it the first real peer pays for all of that running for the first time
 * (Netty's channel classes loading, the session code's first calls: about 30 ms, a third of a
 * 100,000-route table's load), a node's first peers after every start. Best effort: where
 * loopback does not work it gives up within {@link #LIMIT_MS}; nothing of it is kept, and it logs
 * nothing (the scratch speakers are silent).
 */
final class SessionWarmup {
    /**
     * Enough for the JIT's optimising compiler to take on the decoder, the RIB and the sink
     * hand-over before the first real table (many UPDATEs, many hand-overs): with ~9,000 prefixes a
     * first 100,000-prefix table took 0.078–0.085 s, with 50,000 0.055–0.077 s (paired runs; BIRD
     * 0.071–0.100 s). It costs the speaker's start well under a second of CPU, once.
     */
    static final int PREFIXES = 50_000;
    static final long LIMIT_MS = 2000;

    private SessionWarmup() {
    }

    /** Runs the session on {@code group}'s loop; call from outside it. Returns whether it completed. */
    static boolean run(EventLoopGroup group) {
        long deadline = System.nanoTime() + LIMIT_MS * 1_000_000;
        InetAddress listening = InetAddress.getLoopbackAddress();
        InetAddress calling;
        try {
            calling = InetAddress.getByAddress(new byte[] {127, 0, 0, 2});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        if (!(listening instanceof java.net.Inet4Address)) {
            return false;
        }
        SpeakerCore server = new SpeakerCore(SpeakerConfig.of(listening, 65534).withGracefulRestart(null, false), group);
        SpeakerCore client = new SpeakerCore(SpeakerConfig.of(calling, 65533).withGracefulRestart(null, false), group);
        try {
            int port = server.listen(new InetSocketAddress(listening, 0));
            AtomicInteger handedOver = new AtomicInteger();
            server.addSink(u -> handedOver.addAndGet(u.upserts().size() + u.withdrawals().size()));
            server.addPeer(PeerConfig.of("warm-up", calling, 65533).withPassive(true).withFamilies(true, false));
            client.addPeer(PeerConfig.of("warm-up", listening, 65534).withPort(port).withSourceAddress(calling)
                    .withFamilies(true, false));
            client.apply(new RouteUpdate("warm-up", true, table(), List.of()));
            if (!await(() -> server.routeCount() == PREFIXES && handedOver.get() >= PREFIXES, client, deadline)) {
                return false;
            }
            client.apply(new RouteUpdate("warm-up", true, List.of(), List.of()));
            return await(() -> server.routeCount() == 0 && handedOver.get() >= 2 * PREFIXES, client, deadline);
        } catch (RuntimeException e) {
            SpeakerCore.LOG.debug("session warm-up failed: {}", e.toString());
            return false; // no loopback here (a namespace with lo down): the first peer pays instead
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            client.stopScratch();
            server.stopScratch();
        }
    }

    /** /24s from 198.18.0.0 (RFC 2544 benchmarking space) on. */
    private static List<Route> table() {
        List<Route> routes = new ArrayList<>(PREFIXES);
        for (int i = 0; i < PREFIXES; i++) {
            int a = (198 << 24) + (18 << 16) + (i << 8);
            try {
                routes.add(new Route(new Cidr(InetAddress.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16),
                        (byte) (a >>> 8), 0}), 24), List.of(), null));
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return routes;
    }

    /** Polls until done; false at the deadline or as soon as the calling side's connection failed. */
    private static boolean await(java.util.function.BooleanSupplier done, SpeakerCore calling, long deadline) {
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0 || calling.peers().get(0).lastError() != null) {
                return false;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
