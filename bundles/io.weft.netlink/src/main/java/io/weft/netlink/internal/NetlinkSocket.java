package io.weft.netlink.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import com.sun.jna.LastErrorException;

import io.weft.netlink.NetlinkException;

/**
 * One NETLINK_ROUTE socket. A netlink socket belongs to the network namespace it was created
 * in, whichever thread uses it later; callers create it on a thread inside the target namespace
 * (see {@code Netns}) and then use it from anywhere. Requests are serialized on this object.
 */
public final class NetlinkSocket implements AutoCloseable {

    /** Messages per send in a batch: small enough that their answers, were all to fail, fit the receive buffer. */
    private static final int BATCH_CHUNK = 512;
    private static final int MAX_SEND_BYTES = 60 * 1024;
    /** The acknowledged no-op that ends each chunk of a batch. */
    private static final int NOOP_BYTES = 16;

    private final int fd;
    private final ByteBuffer rx = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.nativeOrder());
    private ByteBuffer tx = ByteBuffer.allocateDirect(MAX_SEND_BYTES * 2).order(ByteOrder.nativeOrder());
    private int seq = (int) (System.nanoTime() & 0x3fffffff);
    private volatile boolean closed;

    private NetlinkSocket(int fd) {
        this.fd = fd;
    }

    /** Opens a socket in the calling thread's network namespace, joined to {@code groups} (RTMGRP_* bits). */
    public static NetlinkSocket open(int groups) throws NetlinkException {
        int fd;
        try {
            fd = LibC.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, LibC.NETLINK_ROUTE);
        } catch (LastErrorException e) {
            throw new NetlinkException("open netlink socket", e.getErrorCode(), null);
        }
        try {
            byte[] addr = new byte[12];
            ByteBuffer a = ByteBuffer.wrap(addr).order(ByteOrder.nativeOrder());
            a.putShort((short) LibC.AF_NETLINK).putShort((short) 0).putInt(0).putInt(groups);
            LibC.bind(fd, addr, addr.length);
            setInt(fd, LibC.SOL_NETLINK, LibC.NETLINK_CAP_ACK, 1);
            setInt(fd, LibC.SOL_NETLINK, LibC.NETLINK_EXT_ACK, 1);
            // large buffers: a batch's ACKs and a busy namespace's notifications must not overflow
            try {
                setInt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, 8 << 20);
            } catch (LastErrorException notRoot) {
                setInt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, 8 << 20);
            }
            return new NetlinkSocket(fd);
        } catch (LastErrorException e) {
            LibC.close(fd);
            throw new NetlinkException("set up netlink socket", e.getErrorCode(), null);
        }
    }

    /** Makes blocking receives return (EAGAIN) after {@code millis}, so a reader can notice close. */
    public void setReceiveTimeout(int millis) throws NetlinkException {
        long sec = millis / 1000;
        long usec = (millis % 1000) * 1000L;
        // struct timeval { long tv_sec; long tv_usec; } on 64-bit little-endian Linux
        int[] timeval = {(int) sec, (int) (sec >>> 32), (int) usec, (int) (usec >>> 32)};
        try {
            LibC.setsockopt(fd, LibC.SOL_SOCKET, 20 /* SO_RCVTIMEO */, timeval, 16);
        } catch (LastErrorException e) {
            throw new NetlinkException("set netlink receive timeout", e.getErrorCode(), null);
        }
    }

    /**
     * Joins or leaves multicast group {@code group} (an RTNLGRP_* number, not an RTMGRP_* bit):
     * from the call on, the kernel queues that group's notifications to this socket, or stops.
     */
    public void membership(int group, boolean join) throws NetlinkException {
        ensureOpen();
        try {
            setInt(fd, LibC.SOL_NETLINK, join ? LibC.NETLINK_ADD_MEMBERSHIP : LibC.NETLINK_DROP_MEMBERSHIP, group);
        } catch (LastErrorException e) {
            throw new NetlinkException((join ? "join" : "leave") + " netlink group " + group, e.getErrorCode(), null);
        }
    }

    private static void setInt(int fd, int level, int option, int value) {
        LibC.setsockopt(fd, level, option, new int[] {value}, 4);
    }

    /** Sends one request that asks for an ACK and waits for it. */
    public synchronized void request(byte[] message, String description) throws NetlinkException {
        NetlinkException[] result = execute(List.of(message), i -> description);
        if (result[0] != null) {
            throw result[0];
        }
    }

    /**
     * Sends many requests, pipelined in chunks, and returns each one's error or null.
     * {@code descriptions} gives request i in words; it is only called for failures.
     * Nothing is retried: the caller decides what an EEXIST or ENOENT means to it.
     *
     * <p>No request asks for an ACK; each chunk ends with an {@code NLMSG_NOOP} that does. The
     * kernel handles a chunk's messages in order inside the send and answers a failed request
     * with an error whether it asked for an ACK or not, so the no-op's ACK (which the kernel
     * always sends: a control message is never skipped) says every request before it was
     * handled, and each failure still arrives with its own sequence number. An ACK per request
     * cost the kernel a message each and us a receive call each: about a fifth of a
     * million-route install.
     */
    public synchronized NetlinkException[] execute(List<byte[]> messages, java.util.function.IntFunction<String> descriptions)
            throws NetlinkException {
        ensureOpen();
        NetlinkException[] errors = new NetlinkException[messages.size()];
        int i = 0;
        while (i < messages.size()) {
            ensureOpen(); // closed by another thread meanwhile: its descriptor may be someone else's now
            int firstSeq = seq + 1;
            tx.clear();
            int start = i;
            while (i < messages.size() && i - start < BATCH_CHUNK) {
                byte[] m = messages.get(i);
                if (tx.position() > 0 && tx.position() + m.length > MAX_SEND_BYTES) {
                    break;
                }
                if (tx.remaining() < m.length + NOOP_BYTES) {
                    if (tx.position() > 0) {
                        break;
                    }
                    tx = ByteBuffer.allocateDirect(m.length + NOOP_BYTES).order(ByteOrder.nativeOrder());
                }
                int at = tx.position();
                tx.put(m);
                tx.putShort(at + 6, (short) (tx.getShort(at + 6) & ~Rt.NLM_F_ACK));
                tx.putInt(at + 8, ++seq);
                i++;
            }
            int count = i - start;
            // the chunk's end: struct nlmsghdr { len, type, flags, seq, pid }, acknowledged
            tx.putInt(NOOP_BYTES).putShort(Rt.NLMSG_NOOP).putShort((short) (Rt.NLM_F_REQUEST | Rt.NLM_F_ACK))
                    .putInt(++seq).putInt(0);
            tx.flip();
            send(tx);
            boolean done = false;
            while (!done) {
                ByteBuffer msgs = receive();
                if (!msgs.hasRemaining() && closed) {
                    throw new NetlinkException("netlink socket closed before the kernel answered", null);
                }
                while (msgs.remaining() >= 16) {
                    int at = msgs.position();
                    int len = msgs.getInt(at);
                    short type = msgs.getShort(at + 4);
                    int mseq = msgs.getInt(at + 8);
                    if (len < 16 || at + len > msgs.limit()) {
                        break;
                    }
                    int idx = mseq - firstSeq;
                    if (type == Rt.NLMSG_ERROR && idx == count) {
                        done = true; // the no-op's ACK: every request before it was handled
                    } else if (type == Rt.NLMSG_ERROR && idx >= 0 && idx < count) {
                        int error = -msgs.getInt(at + 16);
                        if (error != 0 && errors[start + idx] == null) {
                            errors[start + idx] = new NetlinkException(descriptions.apply(start + idx), error,
                                    extAckMessage(msgs, at, len));
                        }
                    }
                    msgs.position(at + MessageBuilder.align(len));
                }
            }
        }
        return errors;
    }

    /** The kernel's explanation attached to an error ACK (NETLINK_EXT_ACK), if any. */
    private static String extAckMessage(ByteBuffer msgs, int at, int len) {
        short flags = msgs.getShort(at + 6);
        if ((flags & Rt.NLM_F_ACK_TLVS) == 0) {
            return null;
        }
        int origLen = msgs.getInt(at + 20);
        int tlvStart = at + 16 + 4 + ((flags & Rt.NLM_F_CAPPED) != 0 ? 16 : MessageBuilder.align(origLen));
        if (tlvStart >= at + len) {
            return null;
        }
        ByteBuffer tlv = msgs.duplicate().order(ByteOrder.nativeOrder());
        tlv.limit(at + len).position(tlvStart);
        return new Attributes(tlv.slice().order(ByteOrder.nativeOrder())).string(Rt.NLMSGERR_ATTR_MSG);
    }

    /** Sends a dump request and hands every reply message (header included) to {@code sink}. */
    public synchronized void dump(byte[] message, String description, Consumer<ByteBuffer> sink) throws NetlinkException {
        ensureOpen();
        tx.clear();
        tx.put(message);
        int mySeq = ++seq;
        tx.putInt(8, mySeq);
        tx.flip();
        send(tx);
        while (true) {
            ByteBuffer msgs = receive();
            if (!msgs.hasRemaining() && closed) {
                throw new NetlinkException(description + ": netlink socket closed before the kernel answered", null);
            }
            while (msgs.remaining() >= 16) {
                int at = msgs.position();
                int len = msgs.getInt(at);
                short type = msgs.getShort(at + 4);
                int mseq = msgs.getInt(at + 8);
                if (len < 16 || at + len > msgs.limit()) {
                    throw new NetlinkException(description + ": truncated netlink reply", null);
                }
                msgs.position(at + MessageBuilder.align(len));
                if (mseq != mySeq) {
                    continue; // a late ACK of an earlier request
                }
                if (type == Rt.NLMSG_DONE) {
                    return;
                }
                if (type == Rt.NLMSG_ERROR) {
                    int error = -msgs.getInt(at + 16);
                    if (error == 0) {
                        return;
                    }
                    throw new NetlinkException(description, error, extAckMessage(msgs, at, len));
                }
                ByteBuffer one = msgs.duplicate().order(ByteOrder.nativeOrder());
                one.limit(at + len).position(at);
                sink.accept(one.slice().order(ByteOrder.nativeOrder()));
            }
        }
    }

    /**
     * Waits for the next datagram of notifications (for subscriptions). Returns an empty buffer
     * on receive timeout or after close.
     */
    public ByteBuffer receiveNotifications() throws NetlinkException {
        try {
            return receive();
        } catch (NetlinkException e) {
            if (e.errno() == Errno.EAGAIN || closed) {
                return ByteBuffer.allocate(0);
            }
            throw e;
        }
    }

    public boolean isClosed() {
        return closed;
    }

    private void send(ByteBuffer buffer) throws NetlinkException {
        try {
            long n = LibC.send(fd, buffer, buffer.remaining(), 0);
            if (n != buffer.remaining()) {
                throw new NetlinkException("netlink send: short write " + n + " of " + buffer.remaining(), null);
            }
        } catch (LastErrorException e) {
            throw new NetlinkException("netlink send", e.getErrorCode(), null);
        }
    }

    private ByteBuffer receive() throws NetlinkException {
        while (true) {
            try {
                rx.clear();
                long n = LibC.recv(fd, rx, rx.capacity(), 0);
                rx.limit((int) n);
                return rx.duplicate().order(ByteOrder.nativeOrder());
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Errno.EINTR) {
                    continue;
                }
                if (closed) {
                    return ByteBuffer.allocate(0);
                }
                throw new NetlinkException("netlink receive", e.getErrorCode(), null);
            }
        }
    }

    private void ensureOpen() throws NetlinkException {
        if (closed) {
            throw new NetlinkException("netlink socket is closed", null);
        }
    }

    /**
     * Closes the socket; a request or dump under way on another thread finishes first (they hold
     * this object's lock), so its descriptor cannot be reused under it. A reader blocked in
     * {@link #receiveNotifications} holds no lock: only its own thread may close its socket.
     */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            LibC.close(fd);
        }
    }
}
