package io.weft.bgp.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.weft.api.net.Cidr;
import io.weft.bgp.Community;
import io.weft.bgp.PeerConfig;
import io.weft.bgp.RouteFilter;
import io.weft.bgp.RouteFilter.Match;
import io.weft.bgp.RouteFilter.Rule;

/**
 * Communities, route filters (prefix, community and AS path rules) as the RIB runs them, and the
 * export rules for well-known and added communities.
 */
class RoutePolicyTest {
    final Prefixes prefixes = new Prefixes();
    final AttributeInterner interner = new AttributeInterner();

    // ------------------------------------------------------------------ communities

    @Test
    void communitiesParseAndPrint() {
        assertEquals(Community.standard(65000, 100), Community.parse("65000:100"));
        assertEquals(0xFDE80064, Community.parse("65000:100").standardValue());
        assertEquals(Community.large(4200000000L, 1, 2), Community.parse(" 4200000000:1:2 "));
        assertEquals("4200000000:1:2", Community.parse("4200000000:1:2").toString());
        assertEquals(Community.NO_EXPORT, Community.parse("no-export"));
        assertEquals(Community.NO_EXPORT, Community.parse("NO_EXPORT"));
        assertEquals(0xFFFFFF01, Community.NO_EXPORT.standardValue());
        assertEquals(0xFFFFFF02, Community.parse("no-advertise").standardValue());
        assertEquals(0xFFFFFF03, Community.parse("no-export-subconfed").standardValue());
        assertEquals(List.of(Community.standard(65000, 100), Community.large(65000, 1, 2), Community.NO_EXPORT),
                Community.parseList("65000:100, 65000:1:2 no-export"));
        assertEquals(List.of(), Community.parseList("  "));
    }

    @Test
    void badCommunitiesSayWhatIsWrong() {
        assertEquals("community 70000:1: ASN part must be 0-65535 (for a 4-byte ASN use a large community such as 70000:0:1)",
                assertThrows(IllegalArgumentException.class, () -> Community.parse("70000:1")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Community.parse("65000:65536")).getMessage()
                .startsWith("community 65000:65536: value part must be 0-65535"));
        assertEquals("community 1:4294967296:0: first local part must be 0-4294967295",
                assertThrows(IllegalArgumentException.class, () -> Community.parse("1:4294967296:0")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Community.parse("65000:1:2:3")).getMessage()
                .contains("is not ASN:VALUE (65000:100), GLOBAL:LOCAL1:LOCAL2 (65000:1:2)"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Community.parse("as65000:1")).getMessage()
                .contains("'as65000' is not a number"));
        assertThrows(IllegalArgumentException.class, () -> Community.parse("-1:5"));
    }

    // ------------------------------------------------------------------ rule validation

