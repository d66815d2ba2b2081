package io.weft.datastore.etcd;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;

import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.DatastoreUnavailableException;

/**
 * HTTP/1.1 client of etcd's JSON gateway: keep-alive connections per endpoint for unary calls
 * ({@code /v3/kv/range}, {@code /v3/kv/txn}, …) that the calling thread drives itself
 * ({@link UnaryConnection}), one dedicated connection on a Netty event loop per streaming call
 * ({@code /v3/watch}), endpoint fail-over, the auth token, and etcd's errors turned into
 * exceptions that name the endpoint and the fix.
 */
final class EtcdGateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EtcdGateway.class);
    private static final int MAX_REPLY_BYTES = 512 << 20;
    private static final int MAX_CONNECTIONS_PER_ENDPOINT = 16;
    private static final AtomicInteger GATEWAY_IDS = new AtomicInteger();
    private static final String TLS_FAILED = "TLS handshake failed (";
    /** Said of a write whose request reached etcd but whose reply did not come back. */
    private static final String OUTCOME_UNKNOWN = "; the change may or may not have been applied, re-read before "
            + "retrying";

    private final EtcdSettings settings;
    private final ObjectMapper json;
    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelType;
    private final List<Endpoint> endpoints = new ArrayList<>();
    private final Set<Channel> streams = ConcurrentHashMap.newKeySet();
    private final Object authLock = new Object();
    private final long dialMillis;
    private final long requestMillis;
    private volatile int preferred;
    /** The auth token; "" when etcd has authentication switched off. Guarded by authLock for writes. */
    private volatile String token;
    private volatile boolean closed;

    EtcdGateway(EtcdSettings settings, ObjectMapper json) {
        this.settings = settings;
        this.json = json;
        this.dialMillis = settings.dialTimeout().toMillis();
        this.requestMillis = settings.requestTimeout().toMillis();
        SslContext ssl = settings.endpoints().stream().anyMatch(u -> "https".equals(u.getScheme())) ? tls(settings)
                : null;
        ThreadFactory threads = daemon("weft-etcd-io-" + GATEWAY_IDS.incrementAndGet());
        // the event loops carry the watch streams; epoll where its native part loads, because its
        // eventfd wake-ups and edge-triggered reads cost less than NIO's selector
        String noEpoll;
        try {
            noEpoll = EpollTransport.unavailableBecause();
        } catch (LinkageError e) {
            noEpoll = "Netty's epoll classes are not installed";
        }
        if (noEpoll == null) {
            this.group = EpollTransport.group(2, threads);
            this.channelType = EpollTransport.channelType();
        } else {
            LOG.info("etcd client on NIO: Netty's epoll is unavailable here ({})", noEpoll);
            this.group = new NioEventLoopGroup(2, threads);
            this.channelType = NioSocketChannel.class;
        }
        for (URI uri : settings.endpoints()) {
            endpoints.add(new Endpoint(uri, "https".equals(uri.getScheme()) ? ssl : null));
        }
    }

    private static SslContext tls(EtcdSettings settings) {
        try {
            SslContextBuilder builder = SslContextBuilder.forClient();
            if (settings.caFile() != null) {
                builder.trustManager(settings.caFile().toFile());
            }
            if (settings.certFile() != null) {
                builder.keyManager(settings.certFile().toFile(), settings.keyFile().toFile());
            }
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException(EtcdDatastoreConfig.PID + ": cannot load the TLS files (caFile "
                    + settings.caFile() + ", certFile " + settings.certFile() + ", keyFile " + settings.keyFile()
                    + "): " + e.getMessage() + "; certificates must be PEM and the key PKCS#8 PEM (BEGIN PRIVATE KEY)",
                    e);
        }
    }

    static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    String endpointList() {
        return settings.endpointList();
    }

    // ---- unary calls ----------------------------------------------------------------------------

    /**
     * Posts {@code body} to {@code path} and returns etcd's reply.
     *
     * @param idempotent whether the request may be sent again when a connection drops after it was
     *                   written (reads, lease renewals); a compare-and-swap must not be, its outcome is
     *                   then unknown
     */
    JsonNode call(String path, ObjectNode body, boolean idempotent) throws DatastoreException {
        return call(path, body, idempotent, -1);
    }

    /** As {@link #call(String, ObjectNode, boolean)}, on one endpoint only (-1: any). */
    JsonNode call(String path, ObjectNode body, boolean idempotent, int endpoint) throws DatastoreException {
        return parse(succeeded(path, encode(body), idempotent, endpoint), path);
    }

    /** As {@link #call(String, ObjectNode, boolean)} for a body already encoded; returns the reply's bytes. */
    byte[] call(String path, byte[] body, boolean idempotent) throws DatastoreException {
        return succeeded(path, body, idempotent, -1).body();
    }

    /** The HTTP 200 reply to {@code body}, authenticating again once if the token went stale. */
    private Reply succeeded(String path, byte[] body, boolean idempotent, int endpoint) throws DatastoreException {
        boolean reauthenticated = false;
        while (true) {
            String usedToken = token();
            Reply reply = exchange(path, body, usedToken, idempotent, endpoint);
            if (reply.status() == 200) {
                return reply;
            }
            DatastoreException failure = failure(reply, path);
            if (failure instanceof EtcdServerException e && settings.authenticates() && !reauthenticated
                    && (e.isInvalidToken() || e.etcdMessage().contains("user name is empty"))) {
                // simple tokens expire after --auth-token-ttl of disuse, and when etcd restarts;
                // "user name is empty": authentication was switched on after we found it off
                invalidateToken(usedToken);
                reauthenticated = true;
                continue;
            }
            throw failure;
        }
    }

    /** The factory of the gateway's JSON, for callers that stream instead of building trees. */
    com.fasterxml.jackson.core.JsonFactory jsonFactory() {
        return json.getFactory();
    }

    /** The error for a reply that is not the JSON etcd sends. */
    DatastoreException unreadable(String path, Exception cause) {
        return new DatastoreException("etcd at " + settings.endpointList() + " answered POST " + path
                + " with something that is not etcd's JSON (" + cause.getMessage() + "); check that it is an etcd "
                + "v3.4+ client URL");
    }

    private byte[] encode(ObjectNode body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode an etcd request", e);
        }
    }

    private JsonNode parse(Reply reply, String path) throws DatastoreException {
        try {
            return json.readTree(reply.body());
        } catch (IOException e) {
            throw new DatastoreException("etcd at " + reply.endpoint() + " answered POST " + path
                    + " with something that is not JSON (" + e.getMessage() + "); check that it is an etcd v3.4+ "
                    + "client URL");
        }
    }

    private Reply exchange(String path, byte[] body, String authToken, boolean idempotent, int pinned)
            throws DatastoreException {
        checkOpen();
        List<Unreached> failures = new ArrayList<>();
        int count = endpoints.size();
        int first = pinned >= 0 ? pinned : preferred;
        int tries = pinned >= 0 ? 1 : count;
        for (int i = 0; i < tries; i++) {
            int index = (first + i) % count;
            Endpoint endpoint = endpoints.get(index);
            boolean resent = false;
            while (true) {
                try {
                    Reply reply = send(endpoint, path, body, authToken, idempotent);
                    if (pinned < 0 && preferred != index) {
                        LOG.info("etcd requests now go to {}", endpoint.uri);
                        preferred = index;
                    }
                    return reply;
                } catch (NotSentException e) {
                    checkOpen();
                    failures.add(new Unreached(index, endpoint.uri, describe(e.getCause())));
                    break;
                } catch (NoReplyException e) {
                    checkOpen(idempotent ? "" : OUTCOME_UNKNOWN);
                    if (idempotent && !resent) {
                        resent = true; // a pooled connection etcd closed as we used it
                        continue;
                    }
                    throw new DatastoreUnavailableException("etcd at " + endpoint.uri + " closed the connection before "
                            + "answering POST " + path + (idempotent ? "" : OUTCOME_UNKNOWN)
                            + "; check that etcd runs (etcdctl endpoint health)");
                }
            }
        }
        failures.sort(java.util.Comparator.comparingInt(Unreached::index)); // in the configured order
        throw unreachable(failures);
    }

    /** An endpoint a request could not reach, and why. */
    private record Unreached(int index, URI uri, String reason) {
    }

    /**
     * "etcd at http://a:2379 is unreachable: Connection refused; check …", with each endpoint's reason
     * when there are several.
     */
    private static DatastoreUnavailableException unreachable(List<Unreached> failures) {
        String where;
        String reasons;
        if (failures.size() == 1) {
            where = failures.get(0).uri().toString();
            reasons = failures.get(0).reason();
        } else {
            List<String> uris = new ArrayList<>();
            List<String> each = new ArrayList<>();
            for (Unreached failure : failures) {
                uris.add(failure.uri().toString());
                each.add(failure.uri() + ": " + failure.reason());
            }
            where = String.join(", ", uris);
            reasons = String.join("; ", each);
        }
        boolean tls = failures.stream().allMatch(f -> f.reason().startsWith(TLS_FAILED));
        return new DatastoreUnavailableException("etcd at " + where + " is unreachable: " + reasons + (tls
                ? "; check the " + EtcdDatastoreConfig.PID + " caFile, certFile and keyFile settings against etcd's "
                        + "certificate"
                : "; check that etcd runs and the " + EtcdDatastoreConfig.PID + " endpoints setting"));
    }

    /** One exchange on {@code endpoint}, turned into the errors an operator can act on. */
    private Reply send(Endpoint endpoint, String path, byte[] body, String authToken, boolean idempotent)
            throws DatastoreException, NotSentException, NoReplyException {
        try {
            return endpoint.send(path, body, authToken);
        } catch (NotSentException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new DatastoreUnavailableException("interrupted while waiting for etcd at " + endpoint.uri);
            }
            throw e;
        } catch (NoReplyException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new DatastoreUnavailableException("interrupted while waiting for etcd at " + endpoint.uri
                        + (idempotent ? "" : OUTCOME_UNKNOWN));
            }
            throw e;
        } catch (RequestTimeoutException e) {
            avoid(endpoint);
            throw new DatastoreUnavailableException("etcd at " + endpoint.uri + " did not answer POST " + path
                    + " within " + requestMillis + " ms" + (idempotent ? "" : " (the change may or may not have "
                            + "been applied)")
                    + "; check etcd's health (etcdctl endpoint health) and the " + EtcdDatastoreConfig.PID
                    + " requestTimeoutMs setting");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatastoreUnavailableException("interrupted while waiting for etcd at " + endpoint.uri);
        }
    }

    /**
     * Sends later requests and streams to the next endpoint: a frozen or partitioned member may still
     * accept connections but never answers, so only a timeout tells.
     */
    private void avoid(Endpoint endpoint) {
        int index = endpoints.indexOf(endpoint);
        if (endpoints.size() > 1 && preferred == index) {
            preferred = (index + 1) % endpoints.size();
            LOG.warn("etcd at {} does not answer; trying {} next", endpoint.uri, endpoints.get(preferred).uri);
        }
    }

    /** Turns an error reply into an exception carrying etcd's message and the fix. */
    private DatastoreException failure(Reply reply, String path) {
        JsonNode error;
        try {
            error = json.readTree(reply.body());
        } catch (IOException e) {
            error = null;
        }
        String where = "etcd at " + reply.endpoint();
        if (error == null || !error.isObject() || !(error.has("message") || error.has("error"))) {
            String text = new String(reply.body(), java.nio.charset.StandardCharsets.UTF_8).trim();
            return new EtcdServerException(where + " answered HTTP " + reply.status() + " " + reply.reason() + " to POST "
                    + path + (text.isEmpty() ? "" : " (" + abbreviate(text) + ")") + "; check that " + reply.endpoint()
                    + " is an etcd v3.4+ client URL (not a peer URL)", 0, text);
        }
        String message = error.path("message").asText(error.path("error").asText(""));
        int code = error.path("code").asInt(0);
        return classify(where, "POST " + path, code, message);
    }

    /** The exception for an etcd error {@code message} with gRPC {@code code}, shared with watch streams. */
    DatastoreException classify(String where, String operation, int code, String message) {
        if (code == 14 || code == 4 || message.contains("no leader") || message.contains("request timed out")
                || message.contains("leader changed") || message.contains("too many requests")) {
            return new DatastoreUnavailableException(where + " cannot serve requests now (" + message
                    + "); check the health of the etcd cluster (etcdctl endpoint health)");
        }
        if (message.contains("user name is empty")) {
            return new EtcdServerException(where + " requires authentication (" + message + "); set username and "
                    + "password in " + EtcdDatastoreConfig.PID, code, message);
        }
        if (message.contains("authentication failed")) {
            return new EtcdServerException(where + " rejected user \"" + settings.username() + "\" (" + message
                    + "); check username and password in " + EtcdDatastoreConfig.PID, code, message);
        }
        if (code == EtcdServerException.PERMISSION_DENIED) {
            return new EtcdServerException(where + " denied user \"" + settings.username() + "\" " + operation + " ("
                    + message + "); give the user's role readwrite permission on Weft's keys", code, message);
        }
        return new EtcdServerException(where + " failed " + operation + ": " + message, code, message);
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }

    // ---- authentication -------------------------------------------------------------------------

    /** The token to send, authenticating first if needed; null without credentials or with auth off. */
    String token() throws DatastoreException {
        if (!settings.authenticates()) {
            return null;
        }
        String current = token;
        if (current != null) {
            return current.isEmpty() ? null : current;
        }
        synchronized (authLock) {
            if (token == null) {
                token = authenticate();
            }
            return token.isEmpty() ? null : token;
        }
    }

    /**
     * Forgets {@code used} (null: none was sent) if it is still the current token, so the next call
     * authenticates again.
     */
    void invalidateToken(String used) {
        synchronized (authLock) {
            if (used == null ? "".equals(token) : used.equals(token)) {
                token = null;
            }
        }
    }

    private String authenticate() throws DatastoreException {
        ObjectNode body = GatewayCodec.object();
        body.put("name", settings.username());
        body.put("password", settings.password());
        String path = "/v3/auth/authenticate";
        Reply reply = exchange(path, encode(body), null, true, -1);
        if (reply.status() == 200) {
            String issued = parse(reply, path).path("token").asText("");
            LOG.info("authenticated to etcd at {} as user {}", reply.endpoint(), settings.username());
            return issued;
        }
        DatastoreException failure = failure(reply, path);
        if (failure instanceof EtcdServerException e && e.etcdMessage().contains("authentication is not enabled")) {
            LOG.warn("etcd at {} has authentication switched off; the configured user {} is not used",
                    reply.endpoint(), settings.username());
            return "";
        }
        throw failure;
    }

    // ---- streams ----------------------------------------------------------------------------------

    /** Receives one streaming call's messages, on a Netty event loop thread. */
    interface StreamListener {
        void onMessage(JsonNode message);

        /** The stream is over: etcd or the network ended it, or it never started. Called once. */
        void onEnd(Throwable cause);
    }

    /** A running streaming call. */
    interface Stream {
        /** Index of the endpoint it runs on. */
        int endpoint();

        URI endpointUri();

        void close();
    }

    /**
     * Opens a streaming call on its own connection to the preferred endpoint. Returns at once; the
     * outcome arrives through {@code listener}. A failed connection moves the preference on, so the
     * caller's next attempt tries the next endpoint.
     */
    Stream openStream(String path, ObjectNode body, String authToken, StreamListener listener)
            throws DatastoreUnavailableException {
        checkOpen();
        int index = preferred;
        Endpoint endpoint = endpoints.get(index);
        byte[] bytes = encode(body);
        AtomicBoolean ended = new AtomicBoolean();
        StreamListener once = new StreamListener() {
            @Override
            public void onMessage(JsonNode message) {
                if (!ended.get()) {
                    listener.onMessage(message);
                }
            }

            @Override
            public void onEnd(Throwable cause) {
                if (ended.compareAndSet(false, true)) {
                    listener.onEnd(cause);
                }
            }
        };
        Bootstrap bootstrap = endpoint.bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                endpoint.addTls(ch);
                ch.pipeline().addLast(new HttpClientCodec(), new StreamHandler(endpoint.uri, path, once));
            }
        });
        io.netty.channel.ChannelFuture connect = bootstrap.connect();
        Channel channel = connect.channel();
        streams.add(channel);
        channel.closeFuture().addListener(f -> streams.remove(channel));
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                if (preferred == index) {
                    preferred = (index + 1) % endpoints.size();
                }
                once.onEnd(new NotSentException(f.cause()));
                return;
            }
            channel.writeAndFlush(endpoint.request(path, bytes, authToken)).addListener(w -> {
                if (!w.isSuccess()) {
                    once.onEnd(new NotSentException(w.cause()));
                    channel.close();
                }
            });
        });
        return new Stream() {
            @Override
            public int endpoint() {
                return index;
            }

            @Override
            public URI endpointUri() {
                return endpoint.uri;
            }

            @Override
            public void close() {
                ended.set(true);
                channel.close();
            }
        };
    }

    /** Reads a streamed reply: a JSON object per message, or an error reply. */
    private final class StreamHandler extends SimpleChannelInboundHandler<HttpObject> {
        private final URI endpoint;
        private final String path;
        private final StreamListener listener;
        private final JsonObjectSplitter splitter = new JsonObjectSplitter();
        private HttpResponse head;
        private final java.io.ByteArrayOutputStream errorBody = new java.io.ByteArrayOutputStream();

        StreamHandler(URI endpoint, String path, StreamListener listener) {
            this.endpoint = endpoint;
            this.path = path;
            this.listener = listener;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) throws IOException {
            if (msg instanceof HttpResponse response) {
                head = response;
            }
            if (msg instanceof HttpContent content) {
                if (head != null && head.status().code() == 200) {
                    for (byte[] object : splitter.feed(content.content())) {
                        listener.onMessage(json.readTree(object));
                    }
                } else {
                    errorBody.write(ByteBufUtil.getBytes(content.content()));
                }
                if (msg instanceof LastHttpContent) {
                    if (head != null && head.status().code() != 200) {
                        Reply reply = new Reply(endpoint, head.status().code(), head.status().reasonPhrase(),
                                errorBody.toByteArray(), false);
                        listener.onEnd(failure(reply, path));
                    } else {
                        listener.onEnd(new IOException("etcd ended the stream"));
                    }
                    ctx.close();
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            listener.onEnd(new ClosedChannelException());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            listener.onEnd(cause);
            ctx.close();
        }
    }

    // ---- endpoints --------------------------------------------------------------------------------

    /** etcd's reply to one request. */
    record Reply(URI endpoint, int status, String reason, byte[] body, boolean keepAlive) {
    }

    /** The request never reached etcd (no connection, or it could not be written): safe to send elsewhere. */
    static final class NotSentException extends IOException {
        private static final long serialVersionUID = 1L;

        NotSentException(Throwable cause) {
            super(cause);
        }
    }

    /** The connection closed after the request was written and before the reply. */
    static final class NoReplyException extends IOException {
        private static final long serialVersionUID = 1L;

        NoReplyException(Throwable cause) {
            super(cause);
        }
    }

    static final class RequestTimeoutException extends IOException {
        private static final long serialVersionUID = 1L;
    }

    /** Why a connection failed, in words for an operator. */
    String describe(Throwable cause) {
        Throwable t = cause instanceof NotSentException || cause instanceof NoReplyException ? cause.getCause() : cause;
        if (t instanceof ConnectTimeoutException) {
            return "no connection within the dial timeout of " + dialMillis + " ms";
        }
        if (t instanceof UnknownHostException) {
            return "unknown host " + t.getMessage();
        }
        if (t instanceof SSLException || t != null && t.getCause() instanceof SSLException) {
            return TLS_FAILED + (t instanceof SSLException ? t : t.getCause()).getMessage() + ")";
        }
        if (t instanceof ClosedChannelException) {
            return "connection closed";
        }
        if (t instanceof ConnectException && t.getMessage() != null) {
            // Netty appends the address ("Connection refused: /127.0.0.1:2379"), which the message
            // names already, and epoll puts the failed call in front ("finishConnect(..) failed: ")
            String message = t.getMessage().replaceFirst("^\\w+\\(\\.\\.\\) failed: ", "");
            int at = message.indexOf(": ");
            return at > 0 ? message.substring(0, at) : message;
        }
        if (t instanceof TimeoutException && t.getMessage() != null && t.getMessage().startsWith("Acquire")) {
            return "all " + MAX_CONNECTIONS_PER_ENDPOINT + " connections stayed busy for " + requestMillis + " ms";
        }
        if (t == null) {
            return "unknown failure";
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    /**
     * One etcd member: its keep-alive connections for unary calls, driven by the calling threads
     * ({@link UnaryConnection}), and the bootstrap for its watch streams.
     */
    private final class Endpoint {
        final URI uri;
        final String host;
        final String hostHeader;
        final SslContext ssl;
        final Bootstrap bootstrap;
        /** Idle connections, the most recently used first (its socket buffers are warm). */
        private final ConcurrentLinkedDeque<UnaryConnection> idle =
                new ConcurrentLinkedDeque<>();
        /** Every open unary connection, idle or in use, so that close() can end calls under way. */
        private final Set<UnaryConnection> open = ConcurrentHashMap.newKeySet();
        private final Semaphore permits =
                new Semaphore(MAX_CONNECTIONS_PER_ENDPOINT);

        Endpoint(URI uri, SslContext ssl) {
            this.uri = uri;
            this.host = uri.getHost().replace("[", "").replace("]", "");
            this.hostHeader = uri.getHost() + ":" + uri.getPort();
            this.ssl = ssl;
            this.bootstrap = new Bootstrap().group(group).channel(channelType)
                    .remoteAddress(host, uri.getPort())
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, dialMillis))
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.SO_KEEPALIVE, true);
        }

        void addTls(Channel ch) {
            if (ssl != null) {
                SslHandler handler = ssl.newHandler(ch.alloc(), uri.getHost(), uri.getPort());
                SSLEngine engine = handler.engine();
                SSLParameters parameters = engine.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
                engine.setSSLParameters(parameters);
                handler.setHandshakeTimeoutMillis(dialMillis);
                ch.pipeline().addLast(handler);
            }
        }

        FullHttpRequest request(String path, byte[] body, String authToken) {
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path,
                    Unpooled.wrappedBuffer(body));
            request.headers().set(HttpHeaderNames.HOST, hostHeader)
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .set(HttpHeaderNames.ACCEPT, HttpHeaderValues.APPLICATION_JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            if (authToken != null) {
                request.headers().set(HttpHeaderNames.AUTHORIZATION, authToken);
            }
            return request;
        }

        /**
         * One request and its reply on the calling thread, over an idle connection or a new one. At most
         * {@value #MAX_CONNECTIONS_PER_ENDPOINT} calls run at once; more wait up to the request timeout.
         */
        Reply send(String path, byte[] body, String authToken)
                throws NotSentException, NoReplyException, RequestTimeoutException, InterruptedException {
            if (!permits.tryAcquire(Math.max(requestMillis, 1), TimeUnit.MILLISECONDS)) {
                throw new NotSentException(new TimeoutException("Acquire: all connections busy"));
            }
            try {
                while (true) {
                    UnaryConnection connection = idleConnection();
                    boolean reused = connection != null;
                    if (!reused) {
                        connection = newConnection();
                    }
                    boolean keep = false;
                    try {
                        Reply reply = connection.exchange(request(path, body, authToken),
                                System.nanoTime() + requestMillis * 1_000_000L, uri);
                        keep = reply.keepAlive();
                        return reply;
                    } catch (NotSentException e) {
                        if (!reused || closed) {
                            throw e;
                        }
                        // etcd closed this idle connection as the request went out, and received
                        // none of it: the next idle connection, or a fresh one, on the same endpoint
                    } finally {
                        giveBack(connection, keep);
                    }
                }
            } finally {
                permits.release();
            }
        }

        /** An idle connection that etcd has not closed, or null. */
        private UnaryConnection idleConnection() {
            UnaryConnection connection;
            while ((connection = idle.poll()) != null) {
                if (connection.reusable()) {
                    return connection;
                }
                discard(connection); // etcd closed it while it was idle
            }
            return null;
        }

        private UnaryConnection newConnection() throws NotSentException {
            InetSocketAddress address = new InetSocketAddress(host, uri.getPort());
            if (address.isUnresolved()) {
                throw new NotSentException(new UnknownHostException(host));
            }
            UnaryConnection connection = UnaryConnection.open(address, dialMillis, MAX_REPLY_BYTES, this::addTls);
            open.add(connection);
            if (closed) {
                discard(connection);
                throw new NotSentException(new ClosedChannelException());
            }
            return connection;
        }

        /** Back to the idle pool after a keep-alive reply; otherwise closed (its reply may still come). */
        private void giveBack(UnaryConnection connection, boolean keep) {
            if (keep && !closed) {
                idle.push(connection);
                if (closed && idle.remove(connection)) { // close() ran meanwhile
                    discard(connection);
                }
            } else {
                discard(connection);
            }
        }

        private void discard(UnaryConnection connection) {
            open.remove(connection);
            connection.close();
        }

        void close() {
            UnaryConnection connection;
            while ((connection = idle.poll()) != null) {
                discard(connection);
            }
            for (UnaryConnection inUse : open) {
                inUse.abort(); // the call under way fails at once, reports the store closed, and closes it
            }
        }
    }

    // ---- lifecycle ------------------------------------------------------------------------------

    private void checkOpen() throws DatastoreUnavailableException {
        checkOpen("");
    }

    /** As {@link #checkOpen()}, saying {@code outcome} (a write's unknown fate) when closed. */
    private void checkOpen(String outcome) throws DatastoreUnavailableException {
        if (closed) {
            throw new DatastoreUnavailableException("etcd:" + settings.endpointList()
                    + " is closed (its bundle was stopped or is restarting)" + outcome);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Channel stream : streams) {
            stream.close();
        }
        for (Endpoint endpoint : endpoints) {
            endpoint.close();
        }
        // a short quiet period lets connects already under way finish instead of failing noisily
        Future<?> shutdown = group.shutdownGracefully(20, 2000, TimeUnit.MILLISECONDS);
        boolean onEventLoop = false;
        for (io.netty.util.concurrent.EventExecutor loop : group) {
            onEventLoop |= loop.inEventLoop();
        }
        if (!onEventLoop) {
            // wait, so that a stopped bundle leaves no Netty threads behind holding its classes
            shutdown.awaitUninterruptibly(Duration.ofSeconds(3).toMillis());
        }
    }
}
