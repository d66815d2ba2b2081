package io.weft.datastore.etcd;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.ssl.SslHandler;

import io.weft.datastore.etcd.EtcdGateway.NoReplyException;
import io.weft.datastore.etcd.EtcdGateway.NotSentException;
import io.weft.datastore.etcd.EtcdGateway.Reply;
import io.weft.datastore.etcd.EtcdGateway.RequestTimeoutException;

/**
 * One keep-alive HTTP/1.1 connection to etcd for unary calls, driven by the calling thread: it
 * writes the request, waits on the socket and parses the reply itself. Handing each call to an
 * event loop and back cost two thread wake-ups per request, as much as a third of a CAS round trip
 * to a local etcd (and more on a loaded machine), so unary calls skip the event loop; watch streams
 * stay on it.
 *
 * <p>The bytes still go through Netty's own HTTP codec (and {@link SslHandler} for https), run in an
 * {@link EmbeddedChannel} on the caller's thread; this class only moves bytes between that pipeline
 * and a non-blocking socket, waiting with its own selector so that every wait has a deadline. Used
 * by one thread at a time (the pool hands it out).
 */
final class UnaryConnection implements AutoCloseable {

    private static final int READ_CHUNK = 16 * 1024;

    private final SocketChannel socket;
    private final Selector selector;
    private final SelectionKey key;
    private final EmbeddedChannel http;
    private final ByteBuffer probe = ByteBuffer.allocate(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean released = new AtomicBoolean();

    private UnaryConnection(SocketChannel socket, Selector selector, SelectionKey key, EmbeddedChannel http) {
        this.socket = socket;
        this.selector = selector;
        this.key = key;
        this.http = http;
    }

    /**
     * Connects within {@code dialMillis}, and for https completes the TLS handshake within the same
     * time. {@code tls} adds the TLS handler to the pipeline, or nothing for http.
     *
     * @throws NotSentException whatever went wrong: nothing was sent yet
     */
    static UnaryConnection open(InetSocketAddress address, long dialMillis, int maxReplyBytes, Consumer<Channel> tls)
            throws NotSentException {
        SocketChannel socket = null;
        Selector selector = null;
        EmbeddedChannel http = null;
        try {
            long deadline = System.nanoTime() + dialMillis * 1_000_000L;
            socket = SocketChannel.open();
            socket.configureBlocking(false);
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            socket.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            selector = Selector.open();
            SelectionKey key = socket.register(selector, 0);
            if (!socket.connect(address)) {
                key.interestOps(SelectionKey.OP_CONNECT);
                while (!socket.finishConnect()) {
                    if (!await(selector, deadline)) {
                        throw new ConnectTimeoutException("connection timed out: " + address);
                    }
                }
            }
            http = new EmbeddedChannel();
            tls.accept(http);
            http.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(maxReplyBytes));
            UnaryConnection connection = new UnaryConnection(socket, selector, key, http);
            SslHandler handshaking = http.pipeline().get(SslHandler.class);
            if (handshaking != null) {
                connection.handshake(handshaking, deadline);
            }
            return connection;
        } catch (Exception e) {
            closeQuietly(socket, selector, http);
            throw new NotSentException(e);
        }
    }

    /** Drives the TLS handshake: its records out, the server's in, until the handler says done. */
    private void handshake(SslHandler handler, long deadline) throws IOException {
        io.netty.util.concurrent.Future<Channel> done = handler.handshakeFuture();
        while (true) {
            flushOutbound(deadline);
            if (done.isDone()) {
                if (!done.isSuccess()) {
                    throw new IOException(done.cause());
                }
                return;
            }
            if (!readSome(deadline, true)) {
                throw new ConnectTimeoutException("TLS handshake timed out");
            }
        }
    }

