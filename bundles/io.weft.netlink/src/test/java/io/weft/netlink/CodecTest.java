package io.weft.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.weft.api.net.Cidr;
import io.weft.netlink.internal.Attributes;

/**
 * Byte-level fixtures for the codec, written out from the kernel ABI (linux/rtnetlink.h) by
 * hand, little-endian as on x86-64 and arm64: no kernel needed.
 */
class CodecTest {

    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String s) {
        return HEX.parseHex(s.replaceAll("\\s+", ""));
    }

    @Test
    void routeAddViaGatewayOnlinkMatchesTheAbi() throws Exception {
        Route r = Route.to(Cidr.parse("10.244.1.0/26")).via(InetAddress.getByName("10.0.0.2")).device("eth0")
                .protocol(80).withOnlink();
        byte[] msg = Codec.route((short) 24, Codec.CREATE, r, dev -> 5);
        byte[] expected = hex(
                "34000000 1800 0506 00000000 00000000" // nlmsghdr: len 52, RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE
                        + "02 1a 00 00 fe 50 00 01 04000000"  // rtmsg: AF_INET /26 main proto 80 universe unicast, RTNH_F_ONLINK
                        + "0800 0100 0af40100"                 // RTA_DST 10.244.1.0
                        + "0800 0500 0a000002"                 // RTA_GATEWAY 10.0.0.2
                        + "0800 0400 05000000");               // RTA_OIF 5
        assertEquals(HEX.formatHex(expected), HEX.formatHex(msg));
    }

    @Test
    void blackholeHasNoGatewayOrDevice() throws Exception {
        byte[] msg = Codec.route((short) 24, Codec.CREATE, Route.to(Cidr.parse("10.244.2.0/26")).protocol(80).blackhole(),
                dev -> {
                    throw new AssertionError("no device lookup for a blackhole");
                });
        assertEquals(36, msg.length);
        assertEquals(6, msg[23], "RTN_BLACKHOLE");
    }

    @Test
    void multipathRouteRoundTrips() throws Exception {
        Route ecmp = Route.to(Cidr.parse("10.244.4.0/26")).protocol(12).multipath(List.of(
                new Route.NextHop(InetAddress.getByName("10.0.0.2"), "eth0", 1, false),
                new Route.NextHop(InetAddress.getByName("10.0.0.3"), "eth1", 3, true)));
        byte[] msg = Codec.route((short) 24, Codec.CREATE, ecmp, dev -> dev.equals("eth0") ? 2 : 3);
        // the kernel echoes RTM_NEWROUTE in the same layout; decode what we encoded
        Route back = Codec.decodeRoute(ByteBuffer.wrap(msg).order(ByteOrder.nativeOrder()), i -> i == 2 ? "eth0" : "eth1");
        assertEquals(ecmp.destination(), back.destination());
        assertEquals(12, back.protocol());
        assertEquals(ecmp.nextHops(), back.nextHops());
    }

    @Test
    void vethRequestNestsThePeerWithItsNamespace() {
        byte[] msg = Codec.createVeth(new VethPair("cali12345", "eth0", Netns.current(), 1450, "ee:ee:ee:ee:ee:ee", null), 7);
        ByteBuffer b = ByteBuffer.wrap(msg).order(ByteOrder.nativeOrder());
        b.position(32);
        Attributes top = new Attributes(b);
        assertEquals("cali12345", top.string(3));
        assertEquals(1450, top.u32(4));
        assertArrayEquals(hex("eeeeeeeeeeee"), top.bytes(1));
        Attributes info = top.nested(18);
        assertEquals("veth", info.string(1));
        ByteBuffer peer = info.nested(2).slice(1);
        peer.position(16); // the peer's ifinfomsg
        Attributes peerAttrs = new Attributes(peer);
        assertEquals("eth0", peerAttrs.string(3));
        assertEquals(7, peerAttrs.u32(28), "IFLA_NET_NS_FD");
    }

    @Test
    void malformedAttributesAreIgnoredNotReadPastTheMessage() {
        // one good attribute, then a length pointing past the end
        ByteBuffer b = ByteBuffer.wrap(hex("0800 0300 6c6f0000" + "ff00 0400 01020304")).order(ByteOrder.nativeOrder());
        Attributes a = new Attributes(b);
        assertEquals("lo", a.string(3));
        assertNull(a.u32(4));
    }

    @Test
    void macAddressesAreCheckedAndFormatted() {
        assertEquals("ee:ee:ee:ee:ee:ee", Names.formatMac(Names.parseMac("EE:EE:EE:EE:EE:EE")));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Names.parseMac("ee:ee:ee:ee:ee:gg"));
        assertTrue(e.getMessage().contains("not a MAC address"));
    }
}
