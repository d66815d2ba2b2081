package io.weft.api.ipam;

import java.net.InetAddress;
import java.util.List;

import io.weft.api.net.Cidr;

/**
 * Addresses handed out for one request.
 *
 * @param addresses each address with the prefix of the pool it came from (pods get the address
 *                  as /32 or /128; the pool prefix tells tunnels their network)
 */
public record Assignment(List<AssignedAddress> addresses) {

    public Assignment {
        addresses = List.copyOf(addresses);
    }

    /** One address and the pool it came from. */
    public record AssignedAddress(InetAddress address, Cidr pool, Cidr block) {
    }

    public List<InetAddress> ipv4() {
        return addresses.stream().map(AssignedAddress::address)
                .filter(a -> a instanceof java.net.Inet4Address).toList();
    }

    public List<InetAddress> ipv6() {
        return addresses.stream().map(AssignedAddress::address)
                .filter(a -> a instanceof java.net.Inet6Address).toList();
    }
}
