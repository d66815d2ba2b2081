package io.weft.bgp.internal;

import java.util.Arrays;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * One set of path attributes, immutable and interned ({@link AttributeInterner}): the thousands
 * of prefixes an UPDATE carries share one instance, so a RIB entry costs a reference. AS numbers
 * are 4-octet internally; {@link #wire(boolean)} writes the 2-octet form with AS4_PATH for old
 * peers. The next hop is 4 bytes (IPv4 NEXT_HOP), or 16/32 (MP_REACH, written by the packer).
 */
final class PathAttributes {
    static final int ORIGIN = 1, AS_PATH = 2, NEXT_HOP = 3, MED = 4, LOCAL_PREF = 5, ATOMIC_AGGREGATE = 6,
            AGGREGATOR = 7, COMMUNITIES = 8, ORIGINATOR_ID = 9, CLUSTER_LIST = 10, MP_REACH = 14, MP_UNREACH = 15,
            AS4_PATH = 17, AS4_AGGREGATOR = 18, LARGE_COMMUNITY = 32;
    static final int AS_SET = 1, AS_SEQUENCE = 2, AS_CONFED_SEQUENCE = 3, AS_CONFED_SET = 4;
    static final int AS_TRANS = 23456;
    static final int NO_EXPORT = 0xFFFFFF01, NO_ADVERTISE = 0xFFFFFF02, NO_EXPORT_SUBCONFED = 0xFFFFFF03;
    static final int[] EMPTY_PATH = new int[0];

    final int origin;
    /** Flat segments: type, count, then count AS numbers; repeated. */
    final int[] asPath;
    final byte[] nextHop;
    final long med;
    final long localPref;
    final boolean atomicAggregate;
    /** 4-octet AS then the aggregator's address (8 bytes), or null. */
    final byte[] aggregator;
    final int[] communities;
    final int[] largeCommunities;
    final boolean hasOriginatorId;
    final int originatorId;
    final int[] clusterList;
    /** Unknown optional transitive attributes, as received with the partial bit set. */
    final byte[] otherTransitive;
    /** Carries NO_EXPORT or NO_EXPORT_SUBCONFED (RFC 1997): not for eBGP peers (no confederations here). */
    final boolean noExport;
    /** Carries NO_ADVERTISE (RFC 1997): for no peer at all. */
    final boolean noAdvertise;
    private final int hash;

    private byte[] wire4;
    private byte[] wire2;
    private int asPathLength = -1;

    PathAttributes(int origin, int[] asPath, byte[] nextHop, long med, long localPref, boolean atomicAggregate,
            byte[] aggregator, int[] communities, int[] largeCommunities, boolean hasOriginatorId, int originatorId,
            int[] clusterList, byte[] otherTransitive) {
        this.origin = origin;
        this.asPath = asPath == null ? EMPTY_PATH : asPath;
        this.nextHop = nextHop;
        this.med = med;
        this.localPref = localPref;
        this.atomicAggregate = atomicAggregate;
        this.aggregator = aggregator;
        this.communities = communities;
        this.largeCommunities = largeCommunities;
        this.hasOriginatorId = hasOriginatorId;
        this.originatorId = originatorId;
        this.clusterList = clusterList;
        this.otherTransitive = otherTransitive;
        boolean ne = false;
        boolean na = false;
        if (communities != null) {
            for (int c : communities) {
                ne |= c == NO_EXPORT || c == NO_EXPORT_SUBCONFED;
                na |= c == NO_ADVERTISE;
            }
        }
        this.noExport = ne;
        this.noAdvertise = na;
        int h = origin;
        h = h * 31 + Arrays.hashCode(this.asPath);
        h = h * 31 + Arrays.hashCode(nextHop);
        h = h * 31 + Long.hashCode(med);
        h = h * 31 + Long.hashCode(localPref);
        h = h * 31 + (atomicAggregate ? 1 : 0);
        h = h * 31 + Arrays.hashCode(aggregator);
        h = h * 31 + Arrays.hashCode(communities);
        h = h * 31 + Arrays.hashCode(largeCommunities);
        h = h * 31 + (hasOriginatorId ? originatorId : 7);
        h = h * 31 + Arrays.hashCode(clusterList);
        h = h * 31 + Arrays.hashCode(otherTransitive);
        this.hash = h;
    }

    Builder toBuilder() {
        Builder b = new Builder();
        b.origin = origin;
        b.asPath = asPath;
        b.nextHop = nextHop;
        b.med = med;
        b.localPref = localPref;
        b.atomicAggregate = atomicAggregate;
        b.aggregator = aggregator;
        b.communities = communities;
        b.largeCommunities = largeCommunities;
        b.hasOriginatorId = hasOriginatorId;
        b.originatorId = originatorId;
        b.clusterList = clusterList;
        b.otherTransitive = otherTransitive;
        return b;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof PathAttributes p && p.hash == hash && p.origin == origin && p.med == med
                && p.localPref == localPref && p.atomicAggregate == atomicAggregate
                && p.hasOriginatorId == hasOriginatorId && p.originatorId == originatorId
                && Arrays.equals(p.asPath, asPath) && Arrays.equals(p.nextHop, nextHop)
                && Arrays.equals(p.aggregator, aggregator) && Arrays.equals(p.communities, communities)
                && Arrays.equals(p.largeCommunities, largeCommunities) && Arrays.equals(p.clusterList, clusterList)
                && Arrays.equals(p.otherTransitive, otherTransitive);
    }

    /** Path length for the decision process: an AS_SET counts one, confederation segments none. */
    int asPathLength() {
        if (asPathLength < 0) {
            int n = 0;
            for (int i = 0; i < asPath.length; i += 2 + asPath[i + 1]) {
                int type = asPath[i];
                n += type == AS_SEQUENCE ? asPath[i + 1] : type == AS_SET ? 1 : 0;
            }
            asPathLength = n;
        }
        return asPathLength;
    }

    /** The neighbouring AS (first of the first AS_SEQUENCE), or 0 for a local route. */
    long firstAs() {
        for (int i = 0; i < asPath.length; i += 2 + asPath[i + 1]) {
            if (asPath[i] == AS_SEQUENCE && asPath[i + 1] > 0) {
                return asPath[i + 2] & 0xFFFFFFFFL;
            }
        }
        return 0;
    }

    boolean pathContains(long as) {
        for (int i = 0; i < asPath.length; i += 2 + asPath[i + 1]) {
            for (int j = 0; j < asPath[i + 1]; j++) {
                if ((asPath[i + 2 + j] & 0xFFFFFFFFL) == as) {
                    return true;
                }
            }
        }
        return false;
    }

    boolean clusterListContains(int clusterId) {
        if (clusterList != null) {
            for (int c : clusterList) {
                if (c == clusterId) {
                    return true;
                }
            }
        }
        return false;
    }

    /** AS_PATH as BIRD and FRR print it: sequences space-separated, sets in braces. */
    String asPathText() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < asPath.length; i += 2 + asPath[i + 1]) {
            boolean set = asPath[i] == AS_SET || asPath[i] == AS_CONFED_SET;
            if (set) {
                sb.append(sb.length() > 0 ? " {" : "{");
            }
            for (int j = 0; j < asPath[i + 1]; j++) {
                if (sb.length() > 0 && !(set && j == 0)) {
                    sb.append(set ? "," : " ");
                }
                sb.append(asPath[i + 2 + j] & 0xFFFFFFFFL);
            }
            if (set) {
                sb.append('}');
            }
        }
        return sb.toString();
    }

    String originText() {
        return switch (origin) {
            case 0 -> "IGP";
            case 1 -> "EGP";
            default -> "incomplete";
        };
    }

    /** The encoded attributes without MP_REACH (and without NEXT_HOP unless it is IPv4), cached. */
    byte[] wire(boolean as4) {
        byte[] w = as4 ? wire4 : wire2;
        if (w == null) {
            ByteBuf buf = Unpooled.buffer(64);
            encode(buf, as4);
            w = new byte[buf.readableBytes()];
            buf.readBytes(w);
            if (as4) {
                wire4 = w;
            } else {
                wire2 = w;
            }
        }
        return w;
    }

    private void encode(ByteBuf out, boolean as4) {
        header(out, 0x40, ORIGIN, 1);
        out.writeByte(origin);
        boolean needsAs4Path = false;
        int pathBytes = 0;
        for (int i = 0; i < asPath.length; i += 2 + asPath[i + 1]) {
            pathBytes += 2 + asPath[i + 1] * (as4 ? 4 : 2);
            if (!as4) {
                for (int j = 0; j < asPath[i + 1]; j++) {
                    needsAs4Path |= (asPath[i + 2 + j] & 0xFFFFFFFFL) > 0xFFFF;
                }
            }
        }
        header(out, 0x40, AS_PATH, pathBytes);
        writePath(out, as4, false);
        if (nextHop != null && nextHop.length == 4) {
            header(out, 0x40, NEXT_HOP, 4);
            out.writeBytes(nextHop);
        }
        if (med >= 0) {
            header(out, 0x80, MED, 4);
            out.writeInt((int) med);
        }
        if (localPref >= 0) {
            header(out, 0x40, LOCAL_PREF, 4);
            out.writeInt((int) localPref);
        }
        if (atomicAggregate) {
            header(out, 0x40, ATOMIC_AGGREGATE, 0);
        }
        if (aggregator != null) {
            long aggAs = ((aggregator[0] & 0xFFL) << 24) | ((aggregator[1] & 0xFF) << 16)
                    | ((aggregator[2] & 0xFF) << 8) | (aggregator[3] & 0xFF);
            if (as4) {
                header(out, 0xC0, AGGREGATOR, 8);
                out.writeBytes(aggregator);
            } else {
                header(out, 0xC0, AGGREGATOR, 6);
                out.writeShort(aggAs > 0xFFFF ? AS_TRANS : (int) aggAs);
                out.writeBytes(aggregator, 4, 4);
                if (aggAs > 0xFFFF) {
                    header(out, 0xC0, AS4_AGGREGATOR, 8);
                    out.writeBytes(aggregator);
                }
            }
        }
        if (communities != null) {
            header(out, 0xC0, COMMUNITIES, communities.length * 4);
            for (int c : communities) {
                out.writeInt(c);
            }
        }
        if (hasOriginatorId) {
            header(out, 0x80, ORIGINATOR_ID, 4);
            out.writeInt(originatorId);
        }
        if (clusterList != null) {
            header(out, 0x80, CLUSTER_LIST, clusterList.length * 4);
            for (int c : clusterList) {
                out.writeInt(c);
            }
        }
        if (needsAs4Path) {
            int as4Bytes = 0;
            for (int i = 0; i < asPath.length; i += 2 + asPath[i + 1]) {
                if (asPath[i] == AS_SET || asPath[i] == AS_SEQUENCE) {
                    as4Bytes += 2 + asPath[i + 1] * 4;
                }
            }
            header(out, 0xC0, AS4_PATH, as4Bytes);
            writePath(out, true, true);
        }
        if (largeCommunities != null) {
            header(out, 0xC0, LARGE_COMMUNITY, largeCommunities.length * 4);
            for (int c : largeCommunities) {
                out.writeInt(c);
            }
        }
        if (otherTransitive != null) {
            out.writeBytes(otherTransitive);
        }
    }

    private void writePath(ByteBuf out, boolean fourOctets, boolean skipConfed) {
        for (int i = 0; i < asPath.length; i += 2 + asPath[i + 1]) {
            int type = asPath[i];
            int count = asPath[i + 1];
            if (skipConfed && (type == AS_CONFED_SEQUENCE || type == AS_CONFED_SET)) {
                continue;
            }
            out.writeByte(type);
            out.writeByte(count);
            for (int j = 0; j < count; j++) {
                int as = asPath[i + 2 + j];
                if (fourOctets) {
                    out.writeInt(as);
                } else {
                    out.writeShort((as & 0xFFFFFFFFL) > 0xFFFF ? AS_TRANS : as);
                }
            }
        }
    }

    static void header(ByteBuf out, int flags, int type, int length) {
        if (length > 255) {
            out.writeByte(flags | 0x10);
            out.writeByte(type);
            out.writeShort(length);
        } else {
            out.writeByte(flags);
            out.writeByte(type);
            out.writeByte(length);
        }
    }

    /** Mutable form the parser and the export rules fill; interned into a PathAttributes. */
    static final class Builder {
        int origin = 2;
        int[] asPath = EMPTY_PATH;
        byte[] nextHop;
        long med = -1;
        long localPref = -1;
        boolean atomicAggregate;
        byte[] aggregator;
        int[] communities;
        int[] largeCommunities;
        boolean hasOriginatorId;
        int originatorId;
        int[] clusterList;
        byte[] otherTransitive;

        long firstAs() {
            return asPath.length >= 3 && asPath[0] == AS_SEQUENCE ? asPath[2] & 0xFFFFFFFFL : 0;
        }

        PathAttributes build() {
            return new PathAttributes(origin, asPath, nextHop, med, localPref, atomicAggregate, aggregator,
                    communities, largeCommunities, hasOriginatorId, originatorId, clusterList, otherTransitive);
        }

        /** Puts {@code as} in front, extending the first AS_SEQUENCE when it has room. */
        Builder prepend(long as, int times) {
            for (int t = 0; t < times; t++) {
                if (asPath.length > 0 && asPath[0] == AS_SEQUENCE && asPath[1] < 255) {
                    int[] p = new int[asPath.length + 1];
                    p[0] = AS_SEQUENCE;
                    p[1] = asPath[1] + 1;
                    p[2] = (int) as;
                    System.arraycopy(asPath, 2, p, 3, asPath.length - 2);
                    asPath = p;
                } else {
                    int[] p = new int[asPath.length + 3];
                    p[0] = AS_SEQUENCE;
                    p[1] = 1;
                    p[2] = (int) as;
                    System.arraycopy(asPath, 0, p, 3, asPath.length);
                    asPath = p;
                }
            }
            return this;
        }
    }
}
