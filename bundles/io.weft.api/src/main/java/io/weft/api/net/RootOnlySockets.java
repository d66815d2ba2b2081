package io.weft.api.net;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Listening Unix sockets only root may use: the node's admin socket (weftctl) and its CNI socket
 * (the shim) are both made here, so they share one idea of safety. connect() needs write
 * permission on the socket file, so mode 0600 owned by the (root) node is root-only.
 */
public final class RootOnlySockets {

    private RootOnlySockets() {
    }

    /**
     * Binds {@code path} with mode 0600, creating its directory (0700, root only too) if needed. A socket file
     * left by a killed process is replaced; one that still answers is not: then this fails naming
     * {@code what}, so two nodes never fight over one socket.
     */
    public static ServerSocketChannel listen(Path path, String what) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        if (Files.exists(path)) {
            if (answers(path)) {
                throw new IOException("another process already serves " + what + " on " + path);
            }
            Files.delete(path); // stale: its process was killed
        }
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        channel.bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        return channel;
    }

    /** True when something accepts connections on {@code path}. */
    public static boolean answers(Path path) {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
