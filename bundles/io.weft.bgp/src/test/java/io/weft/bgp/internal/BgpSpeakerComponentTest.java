package io.weft.bgp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.weft.api.bgp.BgpNodeStatus;
import io.weft.api.bgp.BgpSession;
import io.weft.api.datastore.Datastore;
import io.weft.api.datastore.KeyValue;
import io.weft.api.net.Cidr;
import io.weft.api.routing.Route;
import io.weft.api.routing.RouteSink;
import io.weft.api.routing.RouteSource;
import io.weft.api.routing.RouteUpdate;
import io.weft.bgp.PeerConfig;
import io.weft.bgp.PeerState;
import io.weft.datastore.memory.MemoryDatastore;

/**
 * The DS component as a plain object: configuration, route sources and sinks, bad input, and the
 * BGP status it publishes into a real (in-memory) datastore.
 */
class BgpSpeakerComponentTest {

    static BgpSpeakerComponent.Config config(String routerId, String... peers) {
        return config(routerId, 10, peers);
    }

    static BgpSpeakerComponent.Config config(String routerId, int statusRefreshSeconds, String... peers) {
        return new BgpSpeakerComponent.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return BgpSpeakerComponent.Config.class;
            }

            @Override
            public String routerId() {
                return routerId;
            }

            @Override
            public long asNumber() {
                return 64512;
            }

            @Override
            public int port() {
                return 0; // accept nothing: the unit test needs no socket
            }

            @Override
            public String listenAddress() {
                return "";
            }

            @Override
            public String clusterId() {
                return "";
            }

            @Override
            public int gracefulRestartSeconds() {
                return 120;
            }

            @Override
            public int holdTimeSeconds() {
                return 90;
            }

            @Override
            public String[] peers() {
                return peers;
            }

            @Override
            public String nodeName() {
                return "node-under-test";
            }

