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
import io.weft.api.datastore.KeyNotFoundException;
import io.weft.api.datastore.RevisionConflictException;
import io.weft.api.ipam.IpamException;
import io.weft.api.model.IPAMBlock;
import io.weft.api.model.ResourceKind;
import io.weft.api.net.Cidr;
import io.weft.api.resource.InvalidResourceException;
import io.weft.api.resource.ResourceStore;

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

    BlockWriter(ResourceStore store, HandleBook handles) {
        this.store = store;
        this.handles = handles;
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
        for (int attempt = 0; attempt < Backoff.MAX_ATTEMPTS; attempt++) {
            Optional<IPAMBlock> current = read(block);
            if (current.isEmpty()) {
                return List.of();
            }
            BlockState state = BlockState.of(current.get().spec());
            if (state.deleted() || (affineNode != null && !state.affineTo(affineNode))) {
                return List.of();
            }
            List<Integer> ordinals = state.autoAssign(count, handleId, attributes, reserved);
            if (ordinals.isEmpty()) {
                return List.of();
            }
            handles.increment(handleId, block.toString(), ordinals.size());
            try {
                store.update(current.get().withSpec(state.toSpec()));
            } catch (RevisionConflictException | KeyNotFoundException e) {
                handles.decrement(handleId, Map.of(block.toString(), ordinals.size()));
                Backoff.pause(attempt);
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
