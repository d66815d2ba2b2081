package io.weft.bgp.internal;

import static io.weft.bgp.internal.PathAttributes.*;

import java.util.Arrays;

import io.netty.buffer.ByteBuf;

/**
 * Decodes UPDATE bodies straight from the buffer into an {@link UpdateSink}: no object per
 * prefix, one interned attribute set per message. Errors follow RFC 7606: a malformed attribute
 * makes the UPDATE's routes withdrawals (treat-as-withdraw) or is dropped (attribute discard);
 * only what cannot be parsed at all resets the session, by throwing {@link BgpNotification}.
 * One parser per session (it knows the peer's AS-number size and whether it is internal).
 */
final class UpdateParser {
    /** Outcome of the last message, for counters and the operational view. */
    enum Outcome { OK, TREAT_AS_WITHDRAW, ATTRIBUTE_DISCARDED }

    private final Prefixes prefixes;
    private final AttributeInterner interner;
    private final boolean as4;
    private final boolean ibgp;
    private final long peerAs;
    private final boolean[] seen = new boolean[256];
    /** Where a prefix field is copied for decoding; grows to the largest field seen. */
    private byte[] scratch = new byte[4096];
    private String lastProblem;

    UpdateParser(Prefixes prefixes, AttributeInterner interner, boolean as4, boolean ibgp, long peerAs) {
        this.prefixes = prefixes;
        this.interner = interner;
        this.as4 = as4;
        this.ibgp = ibgp;
        this.peerAs = peerAs;
    }

    /** What was wrong with the last message that was not OK. */
    String lastProblem() {
        return lastProblem;
    }

    Outcome parse(ByteBuf body, UpdateSink sink) throws BgpNotification {
        try {
            return parseChecked(body, sink);
        } catch (IndexOutOfBoundsException e) {
            // every length is checked before reading; this is the last line of defence
            throw new BgpNotification(BgpNotification.UPDATE, 1, "UPDATE malformed: " + e.getMessage());
        }
    }

