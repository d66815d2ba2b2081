package io.weft.ipam.block;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;

import io.weft.api.model.AllocationAttribute;
import io.weft.api.model.IPAMBlockSpec;
import io.weft.api.net.Cidr;

/**
 * A working copy of one block's allocation state, changed in memory and written back as a
 * whole with compare-and-swap. Ordinals are offsets from the block's first address.
 *
 * <p>Free ordinals are handed out in the order of {@code unallocated}; released ones go to its
 * back, so an address just given up is the last to be reused (a pod that restarts quickly does
 * not receive the address its predecessor's peers may still have cached).
 */
final class BlockState {

    final Cidr cidr;
    private final String affinity;
    private final boolean strictAffinity;
    private final List<Integer> allocations;
    private final List<Integer> unallocated;
    private final List<AllocationAttribute> attributes;
    private final boolean deleted;
    private long sequenceNumber;
    private final Map<String, Long> sequenceNumberForAllocation;

    private BlockState(Cidr cidr, String affinity, boolean strictAffinity, List<Integer> allocations,
            List<Integer> unallocated, List<AllocationAttribute> attributes, boolean deleted, long sequenceNumber,
            Map<String, Long> sequenceNumberForAllocation) {
        this.cidr = cidr;
        this.affinity = affinity;
        this.strictAffinity = strictAffinity;
        this.allocations = allocations;
        this.unallocated = unallocated;
        this.attributes = attributes;
        this.deleted = deleted;
        this.sequenceNumber = sequenceNumber;
        this.sequenceNumberForAllocation = sequenceNumberForAllocation;
    }

