package io.weft.agent;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Felix's health port for the agent: {@code GET /readiness} (200 once the first pass programmed
 * the kernel), {@code GET /liveness} (200 while the agent's thread completes passes), and
 * {@code GET /metrics} in Prometheus text format. Read-only and bound to localhost by default.
 */
final class HealthEndpoint implements AutoCloseable {

    /** What the endpoint reports, asked for on every request. */
    interface Source {
        AgentReport report();

        boolean alive();

        String nodeName();
    }

    private final EventLoopGroup group;
    private final Channel channel;

    private HealthEndpoint(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    static HealthEndpoint start(String host, int port, Source source) throws InterruptedException {
        EventLoopGroup group = new NioEventLoopGroup(1, r -> {
            Thread t = new Thread(r, "weft-agent-health");
            t.setDaemon(true);
            return t;
        });
        try {
            Channel ch = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(4096),
                                    new Handler(source));
                        }
                    }).bind(new InetSocketAddress(host, port)).sync().channel();
            return new HealthEndpoint(group, ch);
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully();
            throw e;
        }
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Source source;

        Handler(Source source) {
            this.source = source;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String path = request.uri().replaceFirst("\\?.*", "");
            FullHttpResponse response;
            if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
                response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET\n");
            } else {
                AgentReport report = source.report();
                response = switch (path) {
                    case "/readiness" -> report.ready() ? text(HttpResponseStatus.OK, "ready\n")
                            : text(HttpResponseStatus.SERVICE_UNAVAILABLE, report.failure() != null
                                    ? report.failure() + "\n" : "waiting for the first pass\n");
                    case "/liveness" -> source.alive() ? text(HttpResponseStatus.OK, "live\n")
                            : text(HttpResponseStatus.SERVICE_UNAVAILABLE, "the agent's thread is stuck\n");
                    case "/metrics" -> {
                        FullHttpResponse r = text(HttpResponseStatus.OK, report.prometheus(source.nodeName()));
                        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                        yield r;
                    }
                    default -> text(HttpResponseStatus.NOT_FOUND, "try /readiness, /liveness or /metrics\n");
                };
            }
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }

        private static FullHttpResponse text(HttpResponseStatus status, String body) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
            return r;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

}