            @Override
            public int statusRefreshSeconds() {
                return statusRefreshSeconds;
            }
        };
    }

    @Test
    void routeSourcesOriginateAndUnbindingWithdraws() throws Exception {
        BgpSpeakerComponent c = new BgpSpeakerComponent(config("192.0.2.1", "Global_192.0.2.9 192.0.2.9 65009 passive"));
        try {
            assertEquals(PeerState.ACTIVE, c.speaker().peer("Global_192.0.2.9").orElseThrow().state());
            RouteSource agent = new RouteSource() {
                @Override
                public String name() {
                    return "agent";
                }

                @Override
                public AutoCloseable subscribe(RouteSink sink) {
                    sink.accept(new RouteUpdate("agent", true,
                            List.of(new Route(Cidr.parse("10.244.7.0/26"), null, null)), List.of()));
                    return () -> sink.accept(new RouteUpdate("agent", true, List.of(), List.of()));
                }
            };
            c.bindSource(agent);
            assertEquals(List.of(Cidr.parse("10.244.7.0/26")), c.speaker().routes().stream().map(Route::destination).toList());
            List<RouteUpdate> seen = new ArrayList<>();
            c.bindSink(seen::add);
            // the component starts as a restarting speaker: the kernel's routes wait for the peers' tables
            assertTrue(seen.isEmpty(), "nothing for the sink before the configured peer sent its table: " + seen);
            c.speaker().removePeer("Global_192.0.2.9"); // the peer waited for is gone: selection completes
            assertEquals(1, seen.size());
            assertTrue(seen.get(0).fullTable() && seen.get(0).upserts().isEmpty(), "own routes are not handed back as learned");
            c.unbindSource(agent);
            assertEquals(0, c.speaker().routeCount());
        } finally {
            c.deactivate();
        }
    }

    @Test
    void statusIsPublishedOnALeaseAndMovesWithTheDatastore() throws Exception {
        try (MemoryDatastore first = new MemoryDatastore(); MemoryDatastore second = new MemoryDatastore()) {
            BgpSpeakerComponent c = new BgpSpeakerComponent(config("192.0.2.1", "Global_192.0.2.9 192.0.2.9 65009 passive",
                    "Mesh_2001:db8::7 2001:db8::7 64512 passive"));
            String key = BgpNodeStatus.KEY_PREFIX + "node-under-test";
            try {
                c.bindDatastore(first);
                BgpNodeStatus s = awaitPublished(first, key);
                assertEquals("192.0.2.1", s.routerId());
                assertEquals(64512, s.asNumber());
                assertEquals(List.of("Global_192.0.2.9", "Mesh_2001:db8::7"), s.peers().stream().map(BgpNodeStatus.Peer::name).toList());
                BgpNodeStatus.Peer mesh = s.peers().get(1);
                assertEquals(new BgpNodeStatus.Peer("Mesh_2001:db8::7", "2001:db8::7", BgpSession.Kind.MESH, 64512, "Active",
                        mesh.since(), "", 0, 0, 0, 0, ""), mesh);
                assertEquals(BgpSession.Kind.GLOBAL, s.peers().get(0).type());
                assertTrue(first.get(key).orElseThrow().leaseId() != Datastore.NO_LEASE);

                c.bindDatastore(second); // a swapped datastore: the status moves, the old entry goes with its lease
                c.unbindDatastore(first);
                awaitPublished(second, key);
                assertEquals(Optional.empty(), first.get(key));
            } finally {
                c.deactivate();
            }
            assertEquals(Optional.empty(), second.get(key), "a stopped speaker withdraws its status");
        }
    }

    @Test
    void countsAloneWaitForTheRefreshSessionChangesDoNot() throws Exception {
        try (MemoryDatastore store = new MemoryDatastore()) {
            BgpSpeakerComponent.StatusPublisher publisher = new BgpSpeakerComponent.StatusPublisher("n1", Duration.ofHours(1));
            BgpNodeStatus.Peer active = new BgpNodeStatus.Peer("Global_192.0.2.9", "192.0.2.9", BgpSession.Kind.GLOBAL,
                    65009, "Established", Instant.parse("2026-05-01T04:01:17Z"), "192.0.2.9", 90, 5, 5, 1, "");
            publisher.publish(store, status(active));
            long first = store.get("/weft/runtime/bgp/n1").orElseThrow().modRevision();
            Thread.sleep(BgpSpeakerComponent.StatusPublisher.MIN_INTERVAL.toMillis() + 100);
            publisher.publish(store, status(withCounts(active, 900)));
            assertEquals(first, store.get("/weft/runtime/bgp/n1").orElseThrow().modRevision(),
                    "prefix counts alone wait for statusRefreshSeconds");
            BgpNodeStatus.Peer down = new BgpNodeStatus.Peer("Global_192.0.2.9", "192.0.2.9", BgpSession.Kind.GLOBAL,
                    65009, "Active", Instant.parse("2026-05-01T04:09:00Z"), "", 0, 0, 0, 0,
                    "received NOTIFICATION Hold timer expired");
            publisher.publish(store, status(down));
            BgpNodeStatus stored = BgpNodeStatus.decode(store.get("/weft/runtime/bgp/n1").orElseThrow().value());
            assertEquals(List.of(down), stored.peers(), "a session change is written at once");

            store.revokeLease(store.get("/weft/runtime/bgp/n1").orElseThrow().leaseId()); // as if it expired
            publisher.keepAlive();
            publisher.publish(store, status(down));
            assertEquals(List.of(down), BgpNodeStatus.decode(store.get("/weft/runtime/bgp/n1").orElseThrow().value()).peers(),
                    "a lost lease is granted again and the status written again");
        }
    }

    private static BgpNodeStatus status(BgpNodeStatus.Peer... peers) {
        return new BgpNodeStatus("n1", "192.0.2.1", 64512, List.of(peers), null);
    }

    private static BgpNodeStatus.Peer withCounts(BgpNodeStatus.Peer p, int received) {
        return new BgpNodeStatus.Peer(p.name(), p.address(), p.type(), p.peerAs(), p.state(), p.since(), p.peerRouterId(),
                p.holdTime(), received, received, p.advertised(), p.lastError());
    }

    private static BgpNodeStatus awaitPublished(Datastore store, String key) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < end) {
            Optional<KeyValue> kv = store.get(key);
            if (kv.isPresent()) {
                return BgpNodeStatus.decode(kv.get().value());
            }
            Thread.sleep(50);
        }
        throw new AssertionError("nothing published at " + key + " within 30 s");
    }

    @Test
    void peerTypesAndErrorsAsTheStatusTableShowsThem() {
        assertEquals(BgpSession.Kind.MESH, BgpSpeakerComponent.kindOfConfiguredPeer("Mesh_10.0.0.2"));
        assertEquals(BgpSession.Kind.NODE, BgpSpeakerComponent.kindOfConfiguredPeer("Node_10.0.0.3"));
        assertEquals(BgpSession.Kind.GLOBAL, BgpSpeakerComponent.kindOfConfiguredPeer("Global_10.0.0.4"));
        assertEquals(BgpSession.Kind.GLOBAL, BgpSpeakerComponent.kindOfConfiguredPeer("tor-switch"));
        assertEquals("connect to 10.226.2.2:179 failed: Connection refused", BgpSpeakerComponent.operatorWording(
                "connect to 10.226.2.2:179 failed: finishConnect(..) failed: Connection refused: /10.226.2.2:179"));
        assertEquals("connect to fd00::2:179 failed: Connection refused", BgpSpeakerComponent.operatorWording(
                "connect to fd00::2:179 failed: finishConnect(..) failed: Connection refused: /fd00:0:0:0:0:0:0:2:179"));
        assertEquals("received NOTIFICATION Cease: administrative shutdown",
                BgpSpeakerComponent.operatorWording("received NOTIFICATION Cease: administrative shutdown"));
    }

    @Test
    void badConfigurationNamesTheFieldAndTheFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BgpSpeakerComponent(config("")));
        assertEquals("io.weft.bgp: routerId is required (the node's IPv4 address)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new BgpSpeakerComponent(config("192.0.2.1", 0)));
        assertEquals("io.weft.bgp: statusRefreshSeconds 0 must be at least 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BgpSpeakerComponent.parsePeer("Global_x 10.0.0.2"));
        assertTrue(e.getMessage().contains("needs at least NAME ADDRESS AS"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BgpSpeakerComponent.parsePeer("p 10.0.0.2 sixty"));
        assertEquals("io.weft.bgp: peer 'p 10.0.0.2 sixty': AS 'sixty' is not a number", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BgpSpeakerComponent.parsePeer("p 10.0.0.2 65000 fast"));
        assertTrue(e.getMessage().contains("unknown option 'fast'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PeerConfig.of("p", Cidr.parseAddress("10.0.0.2"), 0));
        assertEquals("peer p: peerAs 0 is out of range 1-4294967295", e.getMessage());
        PeerConfig ok = BgpSpeakerComponent.parsePeer("Node_10.0.0.3 10.0.0.3 64512 rr-client next-hop-self");
        assertTrue(ok.routeReflectorClient() && ok.nextHopSelf());
        PeerConfig tagged = BgpSpeakerComponent.parsePeer(
                "Global_10.0.0.4 10.0.0.4 65004 export-community=65000:100 export-community=65000:1:2");
        assertEquals("[65000:100, 65000:1:2]", tagged.exportCommunities().toString());
        e = assertThrows(IllegalArgumentException.class,
                () -> BgpSpeakerComponent.parsePeer("p 10.0.0.2 65000 export-community=70000:1"));
        assertTrue(e.getMessage().startsWith("io.weft.bgp: peer 'p 10.0.0.2 65000 export-community=70000:1': "
                + "community 70000:1: ASN part must be 0-65535"), e.getMessage());
    }
}