    private Outcome parseChecked(ByteBuf body, UpdateSink sink) throws BgpNotification {
        if (body.readableBytes() < 4) {
            throw new BgpNotification(BgpNotification.UPDATE, 1, "UPDATE shorter than its two length fields");
        }
        int withdrawnLength = body.readUnsignedShort();
        if (withdrawnLength + 2 > body.readableBytes()) {
            throw new BgpNotification(BgpNotification.UPDATE, 1,
                    "withdrawn routes length " + withdrawnLength + " overruns the UPDATE");
        }
        ByteBuf withdrawn = body.readSlice(withdrawnLength);
        int attributesLength = body.readUnsignedShort();
        if (attributesLength > body.readableBytes()) {
            throw new BgpNotification(BgpNotification.UPDATE, 1,
                    "total path attribute length " + attributesLength + " overruns the UPDATE");
        }
        ByteBuf attributes = body.readSlice(attributesLength);
        ByteBuf nlri = body;
        checkPrefixes(withdrawn, 32, "withdrawn routes");
        checkPrefixes(nlri, 32, "NLRI");
        if (withdrawnLength == 0 && attributesLength == 0 && !nlri.isReadable()) {
            sink.endOfRib(OpenMessage.IPV4_UNICAST);
            return Outcome.OK;
        }
        if (withdrawn.isReadable()) {
            withdrawV4(withdrawn, sink);
        }
        if (attributesLength == 0) {
            if (nlri.isReadable()) {
                lastProblem = "NLRI without path attributes";
                while (nlri.isReadable()) {
                    sink.withdraw(readV4(nlri));
                }
                return Outcome.TREAT_AS_WITHDRAW;
            }
            return Outcome.OK;
        }

        Arrays.fill(seen, false);
        Builder b = new Builder();
        boolean treatAsWithdraw = false;
        boolean discarded = false;
        String problem = null;
        int[] as4Path = null;
        byte[] as4Aggregator = null;
        ByteBuf mpReach = null;
        int mpReachFamily = 0;
        byte[] mpNextHop = null;
        ByteBuf mpUnreach = null;
        int mpUnreachFamily = 0;
        ByteBuf other = null;
        boolean hasOrigin = false, hasPath = false, hasNextHop = false;

        while (attributes.isReadable()) {
            if (attributes.readableBytes() < 3) {
                problem = "attribute header truncated";
                treatAsWithdraw = true;
                break;
            }
            int flags = attributes.readUnsignedByte();
            int type = attributes.readUnsignedByte();
            boolean extended = (flags & 0x10) != 0;
            if (extended && attributes.readableBytes() < 2) {
                problem = "attribute " + type + " length truncated";
                treatAsWithdraw = true;
                break;
            }
            int length = extended ? attributes.readUnsignedShort() : attributes.readUnsignedByte();
            if (length > attributes.readableBytes()) {
                problem = "attribute " + type + " length " + length + " overruns the attributes";
                treatAsWithdraw = true;
                break;
            }
            ByteBuf value = attributes.readSlice(length);
            if (seen[type]) {
                if (type == MP_REACH || type == MP_UNREACH) {
                    throw new BgpNotification(BgpNotification.UPDATE, 1, "duplicate MP_REACH/MP_UNREACH attribute");
                }
                problem = "duplicate attribute " + type + " discarded";
                discarded = true;
                continue;
            }
            seen[type] = true;
            int expected = expectedFlags(type);
            if (expected >= 0 && (flags & 0xC0) != expected) {
                problem = "attribute " + type + " has flags 0x" + Integer.toHexString(flags) + ", expected 0x"
                        + Integer.toHexString(expected);
                if (type == MP_REACH || type == MP_UNREACH) {
                    throw new BgpNotification(BgpNotification.UPDATE, 4, "MP attribute flags wrong");
                }
                if (type == ATOMIC_AGGREGATE || type == AGGREGATOR || type == AS4_AGGREGATOR || type == AS4_PATH) {
                    discarded = true;
                } else {
                    treatAsWithdraw = true;
                }
                continue;
            }
            switch (type) {
                case ORIGIN -> {
                    if (length != 1 || value.getUnsignedByte(value.readerIndex()) > 2) {
                        problem = "ORIGIN malformed";
                        treatAsWithdraw = true;
                    } else {
                        b.origin = value.readUnsignedByte();
                        hasOrigin = true;
                    }
                }
                case AS_PATH -> {
                    int[] path = readAsPath(value, as4);
                    if (path == null) {
                        problem = "AS_PATH malformed";
                        treatAsWithdraw = true;
                    } else {
                        b.asPath = path;
                        hasPath = true;
                    }
                }
                case NEXT_HOP -> {
                    if (length != 4) {
                        problem = "NEXT_HOP length " + length;
                        treatAsWithdraw = true;
                    } else {
                        byte[] nh = new byte[4];
                        value.readBytes(nh);
                        if ((nh[0] == 0 && nh[1] == 0 && nh[2] == 0 && nh[3] == 0) || (nh[0] & 0xF0) == 0xE0) {
                            problem = "NEXT_HOP not a unicast address";
                            treatAsWithdraw = true;
                        }
                        b.nextHop = nh;
                        hasNextHop = true;
                    }
                }
                case MED -> {
                    if (length != 4) {
                        problem = "MULTI_EXIT_DISC length " + length;
                        treatAsWithdraw = true;
                    } else {
                        b.med = value.readUnsignedInt();
                    }
                }
                case LOCAL_PREF -> {
                    if (!ibgp) {
                        discarded = true; // meaningless from an external peer (RFC 4271 5.1.5)
                    } else if (length != 4) {
                        problem = "LOCAL_PREF length " + length;
                        treatAsWithdraw = true;
                    } else {
                        b.localPref = value.readUnsignedInt();
                    }
                }
                case ATOMIC_AGGREGATE -> {
                    if (length != 0) {
                        problem = "ATOMIC_AGGREGATE length " + length + " discarded";
                        discarded = true;
                    } else {
                        b.atomicAggregate = true;
                    }
                }
                case AGGREGATOR -> {
                    int expectedLength = as4 ? 8 : 6;
                    if (length != expectedLength) {
                        problem = "AGGREGATOR length " + length + " discarded";
                        discarded = true;
                    } else {
                        byte[] agg = new byte[8];
                        if (as4) {
                            value.readBytes(agg);
                        } else {
                            int as = value.readUnsignedShort();
                            agg[2] = (byte) (as >>> 8);
                            agg[3] = (byte) as;
                            value.readBytes(agg, 4, 4);
                        }
                        b.aggregator = agg;
                    }
                }
                case COMMUNITIES -> {
                    if (length == 0 || length % 4 != 0) {
                        problem = "COMMUNITIES length " + length;
                        treatAsWithdraw = true;
                    } else {
                        b.communities = readInts(value, length / 4);
                    }
                }
                case LARGE_COMMUNITY -> {
                    if (length == 0 || length % 12 != 0) {
                        problem = "LARGE_COMMUNITY length " + length;
                        treatAsWithdraw = true;
                    } else {
                        b.largeCommunities = readInts(value, length / 4);
                    }
                }
                case ORIGINATOR_ID -> {
                    if (!ibgp) {
                        discarded = true;
                    } else if (length != 4) {
                        problem = "ORIGINATOR_ID length " + length;
                        treatAsWithdraw = true;
                    } else {
                        b.hasOriginatorId = true;
                        b.originatorId = value.readInt();
                    }
                }
                case CLUSTER_LIST -> {
                    if (!ibgp) {
                        discarded = true;
                    } else if (length == 0 || length % 4 != 0) {
                        problem = "CLUSTER_LIST length " + length;
                        treatAsWithdraw = true;
                    } else {
                        b.clusterList = readInts(value, length / 4);
                    }
                }
                case MP_REACH -> {
                    if (length < 5) {
                        throw new BgpNotification(BgpNotification.UPDATE, 9, "MP_REACH_NLRI shorter than 5 bytes");
                    }
                    int afi = value.readUnsignedShort();
                    int safi = value.readUnsignedByte();
                    int nhLength = value.readUnsignedByte();
                    if (nhLength + 1 > value.readableBytes()) {
                        throw new BgpNotification(BgpNotification.UPDATE, 9, "MP_REACH_NLRI next hop overruns it");
                    }
                    int family = afi << 8 | safi;
                    if (family == OpenMessage.IPV6_UNICAST && (nhLength == 16 || nhLength == 32)) {
                        mpNextHop = new byte[nhLength];
                        value.readBytes(mpNextHop);
                        value.skipBytes(1);
                        checkPrefixes(value, 128, "MP_REACH_NLRI");
                        mpReach = value;
                        mpReachFamily = family;
                    } else if (family == OpenMessage.IPV4_UNICAST && nhLength == 4) {
                        mpNextHop = new byte[4];
                        value.readBytes(mpNextHop);
                        value.skipBytes(1);
                        checkPrefixes(value, 32, "MP_REACH_NLRI");
                        mpReach = value;
                        mpReachFamily = family;
                    } else if (family == OpenMessage.IPV6_UNICAST || family == OpenMessage.IPV4_UNICAST) {
                        throw new BgpNotification(BgpNotification.UPDATE, 9,
                                "MP_REACH_NLRI next hop length " + nhLength + " invalid for the family");
                    }
                    // other families: not negotiated by us, ignored
                }
                case MP_UNREACH -> {
                    if (length < 3) {
                        throw new BgpNotification(BgpNotification.UPDATE, 9, "MP_UNREACH_NLRI shorter than 3 bytes");
                    }
                    int family = value.readUnsignedShort() << 8 | value.readUnsignedByte();
                    if (family == OpenMessage.IPV6_UNICAST) {
                        checkPrefixes(value, 128, "MP_UNREACH_NLRI");
                        mpUnreach = value;
                        mpUnreachFamily = family;
                    } else if (family == OpenMessage.IPV4_UNICAST) {
                        checkPrefixes(value, 32, "MP_UNREACH_NLRI");
                        mpUnreach = value;
                        mpUnreachFamily = family;
                    }
                }
                case AS4_PATH -> {
                    if (!as4) {
                        as4Path = readAsPath(value, true);
                        if (as4Path == null) {
                            problem = "AS4_PATH malformed, discarded";
                            discarded = true;
                        }
                    } // from a 4-octet peer it means nothing (RFC 6793 4.1)
                }
                case AS4_AGGREGATOR -> {
                    if (!as4 && length == 8) {
                        as4Aggregator = new byte[8];
                        value.readBytes(as4Aggregator);
                    } else if (!as4) {
                        discarded = true;
                    }
                }
                default -> {
                    if ((flags & 0x80) == 0) {
                        byte[] data = new byte[3 + length];
                        data[0] = (byte) flags;
                        data[1] = (byte) type;
                        data[2] = (byte) length;
                        value.getBytes(value.readerIndex(), data, 3, Math.min(length, data.length - 3));
                        throw new BgpNotification(BgpNotification.UPDATE, 2, data,
                                "unrecognized well-known attribute " + type);
                    }
                    if ((flags & 0x40) != 0) { // optional transitive: pass on, marked partial
                        if (other == null) {
                            other = io.netty.buffer.Unpooled.buffer();
                        }
                        PathAttributes.header(other, flags & 0xE0 | 0x20, type, length);
                        other.writeBytes(value, value.readerIndex(), length);
                    }
                }
            }
        }
        if (other != null) {
            b.otherTransitive = new byte[other.readableBytes()];
            other.readBytes(b.otherTransitive);
        }
        if (as4Path != null && hasPath) {
            b.asPath = mergeAs4Path(b.asPath, as4Path);
        }
        if (as4Aggregator != null && b.aggregator != null && b.aggregator[2] == (byte) (AS_TRANS >>> 8)
                && b.aggregator[3] == (byte) AS_TRANS) {
            b.aggregator = as4Aggregator;
        }
        boolean announces = nlri.isReadable() || mpReach != null;
        if (announces && !treatAsWithdraw) {
            if (!hasOrigin || !hasPath || (nlri.isReadable() && !hasNextHop)) {
                problem = "missing well-known attribute " + (!hasOrigin ? "ORIGIN" : !hasPath ? "AS_PATH" : "NEXT_HOP");
                treatAsWithdraw = true;
            } else if (!ibgp && peerAs != 0 && b.firstAs() != peerAs) {
                problem = "AS_PATH does not start with the peer's AS " + peerAs;
                treatAsWithdraw = true;
            }
        }
        if (mpUnreach != null) {
            boolean v6 = mpUnreachFamily == OpenMessage.IPV6_UNICAST;
            if (!mpUnreach.isReadable() && !announces && withdrawnLength == 0 && (attributesLength == 6 || attributesLength == 7)) {
                sink.endOfRib(mpUnreachFamily);
            }
            while (mpUnreach.isReadable()) {
                sink.withdraw(v6 ? readV6(mpUnreach) : readV4(mpUnreach));
            }
        }
        lastProblem = problem;
        if (treatAsWithdraw) {
            while (nlri.isReadable()) {
                sink.withdraw(readV4(nlri));
            }
            if (mpReach != null) {
                boolean v6 = mpReachFamily == OpenMessage.IPV6_UNICAST;
                while (mpReach.isReadable()) {
                    sink.withdraw(v6 ? readV6(mpReach) : readV4(mpReach));
                }
            }
            return Outcome.TREAT_AS_WITHDRAW;
        }
        if (nlri.isReadable()) {
            announceV4(nlri, interner.intern(b.build()), sink);
        }
        if (mpReach != null) {
            b.nextHop = mpNextHop;
            PathAttributes attrs = interner.intern(b.build());
            boolean v6 = mpReachFamily == OpenMessage.IPV6_UNICAST;
            while (mpReach.isReadable()) {
                sink.announce(v6 ? readV6(mpReach) : readV4(mpReach), attrs);
            }
        }
        return discarded ? Outcome.ATTRIBUTE_DISCARDED : Outcome.OK;
    }

