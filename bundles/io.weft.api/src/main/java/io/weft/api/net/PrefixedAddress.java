package io.weft.api.net;

import java.net.InetAddress;
import java.util.Objects;

/**
 * An address together with the length of the subnet it sits on, as in {@code ip addr} output or
 * a Node's {@code spec.bgp.ipv4Address: 10.1.5.10/24}.
 *
 * <p>Unlike {@link Cidr} the host bits are kept: the address is the point. Use it wherever both
 * the node's own IP (tunnel source, BGP router id) and its subnet (the CrossSubnet decision) are
 * needed.
 */
public record PrefixedAddress(InetAddress address, int prefixLength) {

    /** Normalises the address object (no host name, no IPv6 scope) and checks the prefix length. */
    public PrefixedAddress {
        Objects.requireNonNull(address, "address");
        byte[] bytes = address.getAddress();
        int bits = bytes.length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("not an address with prefix: '" + IpLiteral.format(bytes) + "/"
                    + prefixLength + "' (prefix length must be 0-" + bits + " for IPv" + (bits == 32 ? 4 : 6)
                    + ")");
        }
        address = IpLiteral.toInetAddress(bytes);
    }

    /**
     * Parses {@code "10.1.5.10/24"}; a bare address gets a full-length prefix.
     *
     * @throws IllegalArgumentException naming the input and what is wrong with it
     */
    public static PrefixedAddress parse(String text) {
        Cidr network;
        try {
            network = Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    e.getMessage().replaceFirst("^not a CIDR: ", "not an address with prefix: "), e);
        }
        int slash = text.indexOf('/');
        InetAddress address = IpLiteral.toInetAddress(IpLiteral.parse(slash < 0 ? text : text.substring(0, slash)));
        return new PrefixedAddress(address, network.prefixLength());
    }

    public boolean isIpv4() {
        return address.getAddress().length == 4;
    }

    /** The subnet the address is on, e.g. {@code 10.1.5.0/24}. */
    public Cidr network() {
        return new Cidr(address, prefixLength);
    }

    /** True if {@code other} is on the same subnet, i.e. reachable without a router. */
    public boolean sameSubnet(InetAddress other) {
        return network().contains(other);
    }

    @Override
    public String toString() {
        return Cidr.format(address) + "/" + prefixLength;
    }
}
