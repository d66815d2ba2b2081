package io.weft.ipam.block;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.KeyExistsException;
import io.weft.api.datastore.KeyNotFoundException;
import io.weft.api.datastore.RevisionConflictException;
import io.weft.api.ipam.IpamException;
import io.weft.api.model.IPAMBlock;
import io.weft.api.model.IPAMHandle;
import io.weft.api.model.ResourceKind;
import io.weft.api.net.Cidr;
import io.weft.api.resource.InvalidResourceException;
import io.weft.api.resource.ResourceStore;
import io.weft.api.resource.ResourceWrite;

/**
 * Every change to an IPAMBlock: read, change a {@link BlockState} copy, write back with
 * compare-and-swap, start over when another writer got there first. The handle is counted up
 * before an allocation is written and down after a release is written (see {@link HandleBook}).
 */
final class BlockWriter {

    /** What {@link #assignExact} found. */
    enum Exact { ASSIGNED, ALREADY_HELD, NO_BLOCK }

    /** Addresses freed from one block and how many of them each handle held. */
    record Freed(List<InetAddress> addresses, Map<String, Integer> perHandle) {
    }

    private final ResourceStore store;
    private final HandleBook handles;
    /** What this allocator wrote last, to skip a read before a commit; null: always read. */
    private final LastWritten last;

    BlockWriter(ResourceStore store, HandleBook handles) {
        this(store, handles, null);
    }

    BlockWriter(ResourceStore store, HandleBook handles, LastWritten last) {
        this.store = store;
        this.handles = handles;
        this.last = last;
    }

    /** The remembered block on a first attempt, else (or when there is none) the stored one. */
    private Optional<IPAMBlock> readForWrite(Cidr block, boolean useRemembered) throws DatastoreException {
        if (useRemembered && last != null) {
            Optional<IPAMBlock> remembered = last.block(block);
            if (remembered.isPresent()) {
                return remembered;
            }
        }
        return read(block);
    }

    private void remember(Cidr block, Object written) {
        if (last != null && written instanceof IPAMBlock b) {
            last.wrote(block, b);
        }
    }

    Optional<IPAMBlock> read(Cidr block) throws DatastoreException {
        return store.get(ResourceKind.IPAM_BLOCK, null, BlockNames.block(block));
    }

    /**
     * Takes up to {@code count} free addresses from the block. Empty when the block does not
     * exist, is being deleted, is full, or (with {@code affineNode} set) belongs to another node
     * by the time it is read.
     */
    List<InetAddress> allocate(Cidr block, int count, String handleId, Map<String, String> attributes,
            String affineNode, Predicate<InetAddress> reserved)
            throws DatastoreException, InvalidResourceException, IpamException {
        boolean trustRemembered = true;
        for (int attempt = 0; attempt < Backoff.MAX_ATTEMPTS; attempt++) {
            boolean remembered = trustRemembered && last != null && last.block(block).isPresent();
            trustRemembered = false;
            Optional<IPAMBlock> current = readForWrite(block, remembered);
            BlockState state = current.isEmpty() ? null : BlockState.of(current.get().spec());
            List<Integer> ordinals = state == null || state.deleted()
                    || (affineNode != null && !state.affineTo(affineNode)) ? List.of()
                    : state.autoAssign(count, handleId, attributes, reserved);
            if (ordinals.isEmpty()) {
                if (remembered) {
                    attempt--; // a remembered block is never trusted to say "nothing here": read it
                    last.forgetBlock(block);
                    continue;
                }
                return List.of();
            }
            IPAMBlock written = current.get().withSpec(state.toSpec());
            if (handles.firstUse(handleId)) {
                // a new pod's handle and the block in one commit: one round trip and one flush.
                // The handle comes first, so a store that keeps a prefix after a crash keeps
                // at most a handle claiming more than the block holds, which repair corrects.
                try {
                    List<io.weft.api.model.Resource> done = store.commit(List.of(ResourceWrite.create(
                            HandleBook.newHandle(handleId, block.toString(), ordinals.size())),
                            ResourceWrite.update(written)));
                    if (last != null && done.get(0) instanceof IPAMHandle h) {
                        last.wrote(h);
                    }
                    remember(block, done.get(1));
                    return addresses(state, ordinals);
                } catch (KeyExistsException e) {
                    if (!e.existing().key().endsWith("/" + handleId)) {
                        throw e;
                    }
                    // the handle exists (a retried CNI ADD, a second address): count it up below
                } catch (RevisionConflictException | KeyNotFoundException e) {
                    handles.forgetFirstUse(handleId); // nothing was written: the next attempt may commit both
                    if (last != null) {
                        last.forgetBlock(block);
                    }
                    if (!remembered) {
                        Backoff.pause(attempt); // a lost race; a stale remembered block just needs a read
                    }
                    continue;
                }
            }
            handles.increment(handleId, block.toString(), ordinals.size());
            try {
                remember(block, store.update(written));
            } catch (RevisionConflictException | KeyNotFoundException e) {
                handles.decrement(handleId, Map.of(block.toString(), ordinals.size()));
                if (last != null) {
                    last.forgetBlock(block);
                }
                if (!remembered) {
                    Backoff.pause(attempt);
                }
                continue;
            }
            List<InetAddress> out = new ArrayList<>(ordinals.size());
            for (int ordinal : ordinals) {
                out.add(state.address(ordinal));
            }
            return out;
        }
        throw conflict(block);
    }

