package io.weft.ipam.block;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.KeyExistsException;
import io.weft.api.datastore.KeyNotFoundException;
import io.weft.api.datastore.RevisionConflictException;
import io.weft.api.ipam.IpamException;
import io.weft.api.model.IPAMHandle;
import io.weft.api.model.IPAMHandleSpec;
import io.weft.api.model.ObjectMeta;
import io.weft.api.model.ResourceKind;
import io.weft.api.resource.InvalidResourceException;
import io.weft.api.resource.ResourceStore;

/**
 * The IPAMHandle side of every allocation: per handle, how many addresses it holds in which
 * block, so that release by handle reads only those blocks.
 *
 * <p>Ordering carries the crash safety. An allocation counts the handle up <em>before</em> it
 * writes the block, and a release writes the block <em>before</em> it counts the handle down;
 * a crash in between leaves a handle that claims more than the blocks hold, which
 * {@link IpamCheck} reports and {@code repair()} (or releasing the handle again) corrects,
 * and never an address that no handle can release.
 *
 * <p>A handle counted down to nothing is first marked {@code deleted} with compare-and-swap and
 * only then removed, because removal is not conditional: a writer that sees the mark waits for
 * the removal instead of adding to a handle about to vanish.
 */
final class HandleBook {

    /** Attempts spent waiting for another writer to remove a handle it marked deleted. */
    private static final int DELETED_WAIT_ATTEMPTS = 30;

    private final ResourceStore store;
    /** Handles this book has tried to create: a request's second increment updates instead. */
    private final Set<String> createTried = new HashSet<>();

    HandleBook(ResourceStore store) {
        this.store = store;
    }

    Optional<IPAMHandle> get(String handleId) throws DatastoreException {
        return store.get(ResourceKind.IPAM_HANDLE, null, handleId);
    }

    /**
     * True the first time this book sees {@code handleId}: the caller may create the handle
     * together with its block write; {@link #increment} then only updates.
     */
    boolean firstUse(String handleId) {
        return createTried.add(handleId);
    }

    /** The caller's combined write did not happen: the next {@link #firstUse} may try again. */
    void forgetFirstUse(String handleId) {
        createTried.remove(handleId);
    }

    static IPAMHandle newHandle(String handleId, String block, int count) {
        return new IPAMHandle(ObjectMeta.named(handleId), new IPAMHandleSpec(handleId, Map.of(block, count), false));
    }

    /** Adds {@code count} addresses in {@code block} to the handle, creating it if needed. */
    void increment(String handleId, String block, int count)
            throws DatastoreException, InvalidResourceException, IpamException {
        if (createTried.add(handleId)) {
            // a pod start's handle is new: create it without reading it first (one round trip less)
            try {
                store.create(new IPAMHandle(ObjectMeta.named(handleId),
                        new IPAMHandleSpec(handleId, Map.of(block, count), false)));
                return;
            } catch (KeyExistsException e) {
                // it exists (a retried CNI ADD, a second address): count it up below
            }
        }
        int sawDeleted = 0;
        for (int attempt = 0; attempt < Backoff.MAX_ATTEMPTS; attempt++) {
            Optional<IPAMHandle> current = get(handleId);
            try {
                if (current.isEmpty()) {
                    store.create(new IPAMHandle(ObjectMeta.named(handleId),
                            new IPAMHandleSpec(handleId, Map.of(block, count), false)));
                    return;
                }
                IPAMHandle h = current.get();
                if (h.spec().deleted()) {
                    // a release is removing it; after a while assume that writer died and finish for it
                    if (++sawDeleted >= DELETED_WAIT_ATTEMPTS && get(handleId).map(x -> x.spec().deleted())
                            .orElse(false)) {
                        removeMarked(handleId);
                    }
                    Backoff.pause(attempt);
                    continue;
                }
                Map<String, Integer> counts = new HashMap<>(h.spec().block());
                counts.merge(block, count, Integer::sum);
                store.update(h.withSpec(h.spec().withBlock(counts)));
                return;
            } catch (KeyExistsException | RevisionConflictException | KeyNotFoundException e) {
                Backoff.pause(attempt);
            }
        }
        throw conflict(handleId);
    }

    /** Takes addresses off the handle per block; removes the handle when nothing is left. */
    void decrement(String handleId, Map<String, Integer> byBlock)
            throws DatastoreException, InvalidResourceException, IpamException {
        if (byBlock.isEmpty()) {
            return;
        }
        for (int attempt = 0; attempt < Backoff.MAX_ATTEMPTS; attempt++) {
            Optional<IPAMHandle> current = get(handleId);
            if (current.isEmpty() || current.get().spec().deleted()) {
                return;
            }
            IPAMHandle h = current.get();
            Map<String, Integer> counts = new HashMap<>(h.spec().block());
            byBlock.forEach((block, n) -> counts.computeIfPresent(block, (k, v) -> v - n > 0 ? v - n : null));
            try {
                if (counts.isEmpty()) {
                    markAndRemove(h);
                } else {
                    store.update(h.withSpec(h.spec().withBlock(counts)));
                }
                return;
            } catch (RevisionConflictException | KeyNotFoundException e) {
                Backoff.pause(attempt);
            }
        }
        throw conflict(handleId);
    }

    /** Overwrites the counts of a handle read at {@code h}'s revision (repair); removes it if empty. */
    void setCounts(IPAMHandle h, Map<String, Integer> counts) throws DatastoreException, InvalidResourceException {
        if (counts.isEmpty()) {
            markAndRemove(h);
        } else {
            store.update(h.withSpec(new IPAMHandleSpec(h.spec().handleID() == null ? h.metadata().name()
                    : h.spec().handleID(), counts, false)));
        }
    }

    void create(String handleId, Map<String, Integer> counts) throws DatastoreException, InvalidResourceException {
        store.create(new IPAMHandle(ObjectMeta.named(handleId), new IPAMHandleSpec(handleId, counts, false)));
    }

    /**
     * Marks the handle deleted at the revision it was read (fails with a conflict if it changed),
     * then removes it.
     */
    void markAndRemove(IPAMHandle h) throws DatastoreException, InvalidResourceException {
        store.update(h.withSpec(new IPAMHandleSpec(h.spec().handleID(), Map.of(), true)));
        removeMarked(h.metadata().name());
    }

    /** Removes a handle already marked deleted; gone already is fine. */
    void removeMarked(String name) throws DatastoreException {
        try {
            store.delete(ResourceKind.IPAM_HANDLE, null, name);
        } catch (KeyNotFoundException e) {
            // another writer finished the removal
        }
    }

    private static IpamException conflict(String handleId) {
        return new IpamException(IpamException.Reason.CONFLICT, "IPAMHandle \"" + handleId + "\": gave up after "
                + Backoff.MAX_ATTEMPTS + " compare-and-swap conflicts with concurrent writers; try again");
    }
}
