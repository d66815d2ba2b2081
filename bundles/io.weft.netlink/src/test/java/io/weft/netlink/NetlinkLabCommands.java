package io.weft.netlink;

/** iproute2 commands beyond {@code ip} that tests check the kernel with. */
final class NetlinkLabCommands {
    private NetlinkLabCommands() {
    }

    static String bridgeFdb(String ns, String device) {
        return NetnsLab.run("bridge", "-n", ns, "fdb", "show", "dev", device);
    }
}