    private static int expectedFlags(int type) {
        return switch (type) {
            case ORIGIN, AS_PATH, NEXT_HOP, LOCAL_PREF, ATOMIC_AGGREGATE -> 0x40;
            case MED, ORIGINATOR_ID, CLUSTER_LIST, MP_REACH, MP_UNREACH -> 0x80;
            case AGGREGATOR, COMMUNITIES, AS4_PATH, AS4_AGGREGATOR, LARGE_COMMUNITY -> 0xC0;
            default -> -1;
        };
    }

    private static int[] readInts(ByteBuf value, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = value.readInt();
        }
        return out;
    }

    /** Segments into the flat form, or null when malformed (bad type, empty or overrunning segment). */
    static int[] readAsPath(ByteBuf value, boolean fourOctets) {
        int size = fourOctets ? 4 : 2;
        int total = 0;
        int at = value.readerIndex();
        int end = value.writerIndex();
        while (at < end) {
            if (end - at < 2) {
                return null;
            }
            int type = value.getUnsignedByte(at);
            int count = value.getUnsignedByte(at + 1);
            if (type < 1 || type > 4 || count == 0 || at + 2 + count * size > end) {
                return null;
            }
            total += 2 + count;
            at += 2 + count * size;
        }
        int[] path = new int[total];
        int i = 0;
        while (value.isReadable()) {
            int type = value.readUnsignedByte();
            int count = value.readUnsignedByte();
            path[i++] = type;
            path[i++] = count;
            for (int j = 0; j < count; j++) {
                path[i++] = fourOctets ? value.readInt() : value.readUnsignedShort();
            }
        }
        return path;
    }

    /**
     * RFC 6793 4.2.3: the AS4_PATH replaces the tail of the AS_PATH when it is not longer; the
     * leading ASes only the 2-octet path has were added by 2-octet speakers on the way.
     */
    static int[] mergeAs4Path(int[] asPath, int[] as4Path) {
        int pathLength = countAses(asPath);
        int as4Length = countAses(as4Path);
        if (as4Length > pathLength) {
            return asPath;
        }
        int keep = pathLength - as4Length;
        int[] out = new int[asPath.length + as4Path.length + 2];
        int o = 0;
        for (int i = 0; i < asPath.length && keep > 0; i += 2 + asPath[i + 1]) {
            int n = Math.min(keep, asPath[i + 1]);
            out[o++] = asPath[i];
            out[o++] = n;
            System.arraycopy(asPath, i + 2, out, o, n);
            o += n;
            keep -= n;
        }
        System.arraycopy(as4Path, 0, out, o, as4Path.length);
        o += as4Path.length;
        return Arrays.copyOf(out, o);
    }

    private static int countAses(int[] path) {
        int n = 0;
        for (int i = 0; i < path.length; i += 2 + path[i + 1]) {
            n += path[i + 1];
        }
        return n;
    }

    /** Validates a prefix list without consuming it: session reset on a bad length (RFC 7606 5.3). */
    private static void checkPrefixes(ByteBuf buf, int maxBits, String field) throws BgpNotification {
        int at = buf.readerIndex();
        int end = buf.writerIndex();
        while (at < end) {
            int bits = buf.getUnsignedByte(at);
            if (bits > maxBits) {
                throw new BgpNotification(BgpNotification.UPDATE, 10, field + ": prefix length " + bits + " exceeds " + maxBits);
            }
            at += 1 + (bits + 7) / 8;
            if (at > end) {
                throw new BgpNotification(BgpNotification.UPDATE, maxBits == 32 && field.startsWith("withdrawn") ? 1 : 10,
                        field + ": last prefix overruns the field");
            }
        }
    }

    /**
     * The NLRI field's prefixes, announced. The field (already checked by {@link #checkPrefixes})
     * is copied once into an array and decoded from there: a byte at a time through a sliced
     * ByteBuf (bounds and reference-count checks on every byte) was most of an UPDATE's cost.
     */
    private void announceV4(ByteBuf nlri, PathAttributes attrs, UpdateSink sink) {
        byte[] a = copy(nlri);
        int end = nlri.readableBytes();
        nlri.skipBytes(end);
        for (int at = 0; at < end; ) {
            int bits = a[at] & 0xFF;
            sink.announce(v4At(a, at, bits), attrs);
            at += 1 + ((bits + 7) >>> 3);
        }
    }

    private void withdrawV4(ByteBuf withdrawn, UpdateSink sink) {
        byte[] a = copy(withdrawn);
        int end = withdrawn.readableBytes();
        withdrawn.skipBytes(end);
        for (int at = 0; at < end; ) {
            int bits = a[at] & 0xFF;
            sink.withdraw(v4At(a, at, bits));
            at += 1 + ((bits + 7) >>> 3);
        }
    }

    private byte[] copy(ByteBuf field) {
        int n = field.readableBytes();
        if (scratch.length < n) {
            scratch = new byte[Math.max(n, scratch.length * 2)];
        }
        field.getBytes(field.readerIndex(), scratch, 0, n);
        return scratch;
    }

    /** The IPv4 prefix of {@code bits} whose length byte is at {@code a[at]}. */
    private static long v4At(byte[] a, int at, int bits) {
        int address = 0;
        int bytes = (bits + 7) >>> 3;
        for (int i = 0; i < bytes; i++) {
            address |= (a[at + 1 + i] & 0xFF) << (24 - 8 * i);
        }
        if (bits < 32) {
            address &= bits == 0 ? 0 : (-1 << (32 - bits));
        }
        return Prefixes.v4(address, bits);
    }

    static long readV4(ByteBuf buf) {
        int bits = buf.readUnsignedByte();
        int address = 0;
        int bytes = (bits + 7) >>> 3;
        for (int i = 0; i < bytes; i++) {
            address |= buf.readUnsignedByte() << (24 - 8 * i);
        }
        if (bits < 32) {
            address &= bits == 0 ? 0 : (-1 << (32 - bits));
        }
        return Prefixes.v4(address, bits);
    }

    long readV6(ByteBuf buf) {
        int bits = buf.readUnsignedByte();
        byte[] address = new byte[16];
        int bytes = (bits + 7) >>> 3;
        buf.readBytes(address, 0, bytes);
        if (bits % 8 != 0) {
            address[bytes - 1] &= (byte) (0xFF << (8 - bits % 8));
        }
        return prefixes.v6(address, bits);
    }
}
