package io.weft.bgp.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.weft.api.net.Cidr;

/** Encode with the packer, decode with the parser: what goes out comes back, packed. */
class CodecRoundTripTest {
    final Prefixes prefixes = new Prefixes();
    final AttributeInterner interner = new AttributeInterner();

    /** Collects what the parser hands over. */
    static final class Collected implements UpdateSink {
        final Map<Long, PathAttributes> announced = new HashMap<>();
        final List<Long> withdrawn = new ArrayList<>();
        final List<Integer> endOfRib = new ArrayList<>();

        @Override
        public void announce(long prefix, PathAttributes attributes) {
            announced.put(prefix, attributes);
        }

        @Override
        public void withdraw(long prefix) {
            withdrawn.add(prefix);
        }

        @Override
        public void endOfRib(int afiSafi) {
            endOfRib.add(afiSafi);
        }
    }

    /** Splits packed buffers back into UPDATE bodies and parses each. */
    static int parseAll(List<ByteBuf> written, UpdateParser parser, UpdateSink sink) throws BgpNotification {
        int messages = 0;
        for (ByteBuf b : written) {
            while (b.isReadable()) {
                assertEquals(-1L, b.getLong(b.readerIndex()), "marker");
                int length = b.getUnsignedShort(b.readerIndex() + 16);
                assertEquals(2, b.getUnsignedByte(b.readerIndex() + 18), "UPDATE");
                assertTrue(length <= 4096, "message within 4096 bytes: " + length);
                ByteBuf body = b.slice(b.readerIndex() + 19, length - 19);
                b.skipBytes(length);
                assertEquals(UpdateParser.Outcome.OK, parser.parse(body, sink));
                messages++;
            }
        }
        return messages;
    }

    static UpdatePacker.Output capture(List<ByteBuf> into) {
        return new UpdatePacker.Output() {
            @Override
            public ByteBufAllocator alloc() {
                return ByteBufAllocator.DEFAULT;
            }

            @Override
            public void write(ByteBuf messages) {
                into.add(messages);
            }

            @Override
            public void flush() {
            }
        };
    }