    private static List<InetAddress> addresses(BlockState state, List<Integer> ordinals) {
        List<InetAddress> out = new ArrayList<>(ordinals.size());
        for (int ordinal : ordinals) {
            out.add(state.address(ordinal));
        }
        return out;
    }

    /**
     * Releases everything handle {@code h} (as read) holds in {@code block}, its only block, and
     * deletes the handle, in one commit: the block first, so a prefix kept after a crash is a
     * handle claiming more than the block holds, as with separate writes.
     *
     * @return the freed addresses, or null when the handle changed since it was read (read it again)
     */
    List<InetAddress> releaseOnlyBlockAndHandle(Cidr block, IPAMHandle h)
            throws DatastoreException, InvalidResourceException, IpamException {
        String handleId = h.metadata().name();
        boolean trustRemembered = true;
        for (int attempt = 0; attempt < Backoff.MAX_ATTEMPTS; attempt++) {
            boolean remembered = trustRemembered && last != null && last.block(block).isPresent();
            trustRemembered = false;
            Optional<IPAMBlock> current = readForWrite(block, remembered);
            List<ResourceWrite> writes = new ArrayList<>(2);
            List<InetAddress> freed = List.of();
            if (current.isPresent()) {
                BlockState state = BlockState.of(current.get().spec());
                List<Integer> ordinals = state.ordinalsOf(h.spec().handleID() == null ? handleId : h.spec().handleID());
                if (!ordinals.isEmpty()) {
                    state.release(ordinals);
                    writes.add(ResourceWrite.update(current.get().withSpec(state.toSpec())));
                    freed = addresses(state, ordinals);
                } else if (remembered) {
                    attempt--; // the remembered block may just be old: never conclude "nothing held" from it
                    continue;
                }
            }
            writes.add(ResourceWrite.delete(h));
            try {
                List<io.weft.api.model.Resource> done = store.commit(writes);
                if (writes.size() == 2) {
                    remember(block, done.get(0));
                }
                if (last != null) {
                    last.forgetHandle(handleId);
                }
                return freed;
            } catch (RevisionConflictException e) {
                if (last != null) {
                    last.forgetBlock(block);
                    last.forgetHandle(handleId);
                }
                if (e.current().key().endsWith("/" + handleId)) {
                    return null;
                }
                if (!remembered) {
                    Backoff.pause(attempt);
                }
            } catch (KeyNotFoundException e) {
                if (last != null) {
                    last.forgetBlock(block);
                    last.forgetHandle(handleId);
                }
                if (e.key().endsWith("/" + handleId)) {
                    return null;
                }
                if (!remembered) {
                    Backoff.pause(attempt);
                }
            }
        }
        throw conflict(block);
    }

