package io.weft.api.bgp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The stored form of a node's BGP status: round trip, the text etcdctl shows, errors naming the field. */
class BgpNodeStatusTest {

    static final BgpNodeStatus STATUS = new BgpNodeStatus("node-1", "10.0.0.1", 64512, List.of(
            new BgpNodeStatus.Peer("Mesh_10.0.0.2", "10.0.0.2", BgpSession.Kind.MESH, 64512, "Established",
                    Instant.parse("2026-05-01T04:01:17Z"), "10.0.0.2", 90, 12, 10, 3, null),
            new BgpNodeStatus.Peer("Global_fd00::9", "fd00::9", BgpSession.Kind.GLOBAL, 65009, "Active",
                    Instant.parse("2026-05-01T04:02:00Z"), null, 0, 0, 0, 0,
                    "connect to fd00::9:179 failed: Connection refused\nsecond line")),
            Instant.parse("2026-05-01T04:05:00Z"));

    @Test
    void storedTextIsOneFieldALineAndReadsBack() {
        String text = new String(STATUS.encode(), StandardCharsets.UTF_8);
        assertEquals("""
                node=node-1
                routerId=10.0.0.1
                asNumber=64512
                publishedAt=2026-05-01T04:05:00Z
                peers=2
                peer.0.name=Mesh_10.0.0.2
                peer.0.address=10.0.0.2
                peer.0.type=MESH
                peer.0.peerAs=64512
                peer.0.state=Established
                peer.0.since=2026-05-01T04:01:17Z
                peer.0.peerRouterId=10.0.0.2
                peer.0.holdTime=90
                peer.0.received=12
                peer.0.accepted=10
                peer.0.advertised=3
                peer.0.lastError=
                peer.1.name=Global_fd00::9
                peer.1.address=fd00::9
                peer.1.type=GLOBAL
                peer.1.peerAs=65009
                peer.1.state=Active
                peer.1.since=2026-05-01T04:02:00Z
                peer.1.peerRouterId=
                peer.1.holdTime=0
                peer.1.received=0
                peer.1.accepted=0
                peer.1.advertised=0
                peer.1.lastError=connect to fd00::9:179 failed: Connection refused second line
                """, text);
        BgpNodeStatus read = BgpNodeStatus.decode(STATUS.encode());
        assertEquals(STATUS.peers().get(0), read.peers().get(0));
        assertEquals("connect to fd00::9:179 failed: Connection refused second line", read.peers().get(1).lastError());
        assertEquals(STATUS.publishedAt(), read.publishedAt());
        assertEquals("/weft/runtime/bgp/node-1", read.key());
        assertTrue(read.peers().get(0).established() && !read.peers().get(0).ipv6());
        assertFalse(read.peers().get(1).established());
        assertTrue(read.peers().get(1).ipv6());
    }

    @Test
    void badValuesNameTheNodeAndTheField() {
        assertEquals("BGP status has no node= line", assertThrows(IllegalArgumentException.class,
                () -> BgpNodeStatus.decode(new byte[0])).getMessage());
        String good = new String(STATUS.encode(), StandardCharsets.UTF_8);
        assertEquals("BGP status of node-1: peer.1.type=REFLECTOR is not one of MESH, GLOBAL, NODE",
                decodeError(good.replace("peer.1.type=GLOBAL", "peer.1.type=REFLECTOR")));
        assertEquals("BGP status of node-1: peer.0.received=many is not a number",
                decodeError(good.replace("peer.0.received=12", "peer.0.received=many")));
        assertEquals("BGP status of node-1: peer.1.address is missing",
                decodeError(good.replace("peer.1.address=fd00::9\n", "")));
        assertEquals("BGP status of node-1: peer.0.since=today is not an ISO-8601 instant",
                decodeError(good.replace("peer.0.since=2026-05-01T04:01:17Z", "peer.0.since=today")));
    }

    private static String decodeError(String text) {
        return assertThrows(IllegalArgumentException.class,
                () -> BgpNodeStatus.decode(text.getBytes(StandardCharsets.UTF_8))).getMessage();
    }
}
