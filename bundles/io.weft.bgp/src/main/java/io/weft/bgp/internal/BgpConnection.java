package io.weft.bgp.internal;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.weft.bgp.PeerState;

/**
 * One TCP connection of a session: frames messages straight off the socket buffer (header
 * checks of RFC 4271 4.1 and 6.1), runs the per-connection states OpenSent, OpenConfirm and
 * Established, and the hold and keepalive timers. Decisions that involve both connections of a
 * peer (collision) or the RIB are the {@link PeerSession}'s. Runs on the speaker's event loop.
 */
final class BgpConnection extends ByteToMessageDecoder {
    static final int OPEN = 1, UPDATE = 2, NOTIFICATION = 3, KEEPALIVE = 4, ROUTE_REFRESH = 5;
    static final int MAX_MESSAGE = 4096, MAX_EXTENDED = 65535;
    private static final int OPEN_HOLD_SECONDS = 240; // RFC 4271 suggests a large hold time until OPEN arrives

    final PeerSession session;
    final boolean outbound;
    ChannelHandlerContext ctx;
    PeerState state = PeerState.CONNECT;
    OpenMessage remoteOpen;
    int holdSeconds;
    int maxMessage = MAX_MESSAGE;
    boolean as4;
    UpdateParser parser;
    private long lastReceived;
    private ScheduledFuture<?> holdTimer;
    private ScheduledFuture<?> keepaliveTimer;
    /** A NOTIFICATION went either way: graceful restart does not apply to this close. */
    boolean notified;
    private boolean closing;

    BgpConnection(PeerSession session, boolean outbound) {
        this.session = session;
        this.outbound = outbound;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
    }

    @Override
    public void channelActive(ChannelHandlerContext context) throws Exception {
        this.ctx = context;
        lastReceived = System.nanoTime();
        state = PeerState.OPEN_SENT;
        ByteBuf open = context.alloc().buffer(64);
        int start = open.writerIndex();
        open.writerIndex(start + 19);
        session.localOpen().encodeBody(open);
        int end = open.writerIndex();
        open.writerIndex(start);
        UpdatePacker.writeHeader(open, end - start, OPEN);
        open.writerIndex(end);
        context.writeAndFlush(open);
        armHold(OPEN_HOLD_SECONDS);
        session.connectionStateChanged(this);
        super.channelActive(context);
    }

    @Override
    protected void decode(ChannelHandlerContext context, ByteBuf in, List<Object> out) {
        while (!closing && in.readableBytes() >= 19) {
            int at = in.readerIndex();
            if (in.getLong(at) != -1L || in.getLong(at + 8) != -1L) {
                fail(new BgpNotification(BgpNotification.HEADER, 1, "message marker is not all ones"));
                return;
            }
            int length = in.getUnsignedShort(at + 16);
            int type = in.getUnsignedByte(at + 18);
            int max = type == OPEN || type == KEEPALIVE ? MAX_MESSAGE : maxMessage;
            if (length < 19 || length > max || !lengthFits(type, length)) {
                fail(new BgpNotification(BgpNotification.HEADER, 2, new byte[] {(byte) (length >>> 8), (byte) length},
                        "message length " + length + " is invalid for type " + type));
                return;
            }
            if (in.readableBytes() < length) {
                return;
            }
            ByteBuf body = in.slice(at + 19, length - 19);
            in.skipBytes(length);
            lastReceived = System.nanoTime();
            try {
                handle(type, body);
            } catch (BgpNotification n) {
                fail(n);
                return;
            } catch (RuntimeException e) {
                // a bug, not the peer's fault: say so, reset the session, keep the process
                session.log().error("peer {}: internal error handling message type {}", session.name(), type, e);
                fail(new BgpNotification(BgpNotification.CEASE, 8, "internal error: " + e));
                return;
            }
        }
    }

    private static boolean lengthFits(int type, int length) {
        return switch (type) {
            case OPEN -> length >= 29;
            case UPDATE -> length >= 23;
            case NOTIFICATION -> length >= 21;
            case KEEPALIVE -> length == 19;
            case ROUTE_REFRESH -> length == 23;
            default -> true; // bad type is reported as such below
        };
    }

