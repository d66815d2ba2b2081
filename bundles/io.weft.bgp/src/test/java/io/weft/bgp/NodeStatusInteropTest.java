package io.weft.bgp;

import static io.weft.bgp.BgpLab.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
import io.weft.bgp.internal.BgpSpeakerComponent;
import io.weft.datastore.memory.MemoryDatastore;

/**
 * The DS component publishes this node's BGP status into a real (in-memory) datastore, and keeps
 * it current as BIRD's sessions come up, go down and come back: what {@code weft node status}
 * reads. The counts are checked against BIRD's own view ({@code birdc show protocols all}).
 */
class NodeStatusInteropTest {
    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final String NODE = "status-node";
    private BgpLab lab;
    private MemoryDatastore datastore;
    private BgpSpeakerComponent component;

    @BeforeEach
    void setUp() throws Exception {
        BgpLab.assumeInstalled("bird", "bird2");
        lab = new BgpLab();
        datastore = new MemoryDatastore();
    }

    @AfterEach
    void tearDown() {
        if (component != null) {
            component.deactivate();
        }
        if (datastore != null) {
            datastore.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void statusFollowsSessionsUpDownAndBack() throws Exception {
        BgpLab.Link link = lab.link("nst", 226 * 256 + 1);
        BgpLab.Link nobody = lab.link("nsx", 226 * 256 + 2); // nothing listens there: connections are refused
        String statics = "protocol static routes4 { ipv4; route 10.99.1.0/24 blackhole; route 10.99.2.0/24 blackhole; }\n"
                + "protocol static routes6 { ipv6; route fd99:1::/48 blackhole; }\n";
        // BIRD waits for Weft to connect, so only Weft's own sessions are in play
        String v4 = BirdInteropTest.birdPeer("weft4", "10.226.1.2", 65001, "10.226.1.1", 64512, "  passive on;\n",
                "  ipv4 { import all; export where proto = \"routes4\"; };\n");
        String v6 = BirdInteropTest.birdPeer("weft6", "fd00:e201::2", 65001, "fd00:e201::1", 64512, "  passive on;\n",
                "  ipv6 { import all; export where proto = \"routes6\"; };\n");
        BgpLab.Bird bird = lab.bird(link, "status", BirdInteropTest.birdConfig("10.226.1.2", statics + v4 + v6));

        component = new BgpSpeakerComponent(config("10.226.1.1",
                "Global_10.226.1.2 10.226.1.2 65001",
                "Node_fd00:e201::2 fd00:e201::2 65001",
                "Mesh_10.226.2.2 " + nobody.nsV4().getHostAddress() + " 64512"));
        component.bindDatastore(datastore);
        component.bindSource(originating("10.244.9.0/26"));
        String key = BgpNodeStatus.KEY_PREFIX + NODE;

        // up: both BIRD sessions established with their prefixes counted, the third refused
        await(WAIT, () -> published().map(s -> peer(s, "Global_10.226.1.2").established()
                && peer(s, "Global_10.226.1.2").received() == 2 && peer(s, "Global_10.226.1.2").advertised() == 1
                && peer(s, "Node_fd00:e201::2").established() && peer(s, "Node_fd00:e201::2").received() == 1
                && peer(s, "Mesh_10.226.2.2").lastError().contains("Connection refused")).orElse(false),
                () -> "published: " + published());
        BgpNodeStatus up = published().orElseThrow();
        assertEquals(NODE, up.node());
        assertEquals("10.226.1.1", up.routerId());
        assertEquals(64512, up.asNumber());
        assertEquals(List.of("Global_10.226.1.2", "Mesh_10.226.2.2", "Node_fd00:e201::2"),
                up.peers().stream().map(BgpNodeStatus.Peer::name).toList());
        BgpNodeStatus.Peer global = peer(up, "Global_10.226.1.2");
        assertEquals(new BgpNodeStatus.Peer("Global_10.226.1.2", "10.226.1.2", BgpSession.Kind.GLOBAL, 65001,
                "Established", global.since(), "10.226.1.2", 90, 2, 2, 1, ""), global);
        BgpNodeStatus.Peer node = peer(up, "Node_fd00:e201::2");
        assertEquals(new BgpNodeStatus.Peer("Node_fd00:e201::2", "fd00:e201::2", BgpSession.Kind.NODE, 65001,
                "Established", node.since(), "10.226.1.2", 90, 1, 1, 0, ""), node);
        assertTrue(node.ipv6());
        BgpNodeStatus.Peer mesh = peer(up, "Mesh_10.226.2.2");
        assertEquals(BgpSession.Kind.MESH, mesh.type());
        assertTrue(mesh.state().equals("Connect") || mesh.state().equals("Active"), mesh.toString());
        assertEquals("connect to 10.226.2.2:179 failed: Connection refused", mesh.lastError());
        assertTrue(up.publishedAt() != null && !up.publishedAt().isBefore(global.since()), up.toString());
        // BIRD's side of the same sessions: what it imported is what Weft advertised, and the reverse
        assertEquals(List.of(1, 2), birdRoutes(bird, "weft4"));
        assertEquals(List.of(0, 1), birdRoutes(bird, "weft6"));
        KeyValue stored = datastore.get(key).orElseThrow();
        assertNotEquals(Datastore.NO_LEASE, stored.leaseId(), "the status lives on a lease");

        // down: BIRD shuts the IPv4 session (Cease); the status says so with the error, the others unchanged
        assertTrue(bird.cmd("disable", "weft4").contains("disabled"), "birdc disable weft4");
        // the first status that shows it down (Weft's reconnection attempts change the error later)
        AtomicReference<BgpNodeStatus> firstDown = new AtomicReference<>();
        await(WAIT, () -> published().filter(s -> !peer(s, "Global_10.226.1.2").established())
                .map(s -> firstDown.compareAndSet(null, s) || true).orElse(false), () -> "published: " + published());
        BgpNodeStatus down = firstDown.get();
        BgpNodeStatus.Peer shut = peer(down, "Global_10.226.1.2");
        assertEquals("received NOTIFICATION Cease: administrative shutdown", shut.lastError());
        assertEquals("Active", shut.state());
        assertEquals(0, shut.received());
        assertEquals("", shut.peerRouterId());
        assertTrue(shut.since().isAfter(global.since()), shut.since() + " after " + global.since());
        assertEquals(node, peer(down, "Node_fd00:e201::2"));

        // back up: Weft reconnects, the error is cleared and the counts return
        assertTrue(bird.cmd("enable", "weft4").contains("enabled"), "birdc enable weft4");
        await(WAIT, () -> published().map(s -> peer(s, "Global_10.226.1.2").established()
                && peer(s, "Global_10.226.1.2").received() == 2).orElse(false), () -> "published: " + published());
        BgpNodeStatus.Peer back = peer(published().orElseThrow(), "Global_10.226.1.2");
        assertEquals("", back.lastError());
        assertTrue(back.since().isAfter(shut.since()), back.since() + " after " + shut.since());
        assertEquals(List.of(1, 2), birdRoutes(bird, "weft4"));

        // a stopped speaker withdraws its status rather than leave it to age out
        component.deactivate();
        component = null;
        assertEquals(Optional.empty(), datastore.get(key));
    }

    private Optional<BgpNodeStatus> published() {
        try {
            return datastore.get(BgpNodeStatus.KEY_PREFIX + NODE).map(kv -> BgpNodeStatus.decode(kv.value()));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static BgpNodeStatus.Peer peer(BgpNodeStatus s, String name) {
        return s.peers().stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no peer " + name + " in " + s));
    }

    private static final Pattern BIRD_ROUTES = Pattern.compile("Routes:\\s+(\\d+) imported, (\\d+) exported");

    /** BIRD's count of routes imported from and exported to one protocol. */
    private static List<Integer> birdRoutes(BgpLab.Bird bird, String protocol) {
        String all = bird.cmd("show", "protocols", "all", protocol);
        Matcher m = BIRD_ROUTES.matcher(all);
        if (!m.find()) {
            throw new AssertionError("no route counts in: " + all);
        }
        return List.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    private static RouteSource originating(String cidr) {
        return new RouteSource() {
            @Override
            public String name() {
                return "test";
            }

            @Override
            public AutoCloseable subscribe(RouteSink sink) {
                sink.accept(new RouteUpdate("test", true, List.of(new Route(Cidr.parse(cidr), null, null)), List.of()));
                return () -> { };
            }
        };
    }

    private static BgpSpeakerComponent.Config config(String routerId, String... peers) {
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
                return 0; // Weft connects; nothing here competes for port 179 with the other lab tests
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
                return NODE;
            }

            @Override
            public int statusRefreshSeconds() {
                return 1;
            }
        };
    }
}
