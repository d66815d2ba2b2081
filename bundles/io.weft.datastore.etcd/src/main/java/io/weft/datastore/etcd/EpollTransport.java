package io.weft.datastore.etcd;

import java.util.concurrent.ThreadFactory;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;

/**
 * Netty's epoll transport, kept apart so that the adapter still loads where Netty's epoll
 * classes are missing (the package import is optional; weftctl builds its own class path): the
 * gateway asks {@link #unavailableBecause()} inside a {@code LinkageError} guard and uses NIO
 * when epoll cannot be had.
 */
final class EpollTransport {
    private EpollTransport() {
    }

    /** Null when epoll works here, else why not. */
    static String unavailableBecause() {
        return Epoll.isAvailable() ? null : String.valueOf(Epoll.unavailabilityCause());
    }

    static EventLoopGroup group(int threads, ThreadFactory factory) {
        return new EpollEventLoopGroup(threads, factory);
    }

    static Class<? extends SocketChannel> channelType() {
        return EpollSocketChannel.class;
    }
}