    /**
     * Allocates exactly {@code address}.
     *
     * @throws IpamException INVALID_REQUEST naming the holder if another handle holds it
     */
    Exact assignExact(Cidr block, InetAddress address, String handleId, Map<String, String> attributes)
            throws DatastoreException, InvalidResourceException, IpamException {
        for (int attempt = 0; attempt < Backoff.MAX_ATTEMPTS; attempt++) {
            Optional<IPAMBlock> current = read(block);
            if (current.isEmpty() || current.get().spec().deleted()) {
                return Exact.NO_BLOCK;
            }
            BlockState state = BlockState.of(current.get().spec());
            int ordinal = state.ordinalOf(address);
            if (state.allocated(ordinal)) {
                String holder = state.handleAt(ordinal);
                if (holder != null && holder.equals(handleId)) {
                    return Exact.ALREADY_HELD;
                }
                String ip = Cidr.format(address);
                throw new IpamException(IpamException.Reason.INVALID_REQUEST, ip + " is already assigned (handle "
                        + (holder == null ? "none" : holder) + "); pick another address or release it first with"
                        + " weftctl ipam release --ip " + ip);
            }
            state.assign(ordinal, handleId, attributes);
            handles.increment(handleId, block.toString(), 1);
            try {
                store.update(current.get().withSpec(state.toSpec()));
                return Exact.ASSIGNED;
            } catch (RevisionConflictException | KeyNotFoundException e) {
                handles.decrement(handleId, Map.of(block.toString(), 1));
                Backoff.pause(attempt);
            }
        }
        throw conflict(block);
    }

    /** Frees everything {@code handleId} holds in the block; the handle itself is left alone. */
    List<InetAddress> releaseHandle(Cidr block, String handleId)
            throws DatastoreException, InvalidResourceException, IpamException {
        for (int attempt = 0; attempt < Backoff.MAX_ATTEMPTS; attempt++) {
            Optional<IPAMBlock> current = read(block);
            if (current.isEmpty()) {
                return List.of();
            }
            BlockState state = BlockState.of(current.get().spec());
            List<Integer> ordinals = state.ordinalsOf(handleId);
            if (ordinals.isEmpty()) {
                return List.of();
            }
            state.release(ordinals);
            try {
                store.update(current.get().withSpec(state.toSpec()));
            } catch (RevisionConflictException | KeyNotFoundException e) {
                Backoff.pause(attempt);
                continue;
            }
            List<InetAddress> out = new ArrayList<>();
            for (int ordinal : ordinals) {
                out.add(state.address(ordinal));
            }
            return out;
        }
        throw conflict(block);
    }

    /** Frees those of {@code addresses} (all inside {@code block}) that are allocated. */
    Freed releaseAddresses(Cidr block, Collection<InetAddress> addresses)
            throws DatastoreException, InvalidResourceException, IpamException {
        for (int attempt = 0; attempt < Backoff.MAX_ATTEMPTS; attempt++) {
            Optional<IPAMBlock> current = read(block);
            if (current.isEmpty()) {
                return new Freed(List.of(), Map.of());
            }
            BlockState state = BlockState.of(current.get().spec());
            List<Integer> ordinals = new ArrayList<>();
            List<InetAddress> freed = new ArrayList<>();
            for (InetAddress a : addresses) {
                int ordinal = state.ordinalOf(a);
                if (state.allocated(ordinal) && !ordinals.contains(ordinal)) {
                    ordinals.add(ordinal);
                    freed.add(a);
                }
            }
            if (ordinals.isEmpty()) {
                return new Freed(List.of(), Map.of());
            }
            Map<String, Integer> perHandle = new HashMap<>(state.release(ordinals));
            try {
                store.update(current.get().withSpec(state.toSpec()));
                return new Freed(freed, perHandle);
            } catch (RevisionConflictException | KeyNotFoundException e) {
                Backoff.pause(attempt);
            }
        }
        throw conflict(block);
    }

    static IpamException conflict(Cidr block) {
        return new IpamException(IpamException.Reason.CONFLICT, "IPAMBlock " + block + ": gave up after "
                + Backoff.MAX_ATTEMPTS + " compare-and-swap conflicts with concurrent writers; try again");
    }
}
