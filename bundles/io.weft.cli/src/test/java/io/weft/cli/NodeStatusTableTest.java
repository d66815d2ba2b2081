package io.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.weft.api.bgp.BgpNodeStatus;
import io.weft.api.bgp.BgpSession.Kind;

/** {@code node status} against golden text: calicoctl's own output where a sample exists, else by its rules. */
class NodeStatusTableTest {

    private static BgpNodeStatus.Peer up(String address, Kind kind, String since) {
        return new BgpNodeStatus.Peer(kind == Kind.MESH ? "Mesh_" + address : "Global_" + address, address, kind, 64512,
                "Established", Instant.parse(since), address, 90, 3, 3, 2, "");
    }

    private static BgpNodeStatus.Peer down(String name, String address, Kind kind, String state, String since, String error) {
        return new BgpNodeStatus.Peer(name, address, kind, 64512, state, Instant.parse(since), "", 0, 0, 0, 0, error);
    }

    private static BgpNodeStatus node(BgpNodeStatus.Peer... peers) {
        return new BgpNodeStatus("master1-k8s", "192.168.3.143", 64512, List.of(peers), Instant.parse("2026-05-01T06:00:00Z"));
    }

    /** Seed 001, character for character: three mesh peers up, the times in the node's zone (UTC+8 there). */
    @Test
    void seedMeshTableUp() {
        BgpNodeStatus status = node(
                up("192.168.3.146", Kind.MESH, "2026-04-30T20:01:17Z"),
                up("192.168.3.144", Kind.MESH, "2026-04-30T20:01:17Z"),
                up("192.168.3.145", Kind.MESH, "2026-05-01T04:12:55Z"));
        assertEquals("""
                Weft process is running.

                IPv4 BGP status
                +---------------+-------------------+-------+----------+-------------+
                | PEER ADDRESS  |     PEER TYPE     | STATE |  SINCE   |    INFO     |
                +---------------+-------------------+-------+----------+-------------+
                | 192.168.3.144 | node-to-node mesh | up    | 04:01:17 | Established |
                | 192.168.3.145 | node-to-node mesh | up    | 12:12:55 | Established |
                | 192.168.3.146 | node-to-node mesh | up    | 04:01:17 | Established |
                +---------------+-------------------+-------+----------+-------------+

                IPv6 BGP status
                No IPv6 peers found.

                """, NodeStatusTable.render(status, Instant.parse("2026-05-01T06:00:00Z"), ZoneId.of("Asia/Shanghai")));
    }

    /**
     * A peer that is down: STATE {@code start}, INFO the BGP state and the error, wrapped at 30
     * characters exactly as calicoctl wraps it (the table of projectcalico/calicoctl issue 1883).
     */
    @Test
    void downPeerInfoWrapsAsCalicoctlDoes() {
        BgpNodeStatus status = node(down("Mesh_192.168.63.204", "192.168.63.204", Kind.MESH, "Active",
                "2026-05-01T17:19:38Z", "Socket: Connection refused"));
        assertEquals("""
                Weft process is running.

                IPv4 BGP status
                +----------------+-------------------+-------+----------+--------------------------------+
                |  PEER ADDRESS  |     PEER TYPE     | STATE |  SINCE   |              INFO              |
                +----------------+-------------------+-------+----------+--------------------------------+
                | 192.168.63.204 | node-to-node mesh | start | 17:19:38 | Active Socket: Connection      |
                |                |                   |       |          | refused                        |
                +----------------+-------------------+-------+----------+--------------------------------+

                IPv6 BGP status
                No IPv6 peers found.

                """, NodeStatusTable.render(status, Instant.parse("2026-05-01T17:22:16Z"), ZoneOffset.UTC));
    }

