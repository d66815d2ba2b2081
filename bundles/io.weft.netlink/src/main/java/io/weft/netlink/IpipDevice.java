package io.weft.netlink;

import java.net.InetAddress;

/**
 * An IP-in-IP device to create ({@code ip link add NAME type ipip [local IP] [dev UNDERLAY]}).
 * Calico uses the kernel's fallback device {@code tunl0}, which appears when the ipip module loads.
 */
public record IpipDevice(String name, InetAddress local, String underlay, Integer mtu) {
    public IpipDevice {
        Names.checkInterfaceName(name);
    }
}
