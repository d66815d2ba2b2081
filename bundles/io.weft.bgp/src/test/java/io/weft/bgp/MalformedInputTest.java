package io.weft.bgp;

import static io.weft.bgp.RawPeer.bytes;
import static io.weft.bgp.RawPeer.concat;
import static io.weft.bgp.RawPeer.update;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.weft.api.net.Cidr;
import io.weft.api.routing.Route;

/**
 * Hand-built byte streams against a live Weft session on loopback: every malformed message gets
 * exactly the RFC 4271 / RFC 7606 outcome (the NOTIFICATION code and subcode, or
 * treat-as-withdraw with the session kept), and the speaker stays up for the next session.
 */
class MalformedInputTest {
    static final InetAddress WEFT = BgpLab.addr("127.0.0.1");
    static final InetAddress PEER = BgpLab.addr("127.0.0.2");
    static final long WEFT_AS = 64512, PEER_AS = 65010;
    private BgpSpeaker weft;
    private int port;

    // attributes: ORIGIN IGP, AS_PATH [65010] (4-octet), NEXT_HOP 127.0.0.2
    static final byte[] ORIGIN = bytes(0x40, 1, 1, 0);
    static final byte[] AS_PATH = bytes(0x40, 2, 6, 2, 1, 0, 0, 0xFD, 0xF2);
    static final byte[] NEXT_HOP = bytes(0x40, 3, 4, 127, 0, 0, 2);
    static final byte[] GOOD = concat(ORIGIN, AS_PATH, NEXT_HOP);
    static final byte[] NLRI_10_1 = bytes(16, 10, 1);
    static final byte[] NLRI_10_2 = bytes(16, 10, 2);

    @BeforeEach
    void start() throws Exception {
        port = 20000 + (int) (ProcessHandle.current().pid() % 20000);
        weft = BgpSpeaker.start(SpeakerConfig.of(WEFT, WEFT_AS).withListenAddress(WEFT).withPort(port)
                .withTimers(Duration.ofSeconds(90), Duration.ofSeconds(1)));
        weft.addPeer(PeerConfig.of("raw", PEER, PEER_AS).withPort(port).withPassive(true).withFamilies(true, false)
                .withMaxPrefixes(50));
    }

    @AfterEach
    void stop() {
        weft.close();
    }

    private RawPeer established() throws Exception {
        RawPeer p = new RawPeer(PEER, WEFT, port);
        p.establish(PEER_AS, "127.0.0.2");
        return p;
    }

    /** Sends {@code bytes} and expects NOTIFICATION code/subcode, then the connection closed. */
    private RawPeer.Message expectNotification(RawPeer p, byte[] bytes, int code, int subcode) throws Exception {
        p.send(bytes);
        RawPeer.Message m = p.readUntil(3);
        assertEquals(code + "/" + subcode, m.code() + "/" + m.subcode(), "NOTIFICATION code/subcode");
        assertTrue(p.closedByPeer(), "Weft closes the connection after its NOTIFICATION");
        String lastError = weft.peer("raw").orElseThrow().lastError();
        assertTrue(lastError.startsWith("sent NOTIFICATION"), lastError);
        return m;
    }

    private List<Route> routes() {
        return weft.routes();
    }

    private boolean has(String cidr) {
        return routes().stream().anyMatch(r -> r.destination().equals(Cidr.parse(cidr)));
    }

    @Test
    void badMarker() throws Exception {
        try (RawPeer p = established()) {
            byte[] m = RawPeer.keepalive();
            m[3] = 0;
            expectNotification(p, m, 1, 1);
        }
        // the speaker survives and takes the next session
        try (RawPeer p = established()) {
            BgpLab.await(Duration.ofSeconds(5), () -> weft.peer("raw").orElseThrow().state() == PeerState.ESTABLISHED,
                    () -> "not Established again: " + weft.peer("raw"));
        }
    }

    @Test
    void badLengths() throws Exception {
        try (RawPeer p = established()) {
            byte[] m = RawPeer.keepalive();
            m[17] = 10; // below the 19-byte header
            RawPeer.Message n = expectNotification(p, m, 1, 2);
            assertArrayEquals(bytes(0, 10), java.util.Arrays.copyOfRange(n.body(), 2, 4), "data: the bad length");
        }
        try (RawPeer p = established()) {
            expectNotification(p, RawPeer.message(4, new byte[1]), 1, 2); // KEEPALIVE must be 19 bytes
        }
        try (RawPeer p = established()) {
            byte[] big = RawPeer.keepalive();
            big[16] = 0x20; // 8192 > 4096 without the extended message capability
            big[17] = 0;
            expectNotification(p, big, 1, 2);
        }
    }