    /** Weft's own errors, both families, a change older than 20 hours shown as its date. */
    @Test
    void bothFamiliesWithErrorsAndDates() {
        BgpNodeStatus status = node(
                up("10.0.0.9", Kind.GLOBAL, "2026-05-01T08:00:00Z"),
                down("Node_10.0.0.20", "10.0.0.20", Kind.NODE, "Active", "2026-04-29T22:15:00Z",
                        "received NOTIFICATION Cease: administrative shutdown"),
                up("fd00:10::9", Kind.GLOBAL, "2026-05-01T12:00:00Z"),
                down("Mesh_10.0.0.3", "10.0.0.3", Kind.MESH, "Active", "2026-05-01T12:29:55Z",
                        "connect to 10.0.0.3:179 failed: Connection refused"));
        assertEquals("""
                Weft process is running.

                IPv4 BGP status
                +--------------+-------------------+-------+------------+--------------------------------+
                | PEER ADDRESS |     PEER TYPE     | STATE |   SINCE    |              INFO              |
                +--------------+-------------------+-------+------------+--------------------------------+
                | 10.0.0.3     | node-to-node mesh | start | 12:29:55   | Active connect to 10.0.0.3:179 |
                |              |                   |       |            | failed: Connection refused     |
                | 10.0.0.9     | global            | up    | 08:00:00   | Established                    |
                | 10.0.0.20    | node specific     | start | 2026-04-29 | Active received NOTIFICATION   |
                |              |                   |       |            | Cease: administrative shutdown |
                +--------------+-------------------+-------+------------+--------------------------------+

                IPv6 BGP status
                +--------------+-----------+-------+----------+-------------+
                | PEER ADDRESS | PEER TYPE | STATE |  SINCE   |    INFO     |
                +--------------+-----------+-------+----------+-------------+
                | fd00:10::9   | global    | up    | 12:00:00 | Established |
                +--------------+-----------+-------+----------+-------------+

                """, NodeStatusTable.render(status, Instant.parse("2026-05-01T12:30:00Z"), ZoneOffset.UTC));
    }

    @Test
    void onlyIpv6AndNoPeersAtAll() {
        BgpNodeStatus v6 = node(down("Node_fd00::7", "fd00::7", Kind.NODE, "Connect", "2026-05-01T12:00:00Z", ""));
        assertEquals("""
                Weft process is running.

                IPv4 BGP status
                No IPv4 peers found.

                IPv6 BGP status
                +--------------+---------------+-------+----------+---------+
                | PEER ADDRESS |   PEER TYPE   | STATE |  SINCE   |  INFO   |
                +--------------+---------------+-------+----------+---------+
                | fd00::7      | node specific | start | 12:00:00 | Connect |
                +--------------+---------------+-------+----------+---------+

                """, NodeStatusTable.render(v6, Instant.parse("2026-05-01T12:30:00Z"), ZoneOffset.UTC));
        assertEquals("""
                Weft process is running.

                IPv4 BGP status
                No IPv4 peers found.

                IPv6 BGP status
                No IPv6 peers found.

                """, NodeStatusTable.render(node(), Instant.parse("2026-05-01T12:30:00Z"), ZoneOffset.UTC));
    }

    @Test
    void sinceIsTheTimeOfDayForTwentyHoursThenTheDate() {
        Instant now = Instant.parse("2026-05-01T12:00:00Z");
        assertEquals("16:00:01", NodeStatusTable.since(Instant.parse("2026-04-30T16:00:01Z"), now, ZoneOffset.UTC));
        assertEquals("2026-04-30", NodeStatusTable.since(Instant.parse("2026-04-30T15:59:59Z"), now, ZoneOffset.UTC));
        assertEquals("", NodeStatusTable.since(null, now, ZoneOffset.UTC));
    }

    @Test
    void wrappingKeepsLongWordsWholeAndLinesEven() {
        assertEquals(List.of("Established"), BorderedTable.wrap("Established"));
        assertEquals(List.of("Active", "/a/path/that/is/longer/than/thirty/characters", "x"),
                BorderedTable.wrap("Active /a/path/that/is/longer/than/thirty/characters x"));
        // greedy filling would end the first line with "ddd" (28) and leave the second at 22
        assertEquals(List.of("aaaaaa bbbbbbbb cccccccc", "ddd ee fffffffff gggggg hh", "iiiiiiiii jjjjjjjjjjj"),
                BorderedTable.wrap("aaaaaa bbbbbbbb cccccccc ddd ee fffffffff gggggg hh iiiiiiiii jjjjjjjjjjj"));
    }
}
