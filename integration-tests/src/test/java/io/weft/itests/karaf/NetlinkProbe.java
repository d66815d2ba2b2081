package io.weft.itests.karaf;

import java.util.ArrayList;
import java.util.List;

import io.weft.netlink.Link;
import io.weft.netlink.RtNetlink;

/**
 * Netlink calls made from inside Karaf. A class of its own so the test class does not refer to
 * netlink types before the test installed the weft-netlink feature.
 */
final class NetlinkProbe {
    private NetlinkProbe() {
    }

    static List<String> linkNames() throws Exception {
        List<String> names = new ArrayList<>();
        try (RtNetlink netlink = RtNetlink.open()) {
            for (Link l : netlink.links()) {
                names.add(l.name());
            }
        }
        return names;
    }
}
