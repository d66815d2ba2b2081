package io.weft.api.encap;

import java.net.InetAddress;
import java.util.Objects;

import io.weft.api.net.Cidr;

/**
 * One kernel route an encapsulation provider needs to reach a remote block, e.g.
 * {@code 10.244.1.0/26 via 10.244.1.0 dev vxlan.calico onlink}. The agent programs these with its
 * own protocol number (80) in the main table, so that every route Weft owns is diffed in one place
 * and a provider never deletes another's routes.
 *
 * @param destination the remote block (or a borrowed /32)
 * @param gateway     the next hop: a remote tunnel address or node address
 * @param device      the output device ({@code vxlan.calico}, {@code tunl0}, the uplink)
 * @param onlink      the gateway is reachable on the device even though no route says so
 */
public record BlockRoute(Cidr destination, InetAddress gateway, String device, boolean onlink) {
    public BlockRoute {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(device, "device");
    }

    /** As {@code ip route} prints it, without the protocol. */
    @Override
    public String toString() {
        return destination + " via " + Cidr.format(gateway) + " dev " + device + (onlink ? " onlink" : "");
    }
}
