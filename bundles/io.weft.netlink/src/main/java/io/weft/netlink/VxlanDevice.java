package io.weft.netlink;

import java.net.InetAddress;

/**
 * A VXLAN device to create (Calico: {@code vxlan.calico}, VNI 4096, port 4789, learning off).
 *
 * @param underlay the device carrying the encapsulated packets, or {@code null}
 * @param mtu      MTU, or {@code null} (Calico: underlay MTU − 50)
 * @param mac      the device MAC, or {@code null} for random
 */
public record VxlanDevice(String name, int vni, InetAddress local, String underlay, int port, Integer mtu, String mac,
        boolean learning) {
    public VxlanDevice {
        Names.checkInterfaceName(name);
        if (vni < 0 || vni > 0xffffff) {
            throw new IllegalArgumentException("VXLAN VNI must be 0-16777215, was " + vni);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("VXLAN port must be 1-65535, was " + port);
        }
    }
}
