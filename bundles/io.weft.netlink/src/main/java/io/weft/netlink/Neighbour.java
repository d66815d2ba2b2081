package io.weft.netlink;

import java.net.InetAddress;

/**
 * A neighbour (ARP/NDP) entry.
 *
 * @param device  interface name
 * @param address the neighbour's IP address
 * @param mac     its link-layer address, or {@code null} for incomplete entries
 * @param state   NUD_* bits (0x80 permanent, 0x02 reachable, …)
 */
public record Neighbour(String device, InetAddress address, String mac, int state) {
    public static final int PERMANENT = 0x80;

    /** A permanent entry, as the agent programs for VXLAN peers. */
    public static Neighbour permanent(String device, InetAddress address, String mac) {
        return new Neighbour(device, address, mac, PERMANENT);
    }

    public boolean isPermanent() {
        return (state & PERMANENT) != 0;
    }
}