    @Test
    void badMessageType() throws Exception {
        try (RawPeer p = established()) {
            RawPeer.Message n = expectNotification(p, RawPeer.message(9, new byte[0]), 1, 3);
            assertEquals(9, n.body()[2]);
        }
    }

    @Test
    void badOpens() throws Exception {
        try (RawPeer p = new RawPeer(PEER, WEFT, port)) {
            RawPeer.Message n = expectNotification(p, RawPeer.open(3, PEER_AS, 90, "127.0.0.2"), 2, 1);
            assertArrayEquals(bytes(0, 4), java.util.Arrays.copyOfRange(n.body(), 2, 4), "data: the version we speak");
        }
        try (RawPeer p = new RawPeer(PEER, WEFT, port)) {
            expectNotification(p, RawPeer.open(4, 65999, 90, "127.0.0.2"), 2, 2);
        }
        try (RawPeer p = new RawPeer(PEER, WEFT, port)) {
            expectNotification(p, RawPeer.open(4, PEER_AS, 2, "127.0.0.2"), 2, 6);
        }
        try (RawPeer p = new RawPeer(PEER, WEFT, port)) {
            expectNotification(p, RawPeer.open(4, PEER_AS, 90, "0.0.0.0"), 2, 3);
        }
        try (RawPeer p = new RawPeer(PEER, WEFT, port)) {
            byte[] open = RawPeer.open(4, PEER_AS, 90, "127.0.0.2");
            byte[] truncated = java.util.Arrays.copyOf(open, 25);
            truncated[17] = 25; // an OPEN is at least 29 bytes
            RawPeer.Message n = expectNotification(p, truncated, 1, 2);
            assertArrayEquals(bytes(0, 25), java.util.Arrays.copyOfRange(n.body(), 2, 4), "data: the bad length");
        }
        try (RawPeer p = new RawPeer(PEER, WEFT, port)) {
            expectNotification(p, RawPeer.keepalive(), 5, 1); // KEEPALIVE before OPEN: FSM error in OpenSent
        }
    }

    @Test
    void sessionResetErrorsInUpdates() throws Exception {
        try (RawPeer p = established()) { // withdrawn routes length runs past the message
            expectNotification(p, RawPeer.message(2, bytes(0, 50, 0, 0)), 3, 1);
        }
        try (RawPeer p = established()) { // unrecognized well-known attribute
            RawPeer.Message n = expectNotification(p, update(new byte[0], concat(GOOD, bytes(0x40, 99, 1, 7)), NLRI_10_1), 3, 2);
            assertArrayEquals(bytes(0x40, 99, 1, 7), java.util.Arrays.copyOfRange(n.body(), 2, 6), "data: the attribute");
        }
        try (RawPeer p = established()) { // NLRI prefix longer than 32 bits
            expectNotification(p, update(new byte[0], GOOD, bytes(33, 10, 1, 2, 3, 4)), 3, 10);
        }
        try (RawPeer p = established()) { // NLRI truncated: a /24 with two address bytes
            expectNotification(p, update(new byte[0], GOOD, bytes(24, 10, 1)), 3, 10);
        }
        try (RawPeer p = established()) { // UPDATE shorter than its two length fields
            expectNotification(p, RawPeer.message(2, bytes(0, 0, 0)), 1, 2);
        }
        try (RawPeer p = established()) { // attribute length runs past the UPDATE
            expectNotification(p, RawPeer.message(2, bytes(0, 0, 0, 40, 0x40, 1, 1, 0)), 3, 1);
        }
        try (RawPeer p = established()) { // two MP_REACH_NLRI attributes
            byte[] mp = bytes(0x80, 14, 9, 0, 1, 1, 4, 127, 0, 0, 2, 0);
            expectNotification(p, update(new byte[0], concat(GOOD, mp, mp), new byte[0]), 3, 1);
        }
    }

