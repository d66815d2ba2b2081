package io.weft.bgp.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adj-RIBs-In, the Loc-RIB and the export side, on one thread (the speaker's event loop). The
 * Loc-RIB keeps, per prefix, the best path's attributes and the slot of the peer it came from;
 * the other candidates are found in the peers' Adj-RIBs-In, so a prefix costs one table slot
 * per peer that sent it plus one in the Loc-RIB.
 */
final class Rib {
    static final int LOCAL = 0;
    static final long DEFAULT_LOCAL_PREF = 100;

    final Prefixes prefixes;
    final AttributeInterner interner = new AttributeInterner();
    final PrefixTable locRib = new PrefixTable(1024, true);
    RibPeer[] peers = new RibPeer[8];
    final long localAs;
    final int routerId;
    /** Cluster id when this speaker reflects routes, else null. */
    final Integer clusterId;
    /**
     * Prefixes whose best paths changed, for the route sinks. Handed over whenever
     * {@link #SINK_CHUNK} have gathered (by {@link #sinkChunkFull}), not only when the UPDATEs
     * read so far are done: a table load then reaches the kernel within milliseconds of its first
     * UPDATE and in pieces that are consumed while still young (no GC copying).
     */
    final LongList sinkDirty = new LongList(64);
    static final int SINK_CHUNK = 4096;
    boolean sinkWanted;
    Runnable sinkChunkFull = () -> { };
    final Runnable flushRequest;
    private boolean flushRequested;

    Rib(Prefixes prefixes, long localAs, int routerId, Integer clusterId, Runnable flushRequest) {
        this.prefixes = prefixes;
        this.localAs = localAs;
        this.routerId = routerId;
        this.clusterId = clusterId;
        this.flushRequest = flushRequest;
        RibPeer local = new RibPeer(LOCAL, "local");
        local.ibgp = false;
        peers[LOCAL] = local;
    }

    RibPeer addPeer(String name) {
        for (int i = 1; i < peers.length; i++) {
            if (peers[i] == null) {
                peers[i] = new RibPeer(i, name);
                return peers[i];
            }
        }
        int slot = peers.length;
        peers = Arrays.copyOf(peers, slot * 2);
        peers[slot] = new RibPeer(slot, name);
        return peers[slot];
    }

    void removePeer(RibPeer peer) {
        peer.established = false;
        peer.resetExport(); // hands its update group to another member
        dropRoutes(peer);
        peers[peer.slot] = null;
    }

    // ---------------------------------------------------------------- import

    /** A route from a peer (or LOCAL). Returns false when import rules refused it. */
    boolean announce(RibPeer peer, long key, PathAttributes attrs) {
        if (!acceptable(peer, key, attrs)) {
            peer.rejected.put(key, Boolean.TRUE);
            if (peer.adjRibIn.remove(key) != null || (peer.stale != null && peer.stale.remove(key) != null)) {
                decide(key);
            }
            return false;
        }
        if (peer.rejected.size() > 0) {
            peer.rejected.remove(key);
        }
        Object old = peer.adjRibIn.put(key, attrs);
        if (peer.stale != null) {
            peer.stale.remove(key);
        }
        if (old == attrs) {
            return true;
        }
        if (old == null && locRib.putIfAbsent(key, attrs, peer.slot)) {
            // nobody else has the prefix: it is best without a decision (the bulk of a table load)
            changed(key, peer.slot);
            return true;
        }
        decide(key);
        return true;
    }

    void withdraw(RibPeer peer, long key) {
        boolean had = peer.adjRibIn.remove(key) != null;
        if (peer.stale != null) {
            had |= peer.stale.remove(key) != null;
        }
        if (peer.rejected.size() > 0) {
            peer.rejected.remove(key);
        }
        if (had) {
            decide(key);
        }
    }

    private boolean acceptable(RibPeer peer, long key, PathAttributes attrs) {
        if (attrs != peer.lastImported) { // loop checks depend on the set only: once per run of prefixes
            peer.lastImported = attrs;
            peer.lastImportLoopFree = loopFree(peer, attrs);
        }
        if (!peer.lastImportLoopFree) {
            return false;
        }
        return peer.importPolicy == null || peer.importPolicy.accept(key, attrs);
    }

    private boolean loopFree(RibPeer peer, PathAttributes attrs) {
        if (peer.slot != LOCAL) {
            if (!peer.ibgp && attrs.pathContains(peer.localAs)) {
                return false; // AS loop
            }
            if (peer.ibgp && attrs.hasOriginatorId && attrs.originatorId == routerId) {
                return false; // our own route reflected back (RFC 4456)
            }
            if (peer.ibgp && clusterId != null && attrs.clusterListContains(clusterId)) {
                return false; // reflection loop
            }
        }
        return true;
    }

    /** Drops every route of a peer whose session ended without graceful restart. */
    void dropRoutes(RibPeer peer) {
        PrefixTable in = peer.adjRibIn;
        PrefixTable stale = peer.stale;
        peer.adjRibIn = new PrefixTable(16, false);
        peer.stale = null;
        peer.rejected.clear();
        in.keys().forEachDecide(this);
        if (stale != null) {
            stale.keys().forEachDecide(this);
        }
    }

    /** Graceful restart helper: keep the peer's routes as stale until End-of-RIB or the timer. */
    void markStale(RibPeer peer) {
        if (peer.stale == null) {
            peer.stale = peer.adjRibIn;
        } else {
            PrefixTable merged = peer.stale;
            peer.adjRibIn.forEach((k, v, i) -> merged.put(k, v));
        }
        peer.adjRibIn = new PrefixTable(Math.max(16, peer.stale.size()), false);
    }

    /** Withdraws the stale routes of one family (End-of-RIB) or all (family 0: timer expired). */
    void purgeStale(RibPeer peer, int afiSafi) {
        PrefixTable stale = peer.stale;
        if (stale == null) {
            return;
        }
        LongList keys = stale.keys();
        for (int i = 0; i < keys.size(); i++) {
            long k = keys.get(i);
            boolean v6 = Prefixes.isV6(k);
            if (afiSafi == 0 || (v6 ? afiSafi == OpenMessage.IPV6_UNICAST : afiSafi == OpenMessage.IPV4_UNICAST)) {
                stale.remove(k);
                decide(k);
            }
        }
        if (stale.size() == 0) {
            peer.stale = null;
        }
    }

    // ---------------------------------------------------------------- decision

    /** Runs the decision process for one prefix over every peer's candidate. */
    void decide(long key) {
        PathAttributes best = null;
        int bestSlot = -1;
        RibPeer[] ps = peers;
        for (int s = 0; s < ps.length; s++) {
            RibPeer p = ps[s];
            if (p == null) {
                continue;
            }
            PathAttributes a = p.candidate(key);
            if (a != null && (best == null || compare(a, p, best, ps[bestSlot]) < 0)) {
                best = a;
                bestSlot = s;
            }
        }
        if (best == null) {
            if (locRib.remove(key) == null) {
                return;
            }
        } else {
            int oldSlot = locRib.getInt(key, -1);
            Object old = locRib.put(key, best, bestSlot);
            if (old == best && oldSlot == bestSlot) {
                if (sinkWanted) { // the best stayed, but its ECMP siblings may have changed
                    sinkDirty.add(key);
                    requestFlush();
                    if (sinkDirty.size() >= SINK_CHUNK) {
                        sinkChunkFull.run();
                    }
                }
                return;
            }
        }
        changed(key, bestSlot);
    }

    /** The best path of {@code key} changed: every session re-evaluates its export. */
    private void changed(long key, int bestSlot) {
        if (sinkWanted) {
            sinkDirty.add(key);
        }
        RibPeer[] ps = peers;
        boolean any = false;
        for (int s = 1; s < ps.length; s++) {
            RibPeer p = ps[s];
            if (p != null && p.established && !p.isFollower()) { // a group's leader marks for all
                if (s == bestSlot && p.followers.isEmpty()
                        && (p.adjRibOut.size() == 0 || !p.adjRibOut.containsKey(key))) {
                    continue; // its own route, and nothing to take back from it
                }
                p.dirty.add(key);
                any = true;
            }
        }
        if (any || sinkWanted) {
            requestFlush();
        }
        if (sinkWanted && sinkDirty.size() >= SINK_CHUNK) {
            sinkChunkFull.run();
        }
    }

    void requestFlush() {
        if (!flushRequested) {
            flushRequested = true;
            flushRequest.run();
        }
    }

    void flushed() {
        flushRequested = false;
    }

    static long localPref(PathAttributes a) {
        return a.localPref >= 0 ? a.localPref : DEFAULT_LOCAL_PREF;
    }

    /**
     * RFC 4271 9.1.2.2 up to (not including) the router-id tie-break: equal paths here are
     * equal-cost multipath. Negative when {@code a} is better.
     */
    int compareForMultipath(PathAttributes a, RibPeer pa, PathAttributes b, RibPeer pb) {
        if ((pa.slot == LOCAL) != (pb.slot == LOCAL)) {
            return pa.slot == LOCAL ? -1 : 1; // our own routes first
        }
        int c = Long.compare(localPref(b), localPref(a));
        if (c != 0) {
            return c;
        }
        c = Integer.compare(a.asPathLength(), b.asPathLength());
        if (c != 0) {
            return c;
        }
        c = Integer.compare(a.origin, b.origin);
        if (c != 0) {
            return c;
        }
        if (a.firstAs() == b.firstAs()) {
            c = Long.compare(Math.max(a.med, 0), Math.max(b.med, 0));
            if (c != 0) {
                return c;
            }
        }
        if (pa.ibgp != pb.ibgp) {
            return pa.ibgp ? 1 : -1; // external paths before internal ones
        }
        return 0;
    }

    int compare(PathAttributes a, RibPeer pa, PathAttributes b, RibPeer pb) {
        int c = compareForMultipath(a, pa, b, pb);
        if (c != 0) {
            return c;
        }
        c = Integer.compareUnsigned(a.hasOriginatorId ? a.originatorId : pa.remoteId,
                b.hasOriginatorId ? b.originatorId : pb.remoteId);
        if (c != 0) {
            return c;
        }
        c = Integer.compare(a.clusterList == null ? 0 : a.clusterList.length, b.clusterList == null ? 0 : b.clusterList.length);
        if (c != 0) {
            return c;
        }
        return Arrays.compareUnsigned(pa.remoteAddress, pb.remoteAddress);
    }

    /** The best path and every path equal to it up to the multipath step, best first. */
    List<RibPeer> multipath(long key) {
        int bestSlot = locRib.getInt(key, -1);
        if (bestSlot < 0) {
            return List.of();
        }
        PathAttributes best = (PathAttributes) locRib.get(key);
        RibPeer bestPeer = peers[bestSlot];
        List<RibPeer> out = new ArrayList<>(2);
        out.add(bestPeer);
        for (RibPeer p : peers) {
            if (p == null || p == bestPeer) {
                continue;
            }
            PathAttributes a = p.candidate(key);
            if (a != null && compareForMultipath(a, p, best, bestPeer) == 0) {
                out.add(p);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- export

    /** Marks the whole Loc-RIB for a peer whose session just came up. */
    void scheduleFullExport(RibPeer peer) {
        peer.resetExport();
        LongList keys = locRib.keys();
        for (int i = 0; i < keys.size(); i++) {
            peer.dirty.add(keys.get(i));
        }
        peer.endOfRibPending = true;
        requestFlush();
    }

    /** The attributes to send {@code peer} for {@code key}, or null when it must not have it. */
    PathAttributes exportFor(RibPeer peer, long key) {
        return exportFor(peer, key, !peer.followers.isEmpty());
    }

    /**
     * With {@code shared} (an update group) the per-peer split horizon is skipped: a member may
     * get its own route back, which it drops (AS path or ORIGINATOR_ID, RFC 4271 / 4456), as
     * with other speakers' update groups.
     */
    PathAttributes exportFor(RibPeer peer, long key, boolean shared) {
        int at = locRib.indexOf(key);
        if (at < 0) {
            return null;
        }
        int srcSlot = locRib.intAt(at);
        if (srcSlot == peer.slot && !shared) {
            return null;
        }
        PathAttributes a = (PathAttributes) locRib.valueAt(at);
        RibPeer src = peers[srcSlot];
        boolean v6 = Prefixes.isV6(key);
        if (v6 ? !peer.ipv6 : !peer.ipv4) {
            return null;
        }
        if (a.noAdvertise || (a.noExport && !peer.ibgp)) {
            return null; // RFC 1997 well-known communities
        }
        boolean fromIbgp = srcSlot != LOCAL && src.ibgp;
        if (peer.ibgp && fromIbgp) {
            if (clusterId == null || (!src.routeReflectorClient && !peer.routeReflectorClient)) {
                return null; // iBGP split horizon; a reflector passes client routes to all, others to clients
            }
            if (!shared && (a.hasOriginatorId ? a.originatorId : src.remoteId) == peer.remoteId) {
                return null;
            }
        }
        if (!peer.ibgp && a.pathContains(peer.peerAs)) {
            return null; // the peer would drop it as a loop
        }
        if (peer.exportPolicy != null && !peer.exportPolicy.accept(key, a)) {
            return null;
        }
        if (a == peer.lastExported && srcSlot == peer.lastExportSource && v6 == peer.lastExportV6) {
            return peer.lastExportResult; // a table is mostly runs of one attribute set
        }
        IdentityHashMap<PathAttributes, PathAttributes> cache = peer.cacheFor(srcSlot, v6);
        PathAttributes out = cache.get(a);
        if (out == null) {
            out = transform(peer, src, a, v6);
            if (out == null) {
                return null;
            }
            cache.put(a, out);
        }
        peer.lastExported = a;
        peer.lastExportSource = srcSlot;
        peer.lastExportV6 = v6;
        peer.lastExportResult = out;
        return out;
    }

    private PathAttributes transform(RibPeer peer, RibPeer src, PathAttributes a, boolean v6) {
        PathAttributes.Builder b = a.toBuilder();
        byte[] self = v6 ? peer.localAddress6 : peer.localAddress4;
        boolean local = src.slot == LOCAL;
        if (!peer.ibgp) {
            b.prepend(peer.localAs, 1);
            b.localPref = -1;
            b.hasOriginatorId = false;
            b.clusterList = null;
            if (!local) {
                b.med = -1; // a neighbour AS's MED means nothing further on
            }
            if (!peer.keepNextHop || a.nextHop == null) {
                b.nextHop = self;
            }
        } else {
            b.localPref = localPref(a);
            boolean reflected = !local && src.ibgp;
            if (reflected) {
                b.hasOriginatorId = true;
                b.originatorId = a.hasOriginatorId ? a.originatorId : src.remoteId;
                int[] cl = a.clusterList == null ? new int[0] : a.clusterList;
                int[] ncl = new int[cl.length + 1];
                ncl[0] = clusterId;
                System.arraycopy(cl, 0, ncl, 1, cl.length);
                b.clusterList = ncl;
                if (peer.nextHopSelf && !peer.keepNextHop) {
                    b.nextHop = self;
                }
            } else if (local || a.nextHop == null || (peer.nextHopSelf && !peer.keepNextHop)) {
                b.nextHop = self; // our own routes, or next-hop-self asked for; else the external next hop is kept (RFC 4271 5.1.3)
            }
        }
        if (peer.exportCommunities != null) {
            b.communities = withAdded(b.communities, peer.exportCommunities, 1);
        }
        if (peer.exportLargeCommunities != null) {
            b.largeCommunities = withAdded(b.largeCommunities, peer.exportLargeCommunities, 3);
        }
        if (b.nextHop == null || b.nextHop.length != (v6 ? 16 : 4) && !(v6 && b.nextHop.length == 32)) {
            return null; // no usable next hop of this family on the session
        }
        return interner.intern(b.build());
    }

    /**
     * {@code have} with the groups of {@code width} ints in {@code add} appended, those already
     * present skipped. Runs once per exported attribute set (the result is cached), not per prefix.
     */
    static int[] withAdded(int[] have, int[] add, int width) {
        int[] out = have == null ? new int[0] : have;
        for (int i = 0; i < add.length; i += width) {
            boolean present = false;
            for (int j = 0; j + width <= out.length && !present; j += width) {
                present = Arrays.equals(out, j, j + width, add, i, i + width);
            }
            if (!present) {
                int[] grown = Arrays.copyOf(out, out.length + width);
                System.arraycopy(add, i, grown, out.length, width);
                out = grown;
            }
        }
        return out.length == 0 ? have : out;
    }

    Map<String, Integer> stats() {
        return Map.of("locRib", locRib.size(), "attributeSets", interner.size());
    }
}
