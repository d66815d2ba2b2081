package io.weft.ipam.block;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.KeyExistsException;
import io.weft.api.datastore.KeyNotFoundException;
import io.weft.api.datastore.RevisionConflictException;
import io.weft.api.ipam.IpamException;
import io.weft.api.model.AffinityState;
import io.weft.api.model.BlockAffinity;
import io.weft.api.model.BlockAffinitySpec;
import io.weft.api.model.IPAMHandle;
import io.weft.api.model.IPAMHandleSpec;
import io.weft.api.model.ObjectMeta;
import io.weft.api.net.Cidr;
import io.weft.api.resource.InvalidResourceException;
import io.weft.api.resource.ResourceStore;

/**
 * Puts IPAM data back in order after interrupted writes, never by releasing an address someone
 * holds: handle counts are set to what the blocks hold (the blocks are the truth), handles
 * marked deleted are removed, pending claims are confirmed when their block exists and rolled
 * back when it does not, and blocks affine to a node get their missing BlockAffinity back.
 *
 * <p>Another node's allocation in flight looks exactly like an interrupted one for a few
 * milliseconds. With a minimum age, a finding is only acted on when a previous pass saw it
 * with the same resource revisions at least that long ago: a live writer changes a revision
 * within milliseconds, a dead one never does. Age zero acts at once, for when nothing else
 * writes (a single node, or an operator's {@code ipam check --repair}).
 */
final class IpamRepair {

    private static final Logger LOG = LoggerFactory.getLogger(IpamRepair.class);

    private record Seen(String fingerprint, long firstNanos) {
    }

    private final Map<String, Seen> seen = new ConcurrentHashMap<>();

    /** Returns the number of resources changed. */
    int repair(ResourceStore store, Duration minAge)
            throws DatastoreException, InvalidResourceException, IpamException {
        Inventory inv = Inventory.read(store);
        HandleBook handles = new HandleBook(store);
        BlockClaims claims = new BlockClaims(store, new BlockWriter(store, handles));
        Set<String> keys = new HashSet<>();
        int fixed = 0;

        for (BlockAffinity a : inv.affinities.values()) {
            String problem = IpamCheck.affinityProblem(inv, a);
            if (problem == null) {
                continue;
            }
            String name = a.metadata().name();
            Cidr cidr;
            try {
                cidr = Cidr.parse(a.spec().cidr());
            } catch (IllegalArgumentException e) {
                continue; // unreadable: reported by the check, left for an operator
            }
            BlockState block = inv.states.get(BlockNames.block(cidr));
            boolean blockIsOurs = block != null && block.affineTo(a.spec().node());
            boolean releasing = a.spec().deleted() || a.spec().state() == AffinityState.PENDING_DELETION;
            if (blockIsOurs && !releasing) {
                // the claim got as far as the block: finishing it is what the claimer would do
                claims.claim(a.spec().node(), cidr);
                LOG.info("repair: confirmed the claim of node {} on block {}", a.spec().node(), cidr);
                fixed++;
            } else if (!blockIsOurs) {
                String key = "affinity/" + name;
                keys.add(key);
                if (due(key, a.metadata().resourceVersion() + "|" + inv.blockRevision(cidr.toString()), minAge)) {
                    claims.deleteAffinity(name);
                    LOG.warn("repair: removed BlockAffinity {} ({})", name, problem);
                    fixed++;
                }
            }
            // releasing an affinity whose block is still ours: another tool's release in progress; report only
        }

        for (Map.Entry<String, BlockState> e : inv.states.entrySet()) {
            BlockState state = e.getValue();
            String node = inv.blocks.get(e.getKey()).spec().affineHost().orElse(null);
            if (node == null || inv.affinities.containsKey(BlockNames.affinity(node, state.cidr))) {
                continue;
            }
            String key = "block-affinity/" + e.getKey();
            keys.add(key);
            if (due(key, inv.blocks.get(e.getKey()).metadata().resourceVersion(), minAge)) {
                try {
                    store.create(new BlockAffinity(ObjectMeta.named(BlockNames.affinity(node, state.cidr)),
                            new BlockAffinitySpec(AffinityState.CONFIRMED, node, BlockAffinitySpec.TYPE_HOST,
                                    state.cidr.toString(), false)));
                    LOG.warn("repair: block {} is affine to {} but had no BlockAffinity; recreated it", state.cidr,
                            node);
                    fixed++;
                } catch (KeyExistsException ignored) {
                    // written meanwhile
                }
            }
        }

        Set<String> ids = new TreeSet<>(inv.handles.keySet());
        ids.addAll(inv.held.keySet());
        for (String id : ids) {
            IPAMHandle h = inv.handles.get(id);
            Map<String, Integer> held = inv.heldBy(id);
            boolean deleted = h != null && h.spec().deleted();
            if (h != null && !deleted && h.spec().block().equals(held)) {
                continue;
            }
            String key = "handle/" + id;
            keys.add(key);
            if (!due(key, fingerprint(inv, h, held), minAge)) {
                continue;
            }
            try {
                if (h == null) {
                    handles.create(id, held);
                    LOG.warn("repair: addresses held under handle {} had no IPAMHandle; created it with {}", id, held);
                } else if (deleted && held.isEmpty()) {
                    handles.removeMarked(h.metadata().name());
                    LOG.warn("repair: removed handle {}, left marked deleted by an interrupted release", id);
                } else if (deleted) {
                    store.update(h.withSpec(new IPAMHandleSpec(id, held, false)));
                    LOG.warn("repair: handle {} was marked deleted but still holds {}; kept it", id, held);
                } else {
                    handles.setCounts(h, held);
                    LOG.warn("repair: handle {} recorded {} but the blocks hold {}; corrected", id,
                            h.spec().block(), held);
                }
                fixed++;
            } catch (KeyExistsException | RevisionConflictException | KeyNotFoundException raced) {
                // a live writer changed it: not ours to fix
            }
        }
        seen.keySet().retainAll(keys);
        return fixed;
    }

    private static String fingerprint(Inventory inv, IPAMHandle h, Map<String, Integer> held) {
        Set<String> blocks = new TreeSet<>(held.keySet());
        if (h != null) {
            blocks.addAll(h.spec().block().keySet());
        }
        StringBuilder sb = new StringBuilder(h == null ? "-" : h.metadata().resourceVersion());
        for (String b : blocks) {
            sb.append('|').append(b).append('@').append(inv.blockRevision(b));
        }
        return sb.toString();
    }

    /** True if the finding may be acted on now; see the class comment. */
    private boolean due(String key, String fingerprint, Duration minAge) {
        if (minAge.isZero() || minAge.isNegative()) {
            return true;
        }
        long now = System.nanoTime();
        Seen previous = seen.get(key);
        if (previous == null || !previous.fingerprint().equals(fingerprint)) {
            seen.put(key, new Seen(fingerprint, now));
            return false;
        }
        return now - previous.firstNanos() >= minAge.toNanos();
    }
}
