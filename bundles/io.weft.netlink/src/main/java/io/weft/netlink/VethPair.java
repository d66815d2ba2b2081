package io.weft.netlink;

/**
 * A veth pair to create: {@code name} here, {@code peerName} in {@code peerNetns} (created
 * directly there, so no half-moved device is ever visible).
 *
 * @param mtu     MTU of both ends, or {@code null} for the default
 * @param mac     this end's MAC (Calico: ee:ee:ee:ee:ee:ee), or {@code null} for random
 * @param peerMac the peer's MAC, or {@code null} for random
 */
public record VethPair(String name, String peerName, Netns peerNetns, Integer mtu, String mac, String peerMac) {
    public VethPair {
        Names.checkInterfaceName(name);
        Names.checkInterfaceName(peerName);
        if (peerNetns == null) {
            peerNetns = Netns.current();
        }
    }
}