    @Test
    void badRulesSayWhatIsWrong() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new Rule(null, Match.IN, 0, 0, List.of(Community.NO_EXPORT), List.of(), true)).getMessage()
                .contains("matchOperator and prefixLength need a cidr"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new Rule(Cidr.parse("10.0.0.0/8"), Match.EQUAL, 24, 24, false)).getMessage()
                .contains("prefixLength only applies to In and NotIn"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new Rule(Cidr.parse("10.0.0.0/8"), Match.IN, 26, 24, false)).getMessage()
                .contains("prefixLength min 26 max 24 must lie within 0-32 with min <= max"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Rule.asPathPrefix(false, 65001, 0)).getMessage()
                .contains("asPathPrefix ASN 0 is out of range 1-4294967295"));
        assertTrue(assertThrows(NullPointerException.class,
                () -> new Rule(Cidr.parse("10.0.0.0/8"), null, 0, 0, List.of(), List.of(), true)).getMessage()
                .contains("matchOperator (Equal, NotEqual, In or NotIn) is required with a cidr"));
        assertThrows(IllegalArgumentException.class, () -> Rule.communities(true));
    }

    // ------------------------------------------------------------------ matching

    private PathAttributes attrs(int[] path, int[] communities, int[] large) {
        PathAttributes.Builder b = new PathAttributes.Builder();
        b.origin = 0;
        b.asPath = path;
        b.communities = communities;
        b.largeCommunities = large;
        return interner.intern(b.build());
    }

    private static int[] seq(int... ases) {
        int[] p = new int[ases.length + 2];
        p[0] = PathAttributes.AS_SEQUENCE;
        p[1] = ases.length;
        System.arraycopy(ases, 0, p, 2, ases.length);
        return p;
    }

    @Test
    void rulesOnCommunitiesAndAsPath() {
        RouteFilter filter = new RouteFilter(List.of(
                Rule.asPathPrefix(false, 65301, 65099),
                Rule.communities(false, Community.parse("65301:7")),
                Rule.communities(false, Community.parse("65301:9:9")),
                new Rule(Cidr.parse("10.84.0.0/16"), Match.IN, 24, 24, List.of(Community.parse("65301:8")), List.of(65301L), true)),
                false);
        CompiledRouteFilter compiled = new CompiledRouteFilter(filter, prefixes);
        long in = prefixes.key(Cidr.parse("10.84.4.0/24"));
        long longer = prefixes.key(Cidr.parse("10.84.4.0/25"));
        int c8 = Community.parse("65301:8").standardValue();
        int c7 = Community.parse("65301:7").standardValue();
        assertTrue(compiled.accept(in, attrs(seq(65301), new int[] {c8}, null)));
        assertFalse(compiled.accept(longer, attrs(seq(65301), new int[] {c8}, null)), "length outside 24-24");
        assertFalse(compiled.accept(in, attrs(seq(65301), new int[] {c8, c7}, null)), "65301:7 rejects first");
        assertFalse(compiled.accept(in, attrs(seq(65301), new int[] {c8}, new int[] {65301, 9, 9})), "large 65301:9:9");
        assertFalse(compiled.accept(in, attrs(seq(65301, 65099, 65000), new int[] {c8}, null)), "path starts 65301 65099");
        assertTrue(compiled.accept(in, attrs(seq(65301, 65098), new int[] {c8}, null)), "only the path's start counts");
        assertFalse(compiled.accept(in, attrs(seq(65302), new int[] {c8}, null)), "rule 4 wants 65301 first");
        assertFalse(compiled.accept(in, attrs(seq(65301), null, null)), "no communities: default reject");
        // a large community is not its standard look-alike
        assertFalse(compiled.accept(in, attrs(seq(65301), null, new int[] {65301, 0, 8})));
    }

    @Test
    void asPathPrefixSpansSequencesButStopsAtASet() {
        int[] twoSequences = {PathAttributes.AS_SEQUENCE, 1, 65001, PathAttributes.AS_SEQUENCE, 2, 65002, 65003};
        int[] setFirst = {PathAttributes.AS_SET, 2, 65001, 65002, PathAttributes.AS_SEQUENCE, 1, 65003};
        CompiledRouteFilter f = new CompiledRouteFilter(new RouteFilter(List.of(Rule.asPathPrefix(true, 65001, 65002)), false),
                prefixes);
        long key = prefixes.key(Cidr.parse("10.0.0.0/8"));
        assertTrue(f.accept(key, attrs(twoSequences, null, null)));
        assertFalse(f.accept(key, attrs(setFirst, null, null)));
        assertFalse(f.accept(key, attrs(seq(65001), null, null)), "shorter than the prefix");
        assertFalse(f.accept(key, attrs(PathAttributes.EMPTY_PATH, null, null)), "a local route's empty path");
        // 4-byte ASNs (stored as signed ints)
        CompiledRouteFilter big = new CompiledRouteFilter(new RouteFilter(List.of(Rule.asPathPrefix(true, 4200000001L)), false),
                prefixes);
        assertTrue(big.accept(key, attrs(seq((int) 4200000001L), null, null)));
    }

    @Test
    void moreThan64RulesKeepTheirOrder() {
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            rules.add(Rule.communities(i % 2 == 0, Community.standard(65000, i)));
        }
        CompiledRouteFilter f = new CompiledRouteFilter(new RouteFilter(rules, false), prefixes);
        long key = prefixes.key(Cidr.parse("10.0.0.0/8"));
        for (int i = 0; i < 100; i++) {
            int[] communities = {Community.standard(65000, i).standardValue(), Community.standard(65000, 99).standardValue()};
            assertEquals(i % 2 == 0, f.accept(key, attrs(seq(1), communities, null)), "rule " + i);
        }
    }

    /** The compiled filter against the public reference, on random rules and routes of both families. */
    @Test
    void compiledFilterAgreesWithTheReference() {
        Random random = new Random(7);
        String[] cidrs = {"10.0.0.0/8", "10.84.0.0/16", "10.84.4.0/24", "0.0.0.0/0", "192.168.1.128/25", "fd00::/8",
                "fd00:84::/32", "fd00:84:4::/48", "::/0", "fd00:84:4:1::/63"};
        Community[] pool = {Community.parse("65000:1"), Community.parse("65000:2"), Community.parse("65000:1:1"),
                Community.parse("65000:1:2"), Community.NO_EXPORT};
        long[] ases = {65001, 65002, 4200000000L};
        for (int round = 0; round < 300; round++) {
            List<Rule> rules = new ArrayList<>();
            for (int r = random.nextInt(6); r > 0; r--) {
                Cidr cidr = random.nextInt(3) == 0 ? null : Cidr.parse(cidrs[random.nextInt(cidrs.length)]);
                Match match = cidr == null ? null : Match.values()[random.nextInt(4)];
                int min = 0;
                int max = 0;
                if (cidr != null && (match == Match.IN || match == Match.NOT_IN) && random.nextBoolean()) {
                    min = cidr.prefixLength() + random.nextInt(cidr.addressBits() - cidr.prefixLength() + 1);
                    max = min + random.nextInt(cidr.addressBits() - min + 1);
                }
                List<Community> communities = new ArrayList<>();
                for (Community c : pool) {
                    if (random.nextInt(5) == 0) {
                        communities.add(c);
                    }
                }
                List<Long> path = new ArrayList<>();
                for (int n = random.nextInt(3); n > 0; n--) {
                    path.add(ases[random.nextInt(ases.length)]);
                }
                rules.add(new Rule(cidr, match, min, max, communities, path, random.nextBoolean()));
            }
            RouteFilter filter = new RouteFilter(rules, random.nextBoolean());
            CompiledRouteFilter compiled = new CompiledRouteFilter(filter, prefixes);
            for (int route = 0; route < 100; route++) {
                Cidr base = Cidr.parse(cidrs[random.nextInt(cidrs.length)]);
                int length = base.prefixLength() + random.nextInt(base.addressBits() - base.prefixLength() + 1);
                Cidr prefix = base.subnet(length, random.nextInt(4) % Math.max(1, Math.min(4, 1 << Math.min(30, length - base.prefixLength()))));
                List<Community> has = new ArrayList<>();
                List<Integer> standard = new ArrayList<>();
                List<Integer> large = new ArrayList<>();
                for (Community c : pool) {
                    if (random.nextBoolean()) {
                        has.add(c);
                        if (c.large()) {
                            large.addAll(List.of((int) c.global(), (int) c.local1(), (int) c.local2()));
                        } else {
                            standard.add(c.standardValue());
                        }
                    }
                }
                List<Long> path = new ArrayList<>();
                for (int n = random.nextInt(4); n > 0; n--) {
                    path.add(ases[random.nextInt(ases.length)]);
                }
                int[] wirePath = seq(path.stream().mapToInt(Long::intValue).toArray());
                PathAttributes a = attrs(path.isEmpty() ? PathAttributes.EMPTY_PATH : wirePath,
                        standard.isEmpty() ? null : standard.stream().mapToInt(Integer::intValue).toArray(),
                        large.isEmpty() ? null : large.stream().mapToInt(Integer::intValue).toArray());
                assertEquals(filter.accepts(prefix, has, path), compiled.accept(prefixes.key(prefix), a),
                        () -> "route " + prefix + " " + has + " path " + path + " with " + filter);
            }
        }
    }

    /**
     * A million prefixes through attribute and prefix rules, attribute sets interleaved: the
     * conditions on attributes run per set, so the whole pass allocates (next to) nothing.
     */
    @Test
    void filteringAMillionPrefixesDoesNotAllocatePerPrefix() {
        RouteFilter filter = new RouteFilter(List.of(
                Rule.communities(false, Community.parse("65000:7")),
                Rule.asPathPrefix(false, 65002, 65003),
                new Rule(Cidr.parse("10.128.0.0/9"), Match.IN, 24, 32, true),
                new Rule(null, null, 0, 0, List.of(Community.parse("65000:1:2")), List.of(65001L), true)), false);
        CompiledRouteFilter compiled = new CompiledRouteFilter(filter, prefixes);
        PathAttributes[] sets = {
            attrs(seq(65001), null, new int[] {65000, 1, 2}),
            attrs(seq(65002, 65003), null, null),
            attrs(seq(65001), new int[] {Community.parse("65000:7").standardValue()}, null),
            attrs(seq(65004), null, null)};
        long[] keys = new long[1_000_000];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = Prefixes.v4(0x0A000000 + (i << 8), 24);
        }
        int accepted = run(compiled, keys, sets); // warm-up: the JIT, the per-set masks
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        int again = run(compiled, keys, sets);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(accepted, again);
        // set 0 accepted everywhere (rule 4), sets 1 and 2 nowhere, set 3 only inside 10.128.0.0/9
        // (10.128.0.0 - 10.255.255.0: 32,768 of the keys, a quarter of them with set 3)
        assertEquals(250_000 + 8_192, accepted);
        assertTrue(allocated < 100_000, "a million prefixes allocated " + allocated + " bytes");
    }

    private static int run(CompiledRouteFilter f, long[] keys, PathAttributes[] sets) {
        int accepted = 0;
        for (int i = 0; i < keys.length; i++) {
            if (f.accept(keys[i], sets[i & 3])) {
                accepted++;
            }
        }
        return accepted;
    }

    // ------------------------------------------------------------------ export rules

    private RibPeer established(Rib rib, String name, long peerAs, int remoteId, String localAddress) {
        RibPeer p = rib.addPeer(name);
        p.established = true;
        p.ibgp = peerAs == rib.localAs;
        p.localAs = rib.localAs;
        p.peerAs = peerAs;
        p.remoteId = remoteId;
        p.ipv4 = true;
        p.as4 = true;
        p.localAddress4 = Cidr.parseAddress(localAddress).getAddress();
        return p;
    }

    @Test
    void wellKnownCommunitiesOnExportAndAddedCommunities() {
        Rib rib = new Rib(prefixes, 65001, 0x0A000001, null, () -> { });
        RibPeer ebgp = established(rib, "e", 65002, 0x0A000002, "10.0.0.1");
        RibPeer ibgp = established(rib, "i", 65001, 0x0A000003, "10.0.1.1");
        RibPeer tagged = established(rib, "t", 65003, 0x0A000004, "10.0.2.1");
        PeerConfig config = PeerConfig.of("t", Cidr.parseAddress("10.0.2.2"), 65003)
                .withExportCommunities(Community.parseList("65000:100 65000:200 65000:1:2"));
        tagged.exportCommunities = SpeakerCore.standardValues(config.exportCommunities());
        tagged.exportLargeCommunities = SpeakerCore.largeTriples(config.exportCommunities());
        RibPeer local = rib.peers[Rib.LOCAL];
        int c100 = Community.parse("65000:100").standardValue();
        long plain = prefixes.key(Cidr.parse("10.244.1.0/26"));
        long noExport = prefixes.key(Cidr.parse("10.244.2.0/26"));
        long noAdvertise = prefixes.key(Cidr.parse("10.244.3.0/26"));
        long subconfed = prefixes.key(Cidr.parse("10.244.4.0/26"));
        rib.announce(local, plain, attrs(PathAttributes.EMPTY_PATH, new int[] {c100}, null));
        rib.announce(local, noExport, attrs(PathAttributes.EMPTY_PATH, new int[] {c100, PathAttributes.NO_EXPORT}, null));
        rib.announce(local, noAdvertise, attrs(PathAttributes.EMPTY_PATH, new int[] {PathAttributes.NO_ADVERTISE}, null));
        rib.announce(local, subconfed, attrs(PathAttributes.EMPTY_PATH, new int[] {PathAttributes.NO_EXPORT_SUBCONFED}, null));

        assertNotNull(rib.exportFor(ebgp, plain));
        assertNull(rib.exportFor(ebgp, noExport), "NO_EXPORT stays inside the AS");
        assertNull(rib.exportFor(ebgp, subconfed), "NO_EXPORT_SUBCONFED too (no confederations)");
        assertNull(rib.exportFor(ebgp, noAdvertise));
        assertNotNull(rib.exportFor(ibgp, noExport), "iBGP peers get NO_EXPORT routes");
        assertNotNull(rib.exportFor(ibgp, subconfed));
        assertNull(rib.exportFor(ibgp, noAdvertise), "NO_ADVERTISE goes to nobody");

        PathAttributes out = rib.exportFor(tagged, plain);
        // 65000:100 was there already: added once, after what the route had
        assertArrayEquals(new int[] {c100, Community.parse("65000:200").standardValue()}, out.communities);
        assertArrayEquals(new int[] {65000, 1, 2}, out.largeCommunities);
        assertArrayEquals(new int[] {c100}, rib.exportFor(ebgp, plain).communities, "other peers: as originated");
    }

    @Test
    void speakerCoreRoutesShowBothKindsOfCommunities() throws Exception {
        SpeakerCore core = new SpeakerCore(io.weft.bgp.SpeakerConfig.of(Cidr.parseAddress("10.0.0.1"), 65001).withPort(0));
        try {
            core.originate(Cidr.parse("10.244.1.0/26"), Community.parseList("65000:100 65000:1:2 no-export"));
            var route = core.routes().get(0);
            assertEquals("65000:100 65535:65281", route.attributes().get("communities"));
            assertEquals("65000:1:2", route.attributes().get("large_communities"));
            var bad = new io.weft.api.routing.RouteUpdate("pools", false, List.of(new io.weft.api.routing.Route(
                    Cidr.parse("10.244.2.0/26"), List.of(), java.util.Map.of("communities", "65000:70000"))), List.of());
            assertTrue(assertThrows(IllegalArgumentException.class, () -> core.apply(bad)).getMessage()
                    .startsWith("route 10.244.2.0/26 from pools: attribute communities: community 65000:70000: value part"));
        } finally {
            core.close();
        }
    }
}
