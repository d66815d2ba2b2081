package io.weft.netlink;

import io.weft.api.net.PrefixedAddress;

/**
 * An address on an interface.
 *
 * @param device  interface name
 * @param index   interface index
 * @param address the address with its prefix length, e.g. {@code 10.244.1.5/32}
 * @param scope   RT_SCOPE_* (0 global, 253 link, 254 host)
 */
public record Address(String device, int index, PrefixedAddress address, int scope) {
}
