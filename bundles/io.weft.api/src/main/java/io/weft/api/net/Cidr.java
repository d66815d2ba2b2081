package io.weft.api.net;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Objects;

/**
 * An IPv4 or IPv6 network: a base address and a prefix length.
 *
 * <p>Host bits are cleared on construction, so {@code 10.244.1.7/24} becomes
 * {@code 10.244.1.0/24}. That is what Calico does with the CIDRs users write (it stores the
 * masked network), and it makes equal networks compare equal however they were written.
 *
 * <p>Parsing never performs DNS lookups; see {@link #parseAddress(String)}.
 */
public record Cidr(InetAddress network, int prefixLength) implements Comparable<Cidr> {

    /** Clears host bits and normalises the address object (no host name, no IPv6 scope). */
    public Cidr {
        Objects.requireNonNull(network, "network");
        byte[] bytes = network.getAddress();
        int bits = bytes.length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("not a CIDR: '" + IpLiteral.format(bytes) + "/" + prefixLength
                    + "' (prefix length must be 0-" + bits + " for " + family(bytes) + ")");
        }
        network = IpLiteral.toInetAddress(mask(bytes, prefixLength));
    }

    /**
     * Parses {@code "10.244.0.0/16"}, {@code "fd00::/64"}, or a bare address, which becomes a
     * single-address network ({@code /32} or {@code /128}).
     *
     * @throws IllegalArgumentException naming the input and what is wrong with it
     */
    public static Cidr parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("not a CIDR: null");
        }
        int slash = text.indexOf('/');
        String addressText = slash < 0 ? text : text.substring(0, slash);
        byte[] bytes;
        try {
            bytes = IpLiteral.parse(addressText);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a CIDR: '" + text + "' (" + e.getMessage() + ")", e);
        }
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            prefix = parsePrefix(text.substring(slash + 1));
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("not a CIDR: '" + text + "' (prefix length must be 0-" + bits
                        + " for " + family(bytes) + ")");
            }
        }
        return new Cidr(IpLiteral.toInetAddress(bytes), prefix);
    }

    /**
     * Parses an IP address literal. Unlike {@link InetAddress#getByName} it never resolves host
     * names, so a mistyped address fails instead of triggering a DNS query.
     *
     * @throws IllegalArgumentException naming the input and what is wrong with it
     */
    public static InetAddress parseAddress(String text) {
        if (text == null) {
            throw new IllegalArgumentException("not an IP address: null");
        }
        try {
            return IpLiteral.toInetAddress(IpLiteral.parse(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an IP address: '" + text + "' (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Canonical text of an address: dotted quad, or RFC 5952 IPv6 ({@code fd00::1}), the way Go
     * and therefore calicoctl print it; {@link InetAddress#getHostAddress} would print
     * {@code fd00:0:0:0:0:0:0:1}.
     */
    public static String format(InetAddress address) {
        return IpLiteral.format(address.getAddress());
    }

    public boolean isIpv4() {
        return addressBits() == 32;
    }

    /** 32 for IPv4, 128 for IPv6. */
    public int addressBits() {
        return network.getAddress().length * 8;
    }

    public boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        byte[] base = network.getAddress();
        return candidate.length == base.length && Arrays.equals(mask(candidate, prefixLength), base);
    }

    /** True if every address of {@code other} is in this network (a network contains itself). */
    public boolean contains(Cidr other) {
        return other.prefixLength >= prefixLength && contains(other.network);
    }

    public boolean overlaps(Cidr other) {
        return contains(other) || other.contains(this);
    }

    /** Number of addresses, including the network address itself. */
    public BigInteger size() {
        return BigInteger.ONE.shiftLeft(addressBits() - prefixLength);
    }

    /**
     * Number of addresses as a long, for the block-sized networks IPAM works with.
     *
     * @throws ArithmeticException for IPv6 networks larger than /65
     */
    public long sizeAsLong() {
        return size().longValueExact();
    }

    /**
     * The address {@code offset} places after the network address; offset 0 is the network
     * address itself, which Calico hands out like any other (pod IPs ending in {@code .0}).
     *
     * @throws IndexOutOfBoundsException if the offset is negative or not below {@link #size()}
     */
    public InetAddress address(long offset) {
        if (offset < 0 || BigInteger.valueOf(offset).compareTo(size()) >= 0) {
            throw new IndexOutOfBoundsException("offset " + offset + " is outside " + this
                    + " (0-" + size().subtract(BigInteger.ONE) + ")");
        }
        BigInteger value = new BigInteger(1, network.getAddress()).add(BigInteger.valueOf(offset));
        return IpLiteral.toInetAddress(toBytes(value, network.getAddress().length));
    }

    /**
     * The inverse of {@link #address(long)}: how far {@code address} is from the network address
     * (the ordinal of an IP within an IPAM block).
     *
     * @throws IllegalArgumentException if the address is not in this network
     * @throws ArithmeticException if the offset does not fit in a long
     */
    public long offsetOf(InetAddress address) {
        if (!contains(address)) {
            throw new IllegalArgumentException(format(address) + " is not in " + this);
        }
        return new BigInteger(1, address.getAddress())
                .subtract(new BigInteger(1, network.getAddress()))
                .longValueExact();
    }

    /**
     * The {@code index}-th network of length {@code newPrefixLength} inside this one, e.g. the
     * third /26 block of a /16 pool.
     *
     * @throws IllegalArgumentException if the new prefix is shorter than this one or too long
     * @throws IndexOutOfBoundsException if there are not that many subnets
     */
    public Cidr subnet(int newPrefixLength, long index) {
        if (newPrefixLength < prefixLength || newPrefixLength > addressBits()) {
            throw new IllegalArgumentException("cannot split " + this + " into /" + newPrefixLength
                    + " networks (prefix length must be " + prefixLength + "-" + addressBits() + ")");
        }
        BigInteger count = BigInteger.ONE.shiftLeft(newPrefixLength - prefixLength);
        if (index < 0 || BigInteger.valueOf(index).compareTo(count) >= 0) {
            throw new IndexOutOfBoundsException(this + " has " + count + " /" + newPrefixLength
                    + " networks, no index " + index);
        }
        BigInteger value = new BigInteger(1, network.getAddress())
                .add(BigInteger.valueOf(index).shiftLeft(addressBits() - newPrefixLength));
        return new Cidr(IpLiteral.toInetAddress(toBytes(value, network.getAddress().length)), newPrefixLength);
    }

    /** IPv4 before IPv6, then by address, then shorter prefix first. */
    @Override
    public int compareTo(Cidr other) {
        byte[] a = network.getAddress();
        byte[] b = other.network.getAddress();
        if (a.length != b.length) {
            return Integer.compare(a.length, b.length);
        }
        int byAddress = Arrays.compareUnsigned(a, b);
        return byAddress != 0 ? byAddress : Integer.compare(prefixLength, other.prefixLength);
    }

    @Override
    public String toString() {
        return format(network) + "/" + prefixLength;
    }

    private static int parsePrefix(String text) {
        if (text.isEmpty() || text.length() > 3) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static String family(byte[] bytes) {
        return bytes.length == 4 ? "IPv4" : "IPv6";
    }

    private static byte[] mask(byte[] address, int prefixLength) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefixLength - 8 * i));
            out[i] &= (byte) (0xff << (8 - keep));
        }
        return out;
    }

    private static byte[] toBytes(BigInteger value, int length) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
        return out;
    }
}
