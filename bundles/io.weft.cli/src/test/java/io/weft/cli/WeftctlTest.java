package io.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.weft.api.bgp.BgpNodeStatus;
import io.weft.api.bgp.BgpSession;
import io.weft.api.model.NodeNames;
import io.weft.api.net.Cidr;
import io.weft.codec.internal.JacksonResourceCodec;
import io.weft.core.DatastoreResourceStore;
import io.weft.datastore.memory.MemoryDatastore;
import io.weft.ipam.block.BlockIpam;

/**
 * weftctl against a real admin socket: apply a file, read it back, the ipam commands (the report
 * written and read on weftctl's side), and clear errors when no node listens or no IPAM is installed.
 */
class WeftctlTest {

    @Test
    void weftctlAppliesAndGetsThroughTheAdminSocket(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("run/admin.sock");
        Path file = dir.resolve("pool.yaml");
        Files.writeString(file, ResourceCommandsTest.SEED_POOL);
        try (MemoryDatastore datastore = new MemoryDatastore()) {
            JacksonResourceCodec codec = new JacksonResourceCodec();
            AdminSocketServer server = new AdminSocketServer(socket,
                    new DatastoreResourceStore(datastore, codec, Clock.systemUTC()), codec);
            try {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)),
                        "root-only socket");
                assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
                String[] applied = capture(() -> Weftctl.run(List.of("apply", "-f", file.toString()), socket.toString()));
                assertEquals("0|Successfully applied 1 'IPPool' resource(s)\n|", applied[0] + "|" + applied[1] + "|" + applied[2]);
                String[] got = capture(() -> Weftctl.run(List.of("get", "ippool", "-o", "wide"), socket.toString()));
                assertTrue(got[1].contains("default-ipv4-ippool   10.244.0.0/16   true   Always"), got[1]);
                String[] bad = capture(() -> Weftctl.run(List.of("get"), socket.toString()));
                assertEquals("1", bad[0]);
                assertTrue(bad[2].contains("get needs a KIND"), bad[2]);
            } finally {
                server.close();
            }
        }
        String[] down = capture(() -> Weftctl.run(List.of("get", "ippool"), socket.toString()));
        assertEquals("1", down[0]);
        assertTrue(down[2].contains("cannot reach the Weft node at " + socket), down[2]);
    }

    @Test
    void weftctlIpamThroughTheAdminSocket(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("run/admin.sock");
        Path report = dir.resolve("report.json");
        try (MemoryDatastore datastore = new MemoryDatastore()) {
            JacksonResourceCodec codec = new JacksonResourceCodec();
            DatastoreResourceStore store = new DatastoreResourceStore(datastore, codec, Clock.systemUTC());
            BlockIpam ipam = new BlockIpam(store);
            new ResourceCommands(store, codec).apply(ResourceCommandsTest.SEED_POOL);
            IpamCommandsTest.twoNodesFivePods(store, ipam);
            AdminSocketServer server = new AdminSocketServer(socket, store, codec, ipam);
            try {
                assertEquals(List.of("0", IpamCommandsTest.TWO_NODES_SHOW_BLOCKS, ""),
                        List.of(weftctl(socket, "ipam", "show", "--show-blocks")));
                assertEquals(List.of("0", "IP 10.244.62.9 is not assigned\n", ""),
                        List.of(weftctl(socket, "ipam", "show", "--ip", "10.244.62.9")));

                IpamCommandsTest.plantLeak(store, Cidr.parse("10.244.62.0/26"), "k8s-pod-network.gone");
                String finding = "10.244.62.3 in block 10.244.62.0/26 is allocated to handle k8s-pod-network.gone,"
                        + " which has no IPAMHandle: leaked\n";
                assertEquals(List.of("0", finding + "Found 1 problem.\nReport written to " + report + "\n", ""),
                        List.of(weftctl(socket, "ipam", "check", "-o", report.toString())));
                assertTrue(Files.readString(report).contains("\"ip\" : \"10.244.62.3\""), Files.readString(report));
                assertEquals(List.of("0", "Releasing 1 old IPs...\nReleased 1 IPs successfully\n", ""),
                        List.of(weftctl(socket, "ipam", "release", "--from-report", report.toString())));
                assertEquals(List.of("0", "No problems found.\n", ""), List.of(weftctl(socket, "ipam", "check")));
                assertEquals(List.of("0", "Successfully set StrictAffinity to: true\n", ""),
                        List.of(weftctl(socket, "ipam", "configure", "--strictaffinity=true")));
                String[] missing = weftctl(socket, "ipam", "release", "--from-report", dir.resolve("nope").toString());
                assertEquals("1", missing[0]);
                assertTrue(missing[2].contains("no such file: " + dir.resolve("nope")), missing[2]);
            } finally {
                server.close();
            }
            AdminSocketServer withoutIpam = new AdminSocketServer(socket, store, codec);
            try {
                assertEquals(List.of("1", "", "no IPAM provider: install feature weft-ipam-block\n"),
                        List.of(weftctl(socket, "ipam", "show")));
                assertEquals("0", weftctl(socket, "get", "ippool")[0], "resource verbs need no IPAM");
            } finally {
                withoutIpam.close();
            }
        }
    }

    /**
     * {@code weftctl node status}: a node's BGP status, published in the datastore on a lease as
     * the BGP component publishes it, printed through the admin socket as calicoctl prints its
     * table; as JSON; for a node that publishes nothing (or whose lease ended) a message saying
     * how to turn BGP on and which nodes run it.
     */
    @Test
    void weftctlNodeStatusThroughTheAdminSocket(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("run/admin.sock");
        try (MemoryDatastore datastore = new MemoryDatastore()) {
            JacksonResourceCodec codec = new JacksonResourceCodec();
            DatastoreResourceStore store = new DatastoreResourceStore(datastore, codec, Clock.systemUTC());
            Instant since = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(75);
            BgpNodeStatus published = new BgpNodeStatus("worker-2", "10.0.0.12", 64512, List.of(
                    new BgpNodeStatus.Peer("Mesh_10.0.0.11", "10.0.0.11", BgpSession.Kind.MESH, 64512, "Established", since,
                            "10.0.0.11", 90, 4, 4, 2, ""),
                    new BgpNodeStatus.Peer("Global_10.0.0.1", "10.0.0.1", BgpSession.Kind.GLOBAL, 65001, "Active", since,
                            "", 0, 0, 0, 0, "connect to 10.0.0.1:179 failed: Connection refused")),
                    Instant.now());
            long lease = datastore.grantLease(Duration.ofSeconds(30));
            datastore.put(published.key(), published.encode(), lease);
            AdminSocketServer server = new AdminSocketServer(socket, store, codec, null, datastore);
            try {
                String at = DateTimeFormatter.ofPattern("HH:mm:ss").format(since.atZone(ZoneId.systemDefault()));
                assertEquals(List.of("0", """
                        Weft process is running.

                        IPv4 BGP status
                        +--------------+-------------------+-------+----------+--------------------------------+
                        | PEER ADDRESS |     PEER TYPE     | STATE |  SINCE   |              INFO              |
                        +--------------+-------------------+-------+----------+--------------------------------+
                        | 10.0.0.1     | global            | start | %1$s | Active connect to 10.0.0.1:179 |
                        |              |                   |       |          | failed: Connection refused     |
                        | 10.0.0.11    | node-to-node mesh | up    | %1$s | Established                    |
                        +--------------+-------------------+-------+----------+--------------------------------+

                        IPv6 BGP status
                        No IPv6 peers found.

                        """.formatted(at), ""), List.of(weftctl(socket, "node", "status", "--node", "worker-2")));

                String[] json = weftctl(socket, "node", "status", "--node=worker-2", "-o", "json");
                assertEquals("0", json[0], json[2]);
                JsonNode tree = new ObjectMapper().readTree(json[1]);
                assertEquals("10.0.0.12", tree.get("routerId").asText());
                JsonNode mesh = tree.get("peers").get(0);
                assertEquals("node-to-node mesh", mesh.get("peerType").asText());
                assertEquals("up", mesh.get("state").asText());
                assertEquals("Established", mesh.get("bgpState").asText());
                assertEquals(since.toString(), mesh.get("since").asText());
                assertEquals(4, mesh.get("prefixes").get("accepted").asInt());
                assertEquals(2, mesh.get("prefixes").get("advertised").asInt());
                assertEquals("connect to 10.0.0.1:179 failed: Connection refused",
                        tree.get("peers").get(1).get("lastError").asText());

                // without --node: this node, which runs no BGP here
                String self = NodeNames.resolve(null, System.getenv());
                assertEquals(List.of("1", "", "BGP is not running on node " + self + ": it publishes no BGP status"
                        + " (/weft/runtime/bgp/" + self + ").\n"
                        + "Weft's BGP speaker runs where its configuration exists: on that node, install feature weft-bgp\n"
                        + "and create etc/io.weft.bgp.cfg with at least routerId = the node's IPv4 address (and peers).\n"
                        + "Nodes running BGP: worker-2 (--node NAME shows one).\n"), List.of(weftctl(socket, "node", "status")));

                String[] yaml = weftctl(socket, "node", "status", "-o", "yaml");
                assertEquals(List.of("1", "", "node status -o takes json (or nothing, for the table), not 'yaml'\n"),
                        List.of(yaml));
                String[] typo = weftctl(socket, "node", "stats");
                assertEquals("1", typo[0]);
                assertTrue(typo[2].startsWith("unknown node command 'stats'; use status\n"), typo[2]);

                // the node's runtime went away: its lease ends and so does its status
                datastore.revokeLease(lease);
                String[] gone = weftctl(socket, "node", "status", "--node", "worker-2");
                assertEquals("1", gone[0]);
                assertTrue(gone[2].startsWith("BGP is not running on node worker-2: it publishes no BGP status"), gone[2]);
                assertTrue(gone[2].endsWith("No node publishes BGP status.\n"), gone[2]);
            } finally {
                server.close();
            }
            AdminSocketServer withoutDatastore = new AdminSocketServer(socket, store, codec);
            try {
                assertEquals(List.of("1", "", "node status reads the BGP status from the datastore, and this node has none"
                        + " bound yet (see weft:status)\n"), List.of(weftctl(socket, "node", "status")));
            } finally {
                withoutDatastore.close();
            }
        }
    }

    private static String[] weftctl(Path socket, String... args) {
        return capture(() -> Weftctl.run(List.of(args), socket.toString()));
    }

    interface Run {
        int run();
    }

    /** exit code, stdout, stderr of one weftctl run. */
    static synchronized String[] capture(Run r) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int code = r.run();
            return new String[] {Integer.toString(code), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
