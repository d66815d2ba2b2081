package io.weft.bgp.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.weft.api.net.Cidr;

/**
 * Prefixes as primitive long keys, so RIBs need no object per prefix. An IPv4 prefix is
 * {@code address << 8 | length} (below 2^40). An IPv6 prefix is registered once and keyed
 * {@code 2^40 | id}: IPv6 tables are small in a pod network, IPv4 ones are the ones that reach
 * a million. Registered IPv6 prefixes are kept for the speaker's life (a few dozen bytes each).
 */
final class Prefixes {
    static final long V6_TAG = 1L << 40;

    private final Map<V6, Integer> v6Ids = new HashMap<>();
    private final List<V6> v6ById = new ArrayList<>();

    static long v4(int address, int length) {
        return ((address & 0xFFFFFFFFL) << 8) | length;
    }

    static boolean isV6(long key) {
        return key >= V6_TAG;
    }

    static int v4Address(long key) {
        return (int) (key >>> 8);
    }

    static int length(long key) {
        return (int) (key & 0xFF);
    }

    /** Key of an IPv6 prefix given as its significant bytes (ceil(length/8) of them). */
    synchronized long v6(byte[] address16, int length) {
        V6 p = new V6(address16, length);
        Integer id = v6Ids.get(p);
        if (id == null) {
            id = v6ById.size();
            v6ById.add(p);
            v6Ids.put(p, id);
        }
        return V6_TAG | id;
    }

    synchronized byte[] v6Address(long key) {
        return v6ById.get((int) (key - V6_TAG)).address;
    }

    synchronized int v6Length(long key) {
        return v6ById.get((int) (key - V6_TAG)).length;
    }

    long key(Cidr cidr) {
        byte[] a = cidr.network().getAddress();
        if (a.length == 4) {
            return v4(((a[0] & 0xFF) << 24) | ((a[1] & 0xFF) << 16) | ((a[2] & 0xFF) << 8) | (a[3] & 0xFF),
                    cidr.prefixLength());
        }
        return v6(a, cidr.prefixLength());
    }

    Cidr cidr(long key) {
        try {
            if (!isV6(key)) {
                int a = v4Address(key);
                return new Cidr(InetAddress.getByAddress(
                        new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a}), length(key));
            }
            return new Cidr(InetAddress.getByAddress(v6Address(key)), v6Length(key));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    String format(long key) {
        return cidr(key).toString();
    }

    private record V6(byte[] address, int length) {
        @Override
        public boolean equals(Object o) {
            return o instanceof V6 v && v.length == length && Arrays.equals(v.address, address);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(address) * 31 + length;
        }
    }
}