    /**
     * Whether the connection can carry another request: etcd has not closed it, and nothing
     * arrived that nobody asked for. One non-blocking read, a system call.
     */
    boolean reusable() {
        if (!socket.isOpen() || !http.isOpen()) {
            return false;
        }
        try {
            probe.clear();
            return socket.read(probe) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Sends {@code request} and returns etcd's reply, all within {@code deadline} ({@link System#nanoTime()}).
     * The connection must not be used again after any exception.
     */
    Reply exchange(FullHttpRequest request, long deadline, URI endpoint)
            throws NotSentException, NoReplyException, RequestTimeoutException {
        try {
            http.writeOutbound(request);
            flushOutbound(deadline);
        } catch (RequestTimeoutException e) {
            throw e;
        } catch (Exception e) {
            throw new NotSentException(e);
        }
        boolean waitFirst = true; // a reply takes a round trip: wait before reading, not after a futile read
        try {
            while (true) {
                FullHttpResponse response = http.readInbound();
                if (response != null) {
                    try {
                        if (response.decoderResult().isFailure()) {
                            // not a reply we can read (Netty marks it, status 999): the request may
                            // have been applied, so this is no answer, not etcd's answer
                            throw new NoReplyException(response.decoderResult().cause());
                        }
                        return new Reply(endpoint, response.status().code(), response.status().reasonPhrase(),
                                ByteBufUtil.getBytes(response.content()), HttpUtil.isKeepAlive(response)
                                        && http.inboundMessages().isEmpty());
                    } finally {
                        response.release();
                    }
                }
                // checked here too: a server that trickles bytes must not hold the call past its deadline
                if (System.nanoTime() - deadline >= 0 || !readSome(deadline, waitFirst)) {
                    throw new RequestTimeoutException();
                }
                waitFirst = false;
            }
        } catch (RequestTimeoutException | NoReplyException e) {
            throw e;
        } catch (Exception e) {
            throw new NoReplyException(e);
        }
    }

    /**
     * Writes every byte the pipeline produced in one gathering write (a request's head and body in
     * one TCP segment: with TCP_NODELAY two writes would be two packets); waits for the socket when
     * its buffer is full.
     */
    private void flushOutbound(long deadline) throws IOException {
        List<ByteBuf> pending = new ArrayList<>(4);
        ByteBuf out;
        while ((out = http.readOutbound()) != null) {
            pending.add(out);
        }
        if (pending.isEmpty()) {
            return;
        }
        try {
            List<ByteBuffer> buffers = new ArrayList<>(pending.size() + 2);
            long left = 0;
            for (ByteBuf buf : pending) {
                for (ByteBuffer buffer : buf.nioBuffers()) {
                    buffers.add(buffer);
                    left += buffer.remaining();
                }
            }
            ByteBuffer[] all = buffers.toArray(new ByteBuffer[0]);
            while (left > 0) {
                long written = socket.write(all);
                left -= written;
                if (written == 0) {
                    key.interestOps(SelectionKey.OP_WRITE);
                    if (!await(selector, deadline)) {
                        throw new RequestTimeoutException();
                    }
                }
            }
        } finally {
            pending.forEach(ByteBuf::release);
        }
    }

    /**
     * Reads what the socket has (waiting for it until {@code deadline}) into the pipeline, and
     * writes out what the pipeline answers (TLS records). False: the deadline passed first.
     * {@code waitFirst}: wait for the socket to be readable before trying to read.
     */
    private boolean readSome(long deadline, boolean waitFirst) throws IOException {
        if (waitFirst) {
            key.interestOps(SelectionKey.OP_READ);
            if (!await(selector, deadline)) {
                return false;
            }
        }
        ByteBuf in = http.alloc().heapBuffer(READ_CHUNK);
        try {
            int read;
            while ((read = in.writeBytes(socket, READ_CHUNK)) == 0) {
                key.interestOps(SelectionKey.OP_READ);
                if (!await(selector, deadline)) {
                    return false;
                }
            }
            if (read < 0) {
                throw new ClosedChannelException();
            }
            ByteBuf handed = in;
            in = null; // the pipeline owns it now, and releases it even when decoding fails
            http.writeInbound(handed);
            flushOutbound(deadline);
            return true;
        } finally {
            if (in != null) {
                in.release();
            }
        }
    }

    /** Waits for the registered operation; false when the deadline passed first. */
    private static boolean await(Selector selector, long deadline) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        selector.select(Math.max(1, left / 1_000_000L));
        selector.selectedKeys().clear();
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted while waiting for etcd");
        }
        return true;
    }

    /**
     * Closes the connection and releases its pipeline. Only the thread that holds the connection
     * (or took it from the idle pool) calls this; others call {@link #abort}.
     */
    @Override
    public void close() {
        abort();
        if (released.compareAndSet(false, true)) {
            closeQuietly(null, null, http);
        }
    }

    /**
     * Ends a call under way on another thread (the store is closing): closing the selector wakes
     * that thread and its next read fails; it then closes the connection itself. Safe from any
     * thread, unlike the pipeline, which only its holder touches.
     */
    void abort() {
        if (closed.compareAndSet(false, true)) {
            closeQuietly(socket, selector, null);
        }
    }

    private static void closeQuietly(SocketChannel socket, Selector selector, EmbeddedChannel http) {
        try {
            if (selector != null) {
                selector.close();
            }
        } catch (IOException ignored) {
            // nothing left to do
        }
        try {
            if (socket != null) {
                socket.close();
            }
        } catch (IOException ignored) {
            // nothing left to do
        }
        if (http != null) {
            try {
                http.finishAndReleaseAll();
            } catch (RuntimeException e) {
                // a pipeline left mid-message by a failed call: released as far as it goes
            }
        }
    }
}
