package io.weft.netlink;

import java.net.InetAddress;

/**
 * A network interface as the kernel reports it.
 *
 * @param index       ifindex
 * @param name        interface name
 * @param kind        {@code veth}, {@code vxlan}, {@code ipip}, {@code bridge}…, or {@code null} for plain devices
 * @param mtu         MTU
 * @param mac         hardware address {@code aa:bb:cc:dd:ee:ff}, or {@code null}
 * @param up          administratively up (IFF_UP)
 * @param parentIndex IFLA_LINK: a veth's peer index or a tunnel's underlay, 0 when none
 * @param linkNetnsId the peer's namespace id for cross-namespace links, or {@code null}
 * @param stats       counters, or {@code null}
 * @param vxlan       VXLAN parameters when {@code kind} is vxlan
 */
public record Link(int index, String name, String kind, int mtu, String mac, boolean up, int parentIndex,
        Integer linkNetnsId, Stats stats, Vxlan vxlan) {

    /** Packet and byte counters (IFLA_STATS64). */
    public record Stats(long rxPackets, long txPackets, long rxBytes, long txBytes, long rxErrors, long txErrors,
            long rxDropped, long txDropped) {
    }

    /** VXLAN parameters. */
    public record Vxlan(int vni, InetAddress local, int port, boolean learning, int underlayIndex) {
    }
}