    /** A block nobody has allocated from: every ordinal free, in ascending order. */
    static IPAMBlockSpec fresh(Cidr cidr, String affinity) {
        int size = (int) cidr.sizeAsLong();
        List<Integer> allocations = new ArrayList<>(size);
        List<Integer> unallocated = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            allocations.add(null);
            unallocated.add(i);
        }
        return new IPAMBlockSpec(cidr.toString(), affinity, false, allocations, unallocated, List.of(), false, 0L,
                Map.of());
    }

    /** @throws IllegalArgumentException if the CIDR is unreadable or not a block (at most 4096 addresses) */
    static BlockState of(IPAMBlockSpec spec) {
        Cidr cidr = spec.parsedCidr();
        if (cidr.addressBits() - cidr.prefixLength() > 12) {
            throw new IllegalArgumentException(cidr + " is too large for a block (at most 4096 addresses)");
        }
        int size = (int) cidr.sizeAsLong();
        List<Integer> allocations = new ArrayList<>(spec.allocations());
        // tolerate a short list (hand-written or foreign data): missing entries are free
        while (allocations.size() < size) {
            allocations.add(null);
        }
        return new BlockState(cidr, spec.affinity(), spec.strictAffinity(), allocations,
                new ArrayList<>(spec.unallocated()), new ArrayList<>(spec.attributes()), spec.deleted(),
                spec.sequenceNumber(), new TreeMap<>(spec.sequenceNumberForAllocation()));
    }

    IPAMBlockSpec toSpec() {
        return new IPAMBlockSpec(cidr.toString(), affinity, strictAffinity, allocations, unallocated, attributes,
                deleted, sequenceNumber, sequenceNumberForAllocation);
    }

    int size() {
        return allocations.size();
    }

    boolean deleted() {
        return deleted;
    }

    boolean affineTo(String node) {
        return IPAMBlockSpec.hostAffinity(node).equals(affinity);
    }

    InetAddress address(int ordinal) {
        return cidr.address(ordinal);
    }

    int ordinalOf(InetAddress address) {
        return (int) cidr.offsetOf(address);
    }

    int inUse() {
        int n = 0;
        for (Integer a : allocations) {
            if (a != null) {
                n++;
            }
        }
        return n;
    }

    /** Whether {@link #autoAssign} could hand out at least one address. */
    boolean hasFree(Predicate<InetAddress> reserved) {
        for (int ordinal : unallocated) {
            if (allocations.get(ordinal) == null && !reserved.test(address(ordinal))) {
                return true;
            }
        }
        return false;
    }

    /** The handle holding {@code ordinal}, or null if it is free or held without a handle. */
    String handleAt(int ordinal) {
        Integer index = allocations.get(ordinal);
        return index == null || index >= attributes.size() ? null : attributes.get(index).handleId();
    }

    boolean allocated(int ordinal) {
        return allocations.get(ordinal) != null;
    }

    /**
     * Takes up to {@code count} free ordinals from the front of the free list, skipping reserved
     * addresses (they stay free, so a reservation removed later gives them back).
     */
    List<Integer> autoAssign(int count, String handleId, Map<String, String> secondary,
            Predicate<InetAddress> reserved) {
        List<Integer> taken = new ArrayList<>(count);
        Iterator<Integer> it = unallocated.iterator();
        while (taken.size() < count && it.hasNext()) {
            int ordinal = it.next();
            if (allocations.get(ordinal) != null) {
                it.remove(); // stale entry in foreign data; never hand out an allocated ordinal
                continue;
            }
            if (reserved.test(address(ordinal))) {
                continue;
            }
            it.remove();
            taken.add(ordinal);
        }
        if (!taken.isEmpty()) {
            int index = attributeIndex(handleId, secondary);
            for (int ordinal : taken) {
                allocations.set(ordinal, index);
                sequenceNumberForAllocation.put(Integer.toString(ordinal), sequenceNumber);
            }
            sequenceNumber++;
        }
        return taken;
    }

    /** Allocates one given ordinal; false if it is already allocated. */
    boolean assign(int ordinal, String handleId, Map<String, String> secondary) {
        if (allocations.get(ordinal) != null) {
            return false;
        }
        unallocated.remove(Integer.valueOf(ordinal));
        allocations.set(ordinal, attributeIndex(handleId, secondary));
        sequenceNumberForAllocation.put(Integer.toString(ordinal), sequenceNumber);
        sequenceNumber++;
        return true;
    }

    List<Integer> ordinalsOf(String handleId) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < allocations.size(); i++) {
            if (allocations.get(i) != null && Objects.equals(handleId, handleAt(i))) {
                out.add(i);
            }
        }
        return out;
    }

    /** Allocations per handle (null key: held without a handle). */
    Map<String, Integer> countsByHandle() {
        Map<String, Integer> out = new HashMap<>();
        for (int i = 0; i < allocations.size(); i++) {
            if (allocations.get(i) != null) {
                out.merge(handleAt(i), 1, Integer::sum);
            }
        }
        return out;
    }

    /**
     * Frees the given ordinals that are allocated (others are ignored) and returns, per handle,
     * how many were freed (null key: held without a handle). Freed ordinals go to the back of the free list.
     */
    Map<String, Integer> release(Collection<Integer> ordinals) {
        Map<String, Integer> freed = new LinkedHashMap<>();
        for (int ordinal : ordinals) {
            if (allocations.get(ordinal) == null) {
                continue;
            }
            freed.merge(handleAt(ordinal), 1, Integer::sum);
            allocations.set(ordinal, null);
            if (!unallocated.contains(ordinal)) {
                unallocated.add(ordinal);
            }
            sequenceNumberForAllocation.remove(Integer.toString(ordinal));
        }
        if (!freed.isEmpty()) {
            compactAttributes();
            sequenceNumber++;
        }
        return freed;
    }

    /** Problems with the block's own bookkeeping, for {@link IpamCheck}; empty when sound. */
    List<String> selfCheck() {
        List<String> problems = new ArrayList<>();
        boolean[] free = new boolean[allocations.size()];
        for (int ordinal : unallocated) {
            if (ordinal < 0 || ordinal >= free.length) {
                problems.add("free list holds ordinal " + ordinal + " outside the block");
            } else if (free[ordinal]) {
                problems.add("ordinal " + ordinal + " is in the free list twice");
            } else {
                free[ordinal] = true;
                if (allocations.get(ordinal) != null) {
                    problems.add(Cidr.format(address(ordinal)) + " is both allocated and in the free list");
                }
            }
        }
        int allocated = inUse();
        if (allocated + unallocated.size() != allocations.size()) {
            problems.add(allocated + " allocated + " + unallocated.size() + " free != " + allocations.size()
                    + " addresses");
        }
        for (int i = 0; i < allocations.size(); i++) {
            Integer index = allocations.get(i);
            if (index != null && (index < 0 || index >= attributes.size())) {
                problems.add("allocation " + i + " refers to missing attribute " + index);
            }
        }
        return problems;
    }

    private int attributeIndex(String handleId, Map<String, String> secondary) {
        // the handles tell attributes apart: build and compare a whole attribute (a sorted copy of
        // the map, record equality) only for one with this handle, not for every one in the block
        AllocationAttribute wanted = null;
        for (int i = 0; i < attributes.size(); i++) {
            AllocationAttribute a = attributes.get(i);
            if (Objects.equals(a.handleId(), handleId)) {
                if (wanted == null) {
                    wanted = new AllocationAttribute(handleId, secondary);
                }
                if (a.equals(wanted)) {
                    return i;
                }
            }
        }
        attributes.add(wanted == null ? new AllocationAttribute(handleId, secondary) : wanted);
        return attributes.size() - 1;
    }

    /** Drops attributes no allocation refers to any more and renumbers the rest. */
    private void compactAttributes() {
        int[] remap = new int[attributes.size()];
        boolean[] used = new boolean[attributes.size()];
        for (Integer a : allocations) {
            if (a != null && a < used.length) {
                used[a] = true;
            }
        }
        List<AllocationAttribute> kept = new ArrayList<>();
        for (int i = 0; i < attributes.size(); i++) {
            if (used[i]) {
                remap[i] = kept.size();
                kept.add(attributes.get(i));
            }
        }
        if (kept.size() == attributes.size()) {
            return;
        }
        for (int i = 0; i < allocations.size(); i++) {
            Integer a = allocations.get(i);
            if (a != null && a < remap.length) {
                allocations.set(i, remap[a]);
            }
        }
        attributes.clear();
        attributes.addAll(kept);
    }
}
