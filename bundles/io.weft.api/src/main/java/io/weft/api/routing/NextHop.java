package io.weft.api.routing;

import java.net.InetAddress;

/** One way to reach a destination: a gateway, a device, or both. */
public record NextHop(InetAddress gateway, String device) {
    public NextHop {
        if (gateway == null && device == null) {
            throw new IllegalArgumentException("a next hop needs a gateway or a device");
        }
    }
}
