package io.weft.bgp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.weft.bgp.SpeakerConfig;

/**
 * The start-up session over loopback completes (listening and calling side, a table and its
 * withdrawal handed to a sink) and leaves nothing behind: the speaker that ran it starts with
 * no peers, no routes and a usable event loop.
 */
class SessionWarmupTest {

    @Test
    void theWarmUpSessionCompletesAndLeavesNothingBehind() throws Exception {
        EventLoopGroup group = Epoll.isAvailable() ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
        try {
            long t0 = System.nanoTime();
            assertTrue(SessionWarmup.run(group), "the loopback session went through");
            assertTrue(SessionWarmup.run(group), "and again on the same loop (its sockets and timers are gone)");
            assertTrue(System.nanoTime() - t0 < 2 * SessionWarmup.LIMIT_MS * 1_000_000L);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        try (SpeakerCore core = new SpeakerCore(SpeakerConfig.of(InetAddress.getLoopbackAddress(), 64512).withPort(0))) {
            core.start(); // warms up as a node's speaker does
            assertEquals(0, core.routeCount());
            assertEquals(0, core.peers().size());
        }
    }
}
