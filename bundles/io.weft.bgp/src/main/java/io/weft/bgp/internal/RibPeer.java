package io.weft.bgp.internal;

import java.util.IdentityHashMap;

/**
 * A peer as the RIB sees it: its Adj-RIB-In (and the stale copy kept through a graceful restart),
 * its Adj-RIB-Out, the prefixes waiting to be sent and the export rules for it. Slot 0 is the
 * speaker itself (locally originated routes).
 */
final class RibPeer {
    final int slot;
    final String name;
    /** Routes accepted from the peer: prefix key to interned attributes. */
    PrefixTable adjRibIn = new PrefixTable(16, false);
    /** Routes kept from the previous session during a graceful restart, or null. */
    PrefixTable stale;
    /** Prefixes the peer sent that import rules refused (loops, policy): counted, not used. */
    final PrefixTable rejected = new PrefixTable(16, false);
    /**
     * What the peer was last told: prefix key to the attributes as sent. Shared by the members of
     * an update group (peers with the same export rules, in sync), as is {@link #dirty}.
     */
    PrefixTable adjRibOut = new PrefixTable(16, false);
    /** Prefixes whose export may have changed since the last flush. */
    LongList dirty = new LongList(64);
    /** The group's leader when this peer follows one; the leader computes and encodes for all. */
    RibPeer groupLeader;
    /** Peers that receive what this one (the leader) is sent. */
    final java.util.List<RibPeer> followers = new java.util.ArrayList<>(0);
    /** Export rules in one string: equal signatures may share an update group. */
    String exportSignature;
    /** The session this peer belongs to (for the group's writes). */
    Object session;

    // fixed for the session
    boolean ibgp;
    boolean routeReflectorClient;
    long localAs;
    long peerAs;
    int remoteId;
    byte[] remoteAddress = new byte[4];
    byte[] localAddress4;
    byte[] localAddress6;
    boolean nextHopSelf;
    boolean keepNextHop;
    boolean ipv4;
    boolean ipv6;
    boolean as4;
    boolean established;
    boolean endOfRibPending;
    int maxPrefixes;
    /** Communities added to every route sent to this peer (standard values; large ones as triples), or null. */
    int[] exportCommunities;
    int[] exportLargeCommunities;
    RoutePolicyHook importPolicy;
    RoutePolicyHook exportPolicy;
    /** Exported attribute sets by source slot and family, so export rules run once per set. */
    @SuppressWarnings("unchecked")
    IdentityHashMap<PathAttributes, PathAttributes>[] exportCache = new IdentityHashMap[0];

    /** The last export computed, reused while a run of prefixes shares it. */
    PathAttributes lastExported;
    int lastExportSource = -1;
    boolean lastExportV6;
    PathAttributes lastExportResult;

    private void leaveGroup() {
        if (groupLeader != null) {
            groupLeader.followers.remove(this);
            groupLeader = null;
        } else if (!followers.isEmpty()) {
            RibPeer next = followers.remove(0);
            next.groupLeader = null;
            next.followers.addAll(followers);
            for (RibPeer f : followers) {
                f.groupLeader = next;
            }
            followers.clear();
            next.lastExported = null;
            next.lastExportResult = null;
        }
    }

    /** Joins {@code leader}'s group: both are in sync with the Loc-RIB, so they share from now on. */
    void follow(RibPeer leader) {
        groupLeader = leader;
        leader.followers.add(this);
        adjRibOut = leader.adjRibOut;
        dirty = leader.dirty;
    }

    /** The last attribute set imported and whether it passed the loop checks. */
    PathAttributes lastImported;
    boolean lastImportLoopFree;

    RibPeer(int slot, String name) {
        this.slot = slot;
        this.name = name;
    }

    PathAttributes candidate(long key) {
        Object a = adjRibIn.get(key);
        if (a == null && stale != null) {
            a = stale.get(key);
        }
        return (PathAttributes) a;
    }

    /** Kept through the peer's graceful restart and not announced again yet. */
    boolean isStale(long key) {
        return stale != null && adjRibIn.get(key) == null && stale.get(key) != null;
    }

    int accepted() {
        int n = adjRibIn.size();
        if (stale != null) {
            n += stale.size(); // approximate during a restart: some may be in both
        }
        return n;
    }

    IdentityHashMap<PathAttributes, PathAttributes> cacheFor(int sourceSlot, boolean v6) {
        int index = sourceSlot * 2 + (v6 ? 1 : 0);
        if (index >= exportCache.length) {
            exportCache = java.util.Arrays.copyOf(exportCache, Math.max(index + 1, exportCache.length * 2));
        }
        IdentityHashMap<PathAttributes, PathAttributes> cache = exportCache[index];
        if (cache == null || cache.size() > 50_000) { // bounded: attribute sets come and go
            cache = new IdentityHashMap<>();
            exportCache[index] = cache;
        }
        return cache;
    }

    boolean isFollower() {
        return groupLeader != null;
    }

    /** Leaves the update group (if any) and starts from an empty Adj-RIB-Out of its own. */
    void resetExport() {
        leaveGroup();
        adjRibOut = new PrefixTable(16, false);
        dirty = new LongList(64);
        exportCache = new IdentityHashMap[0];
        lastExported = null;
        lastExportResult = null;
    }
}
