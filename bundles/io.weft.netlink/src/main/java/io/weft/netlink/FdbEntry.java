package io.weft.netlink;

import java.net.InetAddress;

/**
 * A forwarding database entry on a VXLAN device: frames for {@code mac} go to the VTEP at
 * {@code destination} ({@code bridge fdb add MAC dev vxlan.calico dst IP self permanent}).
 */
public record FdbEntry(String device, String mac, InetAddress destination) {
}