    private void handle(int type, ByteBuf body) throws BgpNotification {
        switch (type) {
            case OPEN -> {
                if (state != PeerState.OPEN_SENT) {
                    throw new BgpNotification(BgpNotification.FSM, stateSubcode(), "OPEN in state " + state.display());
                }
                remoteOpen = OpenMessage.decode(body);
                session.openReceived(this);
            }
            case KEEPALIVE -> {
                if (state == PeerState.OPEN_CONFIRM) {
                    state = PeerState.ESTABLISHED;
                    session.established(this);
                } else if (state != PeerState.ESTABLISHED) {
                    throw new BgpNotification(BgpNotification.FSM, stateSubcode(), "KEEPALIVE in state " + state.display());
                }
            }
            case UPDATE -> {
                if (state != PeerState.ESTABLISHED) {
                    throw new BgpNotification(BgpNotification.FSM, stateSubcode(), "UPDATE in state " + state.display());
                }
                session.updateReceived(this, body);
            }
            case NOTIFICATION -> {
                int code = body.readUnsignedByte();
                int subcode = body.readUnsignedByte();
                notified = true;
                session.notificationReceived(this, code, subcode);
                close();
            }
            case ROUTE_REFRESH -> {
                if (state != PeerState.ESTABLISHED) {
                    throw new BgpNotification(BgpNotification.FSM, stateSubcode(), "ROUTE-REFRESH in state " + state.display());
                }
                int afi = body.readUnsignedShort();
                body.skipBytes(1);
                session.refreshRequested(afi << 8 | body.readUnsignedByte());
            }
            default -> throw new BgpNotification(BgpNotification.HEADER, 3, new byte[] {(byte) type},
                    "unknown message type " + type);
        }
    }

    private int stateSubcode() {
        return switch (state) {
            case OPEN_SENT -> 1;
            case OPEN_CONFIRM -> 2;
            case ESTABLISHED -> 3;
            default -> 0;
        };
    }

    /** Accepts the peer's OPEN: answers KEEPALIVE, negotiates the hold time. */
    void confirmOpen(int ourHold) {
        int theirs = remoteOpen.holdTime();
        holdSeconds = Math.min(ourHold, theirs);
        as4 = remoteOpen.as4();
        state = PeerState.OPEN_CONFIRM;
        sendKeepalive();
        if (holdSeconds > 0) {
            armHold(holdSeconds);
            long every = Math.max(1, holdSeconds / 3);
            keepaliveTimer = ctx.executor().scheduleAtFixedRate(this::sendKeepalive, every, every, TimeUnit.SECONDS);
        } else if (holdTimer != null) {
            holdTimer.cancel(false);
        }
    }

    private void armHold(int seconds) {
        if (holdTimer != null) {
            holdTimer.cancel(false);
        }
        holdTimer = ctx.executor().schedule(() -> checkHold(seconds), seconds, TimeUnit.SECONDS);
    }

    private void checkHold(int seconds) {
        long idle = System.nanoTime() - lastReceived;
        long limit = TimeUnit.SECONDS.toNanos(seconds);
        if (idle >= limit) {
            fail(new BgpNotification(BgpNotification.HOLD_TIMER, 0, "no message from the peer for " + seconds + " s"));
        } else if (!closing) {
            holdTimer = ctx.executor().schedule(() -> checkHold(seconds), limit - idle, TimeUnit.NANOSECONDS);
        }
    }

    void sendKeepalive() {
        if (closing || !ctx.channel().isActive()) {
            return;
        }
        ByteBuf b = ctx.alloc().buffer(19);
        UpdatePacker.writeHeader(b, 19, KEEPALIVE);
        ctx.writeAndFlush(b, ctx.voidPromise());
    }

    void sendRouteRefresh(int afiSafi) {
        ByteBuf b = ctx.alloc().buffer(23);
        UpdatePacker.writeHeader(b, 23, ROUTE_REFRESH);
        b.writeShort(afiSafi >>> 8).writeByte(0).writeByte(afiSafi & 0xFF);
        ctx.writeAndFlush(b, ctx.voidPromise());
    }

    /** Sends the NOTIFICATION the error calls for, then closes. */
    void fail(BgpNotification n) {
        if (closing) {
            return;
        }
        session.notificationSent(this, n);
        notify(n.code, n.subcode, n.data);
    }

    void notify(int code, int subcode, byte[] data) {
        if (closing) {
            return;
        }
        notified = true;
        ByteBuf b = ctx.alloc().buffer(21 + data.length);
        UpdatePacker.writeHeader(b, 21 + data.length, NOTIFICATION);
        b.writeByte(code).writeByte(subcode).writeBytes(data);
        closing = true;
        cancelTimers();
        ctx.writeAndFlush(b).addListener(ChannelFutureListener.CLOSE);
    }

    /** Closes without a NOTIFICATION (the peer sent one, or we are aborting). */
    void close() {
        closing = true;
        cancelTimers();
        ctx.close();
    }

    boolean closing() {
        return closing;
    }

    private void cancelTimers() {
        if (holdTimer != null) {
            holdTimer.cancel(false);
        }
        if (keepaliveTimer != null) {
            keepaliveTimer.cancel(false);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) throws Exception {
        closing = true;
        cancelTimers();
        session.connectionClosed(this);
        super.channelInactive(context);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        session.connectionError(this, cause);
        close();
    }

    InetSocketAddress localAddress() {
        return (InetSocketAddress) ctx.channel().localAddress();
    }
}
