package io.weft.bgp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.weft.api.net.Cidr;
import io.weft.api.routing.Route;
import io.weft.api.routing.RouteSink;
import io.weft.api.routing.RouteSource;
import io.weft.api.routing.RouteUpdate;
import io.weft.bgp.PeerConfig;
import io.weft.bgp.PeerState;

/** The DS component as a plain object: configuration, route sources and sinks, bad input. */
class BgpSpeakerComponentTest {

    static BgpSpeakerComponent.Config config(String routerId, String... peers) {
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
            assertEquals(1, seen.size());
            assertTrue(seen.get(0).fullTable() && seen.get(0).upserts().isEmpty(), "own routes are not handed back as learned");
            c.unbindSource(agent);
            assertEquals(0, c.speaker().routeCount());
        } finally {
            c.deactivate();
        }
    }

    @Test
    void badConfigurationNamesTheFieldAndTheFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BgpSpeakerComponent(config("")));
        assertEquals("io.weft.bgp: routerId is required (the node's IPv4 address)", e.getMessage());
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