    @Test
    void treatAsWithdrawKeepsTheSession() throws Exception {
        try (RawPeer p = established()) {
            p.send(update(new byte[0], GOOD, concat(NLRI_10_1, NLRI_10_2)));
            BgpLab.await(Duration.ofSeconds(5), () -> has("10.1.0.0/16") && has("10.2.0.0/16"), () -> routes().toString());

            // malformed AS_PATH (segment type 7): the UPDATE's routes become withdrawals
            byte[] badPath = bytes(0x40, 2, 6, 7, 1, 0, 0, 0xFD, 0xF2);
            p.send(update(new byte[0], concat(ORIGIN, badPath, NEXT_HOP), NLRI_10_1));
            BgpLab.await(Duration.ofSeconds(5), () -> !has("10.1.0.0/16"), () -> routes().toString());
            assertTrue(has("10.2.0.0/16"));
            PeerStatus s = weft.peer("raw").orElseThrow();
            assertEquals(PeerState.ESTABLISHED, s.state());
            assertEquals("UPDATE treated as withdraw: AS_PATH malformed", s.lastError());

            // missing NEXT_HOP, ORIGIN with a bad value, a bad attribute length: all treat-as-withdraw
            p.send(update(new byte[0], concat(ORIGIN, AS_PATH), NLRI_10_2));
            BgpLab.await(Duration.ofSeconds(5), () -> !has("10.2.0.0/16"), () -> routes().toString());
            p.send(update(new byte[0], concat(bytes(0x40, 1, 1, 5), AS_PATH, NEXT_HOP), NLRI_10_1));
            p.send(update(new byte[0], concat(ORIGIN, AS_PATH, bytes(0x40, 3, 3, 127, 0, 2)), NLRI_10_1));
            p.send(update(new byte[0], concat(GOOD, bytes(0xC0, 8, 3, 0, 0, 1)), NLRI_10_1)); // COMMUNITIES length 3
            // an eBGP path that does not start with the peer's AS
            p.send(update(new byte[0], concat(ORIGIN, bytes(0x40, 2, 6, 2, 1, 0, 0, 0xFD, 0xE9), NEXT_HOP), NLRI_10_1));
            // a KEEPALIVE round trip later, none of them made it in and the session is still up
            p.send(RawPeer.keepalive());
            Thread.sleep(300);
            assertTrue(!has("10.1.0.0/16") && !has("10.2.0.0/16"), routes().toString());
            assertEquals(PeerState.ESTABLISHED, weft.peer("raw").orElseThrow().state());

            // a good UPDATE afterwards is accepted
            p.send(update(new byte[0], GOOD, NLRI_10_1));
            BgpLab.await(Duration.ofSeconds(5), () -> has("10.1.0.0/16"), () -> routes().toString());
        }
    }

    @Test
    void attributeDiscardAndDuplicates() throws Exception {
        try (RawPeer p = established()) {
            // ORIGIN twice (the second, INCOMPLETE, is discarded), ATOMIC_AGGREGATE with a length (discarded),
            // an unknown optional non-transitive attribute (ignored)
            byte[] attrs = concat(GOOD, bytes(0x40, 1, 1, 2), bytes(0x40, 6, 1, 0), bytes(0x80, 200, 2, 1, 2));
            p.send(update(new byte[0], attrs, NLRI_10_1));
            BgpLab.await(Duration.ofSeconds(5), () -> has("10.1.0.0/16"), () -> routes().toString());
            Route r = routes().stream().filter(x -> x.destination().equals(Cidr.parse("10.1.0.0/16"))).findFirst().orElseThrow();
            assertEquals("IGP", r.attributes().get("origin"));
            assertEquals("65010", r.attributes().get("as_path"));
            assertEquals(PeerState.ESTABLISHED, weft.peer("raw").orElseThrow().state());
            assertTrue(weft.peer("raw").orElseThrow().lastError().startsWith("UPDATE attribute discarded"));
        }
    }

    @Test
    void maxPrefixLimitEndsTheSessionWithCease() throws Exception {
        try (RawPeer p = established()) {
            byte[] nlri = new byte[51 * 3];
            for (int i = 0; i < 51; i++) {
                nlri[i * 3] = 16;
                nlri[i * 3 + 1] = 11;
                nlri[i * 3 + 2] = (byte) i;
            }
            RawPeer.Message n = expectNotification(p, update(new byte[0], GOOD, nlri), 6, 1);
            assertEquals(9, n.body().length, "Cease data: AFI, SAFI and the limit");
        }
        BgpLab.await(Duration.ofSeconds(5), () -> routes().isEmpty(), () -> "routes of a reset session stay: " + routes());
    }
}
