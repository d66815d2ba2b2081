package io.weft.netlink;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Address constants. */
final class Inets {
    private Inets() {
    }

    static final InetAddress ANY4 = of(new byte[4]);
    static final InetAddress ANY6 = of(new byte[16]);

    private static InetAddress of(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
