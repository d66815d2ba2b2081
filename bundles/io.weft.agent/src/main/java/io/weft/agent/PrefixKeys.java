package io.weft.agent;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.weft.api.net.Cidr;

/**
 * Prefixes as {@code long} keys, so tables of a million learned routes hold no object per route.
 * An IPv4 prefix is its address and length packed into 40 bits; an IPv6 prefix (rare among
 * learned routes in a Calico cluster, and too wide for a long) gets a numbered slot here, bit 48
 * set. Slots of IPv6 prefixes nobody holds any more are freed by {@link #retainIpv6}.
 */
final class PrefixKeys {

    static final long IPV6 = 1L << 48;

    private final Map<Cidr, Integer> ipv6Slots = new HashMap<>();
    private final List<Cidr> ipv6BySlot = new ArrayList<>();
    private final List<Integer> freeSlots = new ArrayList<>();

    long key(Cidr prefix) {
        byte[] a = prefix.network().getAddress();
        if (a.length == 4) {
            long address = ((a[0] & 0xffL) << 24) | ((a[1] & 0xffL) << 16) | ((a[2] & 0xffL) << 8) | (a[3] & 0xffL);
            return address << 8 | prefix.prefixLength();
        }
        Integer slot = ipv6Slots.get(prefix);
        if (slot == null) {
            if (freeSlots.isEmpty()) {
                slot = ipv6BySlot.size();
                ipv6BySlot.add(prefix);
            } else {
                slot = freeSlots.remove(freeSlots.size() - 1);
                ipv6BySlot.set(slot, prefix);
            }
            ipv6Slots.put(prefix, slot);
        }
        return IPV6 | slot;
    }

    /** The key if the prefix has one already (IPv4 always), else -1; never takes a slot. */
    long existingKey(Cidr prefix) {
        if (prefix.isIpv4()) {
            return key(prefix);
        }
        Integer slot = ipv6Slots.get(prefix);
        return slot == null ? -1 : IPV6 | slot;
    }

    Cidr prefix(long key) {
        if ((key & IPV6) != 0) {
            return ipv6BySlot.get((int) (key & 0xffffffffL));
        }
        long address = key >>> 8;
        byte[] a = {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        try {
            return new Cidr(InetAddress.getByAddress(a), (int) (key & 0xff));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }

    /** Frees the slot of every IPv6 prefix whose key {@code inUse} does not contain. */
    void retainIpv6(LongIntMap inUse) {
        for (int slot = 0; slot < ipv6BySlot.size(); slot++) {
            Cidr c = ipv6BySlot.get(slot);
            if (c != null && !inUse.containsKey(IPV6 | slot)) {
                ipv6Slots.remove(c);
                ipv6BySlot.set(slot, null);
                freeSlots.add(slot);
            }
        }
    }

    int ipv6Count() {
        return ipv6Slots.size();
    }
}