    @Test
    void tenThousandPrefixesPackIntoFewUpdatesAndComeBackIntact() throws Exception {
        Rib rib = new Rib(prefixes, 65001, 0x0A000001, null, () -> { });
        RibPeer source = rib.addPeer("source");
        source.remoteAddress = new byte[] {10, 0, 0, 9};
        RibPeer target = rib.addPeer("target");
        target.ibgp = false;
        target.localAs = 65001;
        target.peerAs = 65002;
        target.ipv4 = true;
        target.ipv6 = true;
        target.established = true;
        target.localAddress4 = new byte[] {10, 0, 0, 1};
        target.localAddress6 = new byte[] {(byte) 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        PathAttributes.Builder b = new PathAttributes.Builder();
        b.origin = 0;
        b.asPath = new int[] {PathAttributes.AS_SEQUENCE, 2, 65009, 70000};
        b.nextHop = new byte[] {10, 0, 0, 9};
        b.communities = new int[] {(65009 << 16) | 100};
        b.largeCommunities = new int[] {65009, 1, 2};
        PathAttributes attrs = interner.intern(b.build());
        for (int i = 0; i < 10_000; i++) {
            rib.announce(source, Prefixes.v4((20 << 24) + i * 256, 24), attrs);
        }
        PathAttributes.Builder b6 = new PathAttributes.Builder();
        b6.origin = 0;
        b6.asPath = new int[] {PathAttributes.AS_SEQUENCE, 1, 65009};
        b6.nextHop = new byte[] {(byte) 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9};
        PathAttributes attrs6 = interner.intern(b6.build());
        long v6 = prefixes.key(Cidr.parse("fd30:1::/48"));
        rib.announce(source, v6, attrs6);

        List<ByteBuf> written = new ArrayList<>();
        int messages = new UpdatePacker(rib).flush(target, capture(written), 4096, true);
        // 10,000 /24s at 4 bytes each, about 1,000 per 4 KB message; one MP_REACH message for IPv6
        assertTrue(messages <= 12, "packed into " + messages + " messages");

        Collected got = new Collected();
        UpdateParser parser = new UpdateParser(prefixes, interner, true, false, 65001);
        assertEquals(messages, parseAll(written, parser, got));
        assertEquals(10_001, got.announced.size());
        PathAttributes back = got.announced.get(Prefixes.v4(20 << 24, 24));
        assertEquals("65001 65009 70000", back.asPathText());
        assertArrayEquals(new byte[] {10, 0, 0, 1}, back.nextHop, "eBGP: next hop self");
        assertEquals(-1, back.localPref, "no LOCAL_PREF to an external peer");
        assertArrayEquals(attrs.communities, back.communities);
        assertArrayEquals(attrs.largeCommunities, back.largeCommunities);
        assertSame(back, got.announced.get(Prefixes.v4((20 << 24) + 9_999 * 256, 24)), "one interned set for all");
        PathAttributes back6 = got.announced.get(v6);
        assertArrayEquals(target.localAddress6, back6.nextHop);
        assertEquals("65001 65009", back6.asPathText());

        // withdraw everything: withdrawals pack too
        for (int i = 0; i < 10_000; i++) {
            rib.withdraw(source, Prefixes.v4((20 << 24) + i * 256, 24));
        }
        rib.withdraw(source, v6);
        written.clear();
        messages = new UpdatePacker(rib).flush(target, capture(written), 4096, true);
        assertTrue(messages <= 12, "withdrawals packed into " + messages + " messages");
        Collected gone = new Collected();
        parseAll(written, parser, gone);
        assertEquals(10_001, gone.withdrawn.size());
        assertEquals(0, target.adjRibOut.size());
    }

    @Test
    void twoOctetPeerGetsAsTransAndAs4PathAndWeMergeItBack() throws Exception {
        PathAttributes.Builder b = new PathAttributes.Builder();
        b.origin = 0;
        b.asPath = new int[] {PathAttributes.AS_SEQUENCE, 3, 65001, 4_200_000_000L > 0 ? (int) 4_200_000_000L : 0, 65003};
        b.nextHop = new byte[] {10, 0, 0, 1};
        PathAttributes attrs = b.build();
        byte[] wire2 = attrs.wire(false);
        ByteBuf body = Unpooled.buffer();
        body.writeShort(0).writeShort(wire2.length).writeBytes(wire2).writeBytes(new byte[] {8, 10});
        // the 2-octet AS_PATH carries AS_TRANS where the 4-octet AS was
        String hex = io.netty.buffer.ByteBufUtil.hexDump(wire2);
        assertTrue(hex.contains("0203fde95ba0fdeb"), "AS_PATH 65001 23456 65003 in " + hex);
        Collected got = new Collected();
        new UpdateParser(prefixes, interner, false, false, 65001).parse(body, got);
        assertEquals("65001 4200000000 65003", got.announced.values().iterator().next().asPathText());
    }

    @Test
    void as4PathMergeKeepsLeadingTwoOctetAses() {
        int[] asPath = {PathAttributes.AS_SEQUENCE, 3, 65001, 23456, 65003};
        int[] as4 = {PathAttributes.AS_SEQUENCE, 2, (int) 4_200_000_000L, 65003};
        int[] merged = UpdateParser.mergeAs4Path(asPath, as4);
        assertArrayEquals(new int[] {PathAttributes.AS_SEQUENCE, 1, 65001, PathAttributes.AS_SEQUENCE, 2,
                (int) 4_200_000_000L, 65003}, merged);
        // an AS4_PATH longer than the AS_PATH is ignored (RFC 6793 4.2.3)
        assertArrayEquals(asPath, UpdateParser.mergeAs4Path(asPath, new int[] {2, 4, 1, 2, 3, 4}));
    }

    @Test
    void openRoundTrip() throws Exception {
        OpenMessage open = new OpenMessage(4, 4_200_000_000L, 90, 0x0A000001, true,
                List.of(OpenMessage.IPV4_UNICAST, OpenMessage.IPV6_UNICAST), true, true, 120, true,
                List.of(OpenMessage.IPV4_UNICAST, OpenMessage.IPV6_UNICAST));
        ByteBuf b = Unpooled.buffer();
        open.encodeBody(b);
        assertEquals(PathAttributes.AS_TRANS, b.getUnsignedShort(1), "my AS field holds AS_TRANS");
        assertEquals(open, OpenMessage.decode(b));
    }

    @Test
    void prefixTableSurvivesChurn() {
        PrefixTable t = new PrefixTable(16, true);
        Map<Long, Integer> reference = new HashMap<>();
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 200_000; i++) {
            long key = Prefixes.v4(random.nextInt(1 << 12) << 8, 24);
            if (random.nextBoolean()) {
                t.put(key, "v", i);
                reference.put(key, i);
            } else {
                assertEquals(reference.remove(key) != null, t.remove(key) != null);
            }
        }
        assertEquals(reference.size(), t.size());
        reference.forEach((k, v) -> assertEquals(v, t.getInt(k, -1)));
        assertFalse(t.containsKey(Prefixes.v4(1, 32)));
    }

    @Test
    void neverAnExceptionOnRandomBytes() {
        java.util.Random random = new java.util.Random(42);
        UpdateParser parser = new UpdateParser(prefixes, interner, true, true, 64512);
        for (int i = 0; i < 20_000; i++) {
            byte[] junk = new byte[random.nextInt(80)];
            random.nextBytes(junk);
            if (junk.length >= 4 && random.nextBoolean()) { // plausible lengths reach deeper
                junk[0] = 0;
                junk[1] = 0;
                junk[2] = 0;
                junk[3] = (byte) (junk.length - 4);
            }
            try {
                parser.parse(Unpooled.wrappedBuffer(junk), new Collected());
            } catch (BgpNotification expected) {
                assertTrue(expected.code == BgpNotification.UPDATE || expected.code == BgpNotification.HEADER,
                        "code " + expected.code);
            }
        }
        assertThrows(BgpNotification.class, () -> parser.parse(Unpooled.wrappedBuffer(new byte[] {0, 9, 0}), new Collected()));
    }
}
