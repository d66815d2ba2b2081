package io.weft.datastore.etcd;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.DatastoreUnavailableException;
import io.weft.api.datastore.Snapshot;
import io.weft.api.datastore.Watch;
import io.weft.api.datastore.WatchEvent;

/**
 * One Weft watch over an etcd watch stream. It remembers the next revision it owes its listener, so
 * when the stream breaks (etcd restarted, connection lost) it reconnects with backoff and resumes
 * exactly there: nothing missed, nothing twice. When etcd has compacted that revision away, it
 * re-lists the prefix, delivers the result as a snapshot and streams on from it.
 *
 * <p>Stream messages arrive on a Netty event loop; every stream gets a generation number, and
 * messages of a stream that was replaced are ignored. Blocking work (re-listing, authenticating)
 * runs on the store's worker pool; listener calls go through an {@link OrderedDelivery}.
 */
final class EtcdWatch implements Watch {

    private static final Logger LOG = LoggerFactory.getLogger(EtcdWatch.class);
    private static final long FIRST_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 5_000;
    /** A stream silent for this long gets its endpoint probed: a dead member sends no RST. */
    static final long IDLE_PROBE_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final Pattern GRPC_ERROR = Pattern.compile("rpc error: code = (\\w+) desc = (.*)", Pattern.DOTALL);

    private final EtcdDatastore store;
    private final EtcdGateway gateway;
    private final GatewayCodec codec;
    private final String prefix;
    private final OrderedDelivery delivery;
    private final ScheduledExecutorService timers;
    private final Executor workers;
    private final CompletableFuture<Void> established = new CompletableFuture<>();

    // guarded by this
    /** The etcd revision the next stream starts from: one past the last delivered. */
    private long nextRevision;
    /** The etcd revision the listener's view is at: its last snapshot or event. */
    private long deliveredThrough;
    private boolean needSnapshot;
    private int generation;
    private EtcdGateway.Stream stream;
    private String streamToken;
    private int failures;
    private ScheduledFuture<?> reconnect;
    private long lastMessageNanos;
    private boolean probing;
    private boolean ended;

    EtcdWatch(EtcdDatastore store, EtcdGateway gateway, GatewayCodec codec, String prefix, OrderedDelivery delivery,
            ScheduledExecutorService timers, Executor workers) {
        this.store = store;
        this.gateway = gateway;
        this.codec = codec;
        this.prefix = prefix;
        this.delivery = delivery;
        this.timers = timers;
        this.workers = workers;
    }

    @Override
    public String prefix() {
        return prefix;
    }

    /**
     * Opens the first stream, from etcd revision {@code fromEtcdRevision}, and waits until etcd has
     * accepted it; then starts delivery. Throws, and leaves the listener untold, when it cannot.
     *
     * @param snapshotEtcdRevision the etcd revision of the snapshot already queued, or 0
     */
    void start(long fromEtcdRevision, long snapshotEtcdRevision, long timeoutMillis) throws DatastoreException {
        synchronized (this) {
            nextRevision = fromEtcdRevision;
            deliveredThrough = snapshotEtcdRevision;
        }
        connect();
        try {
            established.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            abandon();
            throw e.getCause() instanceof DatastoreException d ? d
                    : new DatastoreUnavailableException("cannot watch " + prefix + " on etcd at "
                            + gateway.endpointList() + ": " + gateway.describe(e.getCause())
                            + "; check that etcd runs and the " + EtcdDatastoreConfig.PID + " endpoints setting");
        } catch (TimeoutException e) {
            abandon();
            throw new DatastoreUnavailableException("etcd at " + gateway.endpointList() + " did not accept a watch on "
                    + prefix + " within " + timeoutMillis + " ms; check etcd's health (etcdctl endpoint health)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon();
            throw new DatastoreUnavailableException("interrupted while starting a watch on " + prefix);
        }
        delivery.start();
    }

    /** Re-lists if needed, then opens a stream from {@link #nextRevision}. Runs on a worker (or the starter). */
    private void connect() {
        boolean snapshotFirst;
        synchronized (this) {
            if (ended) {
                return;
            }
            reconnect = null;
            snapshotFirst = needSnapshot;
        }
        String authToken;
        try {
            if (snapshotFirst) {
                Snapshot snapshot = store.list(prefix);
                synchronized (this) {
                    if (ended) {
                        return;
                    }
                    delivery.snapshot(snapshot);
                    deliveredThrough = GatewayCodec.toEtcdRevision(snapshot.revision());
                    nextRevision = deliveredThrough + 1;
                    needSnapshot = false;
                }
                LOG.info("watch on {}: re-listed {} keys at revision {}; delivering them as a snapshot", prefix,
                        snapshot.entries().size(), snapshot.revision());
            }
            authToken = gateway.token();
        } catch (DatastoreException e) {
            synchronized (this) {
                failed(generation, e);
            }
            return;
        }
        synchronized (this) {
            if (ended) {
                return;
            }
            int gen = ++generation;
            ObjectNode create = codec.prefixRange(GatewayCodec.object(), prefix);
            create.put("start_revision", Long.toString(nextRevision));
            create.put("prev_kv", true);
            ObjectNode request = GatewayCodec.object();
            request.set("create_request", create);
            try {
                stream = gateway.openStream("/v3/watch", request, authToken, new EtcdGateway.StreamListener() {
                    @Override
                    public void onMessage(JsonNode message) {
                        EtcdWatch.this.onMessage(gen, message);
                    }

                    @Override
                    public void onEnd(Throwable cause) {
                        synchronized (EtcdWatch.this) {
                            failed(gen, cause);
                        }
                    }
                });
                streamToken = authToken;
                lastMessageNanos = System.nanoTime();
            } catch (DatastoreUnavailableException closed) {
                failed(gen, closed);
            }
        }
    }

    private void onMessage(int gen, JsonNode message) {
        synchronized (this) {
            if (ended || gen != generation) {
                return; // a stream this watch already replaced
            }
            lastMessageNanos = System.nanoTime();
            JsonNode result = message.get("result");
            if (result == null) {
                String error = message.path("error").path("message").asText(message.toString());
                dropStream();
                failed(generation, new DatastoreException("etcd at " + gateway.endpointList()
                        + " broke the watch stream: " + error));
                return;
            }
            long compactRevision = GatewayCodec.int64(result, "compact_revision");
            if (compactRevision > 0) {
                LOG.info("watch on {}: etcd compacted its history up to revision {}, past the revision {} this watch "
                        + "resumes from; re-listing", prefix, GatewayCodec.toWeftRevision(compactRevision),
                        GatewayCodec.toWeftRevision(nextRevision));
                established.complete(null);
                failures = 0;
                needSnapshot = true;
                dropStream();
                workers.execute(this::connect);
                return;
            }
            if (result.path("canceled").asBoolean()) {
                String reason = result.path("cancel_reason").asText("");
                dropStream();
                if (reason.contains("auth token") || reason.contains("Unauthenticated")) {
                    gateway.invalidateToken(streamToken);
                    retry(new DatastoreException(reason));
                    return;
                }
                // "rpc error: code = PermissionDenied desc = etcdserver: permission denied"
                Matcher grpc = GRPC_ERROR.matcher(reason);
                String etcdMessage = grpc.matches() ? grpc.group(2)
                        : reason.isEmpty() ? "canceled without a reason" : reason;
                int code = grpc.matches() && "PermissionDenied".equals(grpc.group(1)) ? 7 : 0;
                DatastoreException cause = gateway.classify("etcd at " + gateway.endpointList(), "a watch on " + prefix,
                        code, etcdMessage);
                if (!established.isDone()) {
                    established.completeExceptionally(cause);
                } else {
                    LOG.warn("watch on {} ended: {}", prefix, cause.getMessage());
                    end(cause);
                }
                return;
            }
            if (result.path("created").asBoolean()) {
                long etcdNow = GatewayCodec.etcdHeaderRevision(result);
                if (etcdNow > 0 && etcdNow < deliveredThrough) {
                    // etcd is behind what this watch already delivered: restored from a backup, or a
                    // new cluster on the same address. Only a fresh snapshot makes the view right again.
                    LOG.warn("watch on {}: etcd is at revision {}, behind revision {} this watch already delivered "
                            + "(restored from a backup, or another cluster?); re-listing", prefix,
                            GatewayCodec.toWeftRevision(etcdNow), GatewayCodec.toWeftRevision(deliveredThrough));
                    failures = 0;
                    needSnapshot = true;
                    dropStream();
                    workers.execute(this::connect);
                    return;
                }
                established.complete(null);
                if (failures > 0) {
                    LOG.info("watch on {} resumed on etcd at {} from revision {} after {} attempts", prefix,
                            stream == null ? "?" : stream.endpointUri(), GatewayCodec.toWeftRevision(nextRevision),
                            failures);
                }
                failures = 0;
            }
            JsonNode events = result.path("events");
            if (events.isEmpty()) {
                return;
            }
            List<WatchEvent> batch = new ArrayList<>(events.size());
            for (JsonNode event : events) {
                // etcd resumes exactly at start_revision; this only guards against a replay
                if (GatewayCodec.int64(event.path("kv"), "mod_revision") >= nextRevision) {
                    batch.add(codec.event(event));
                }
            }
            if (!batch.isEmpty()) {
                deliveredThrough = GatewayCodec.toEtcdRevision(batch.get(batch.size() - 1).revision());
                nextRevision = deliveredThrough + 1;
                delivery.events(batch);
            }
        }
    }

    /** The stream of generation {@code gen} failed or could not start; caller holds the lock. */
    private void failed(int gen, Throwable cause) {
        if (ended || gen != generation) {
            return;
        }
        stream = null;
        if (!established.isDone()) {
            established.completeExceptionally(cause);
            return;
        }
        retry(cause);
    }

    /** Schedules the next connection attempt with exponential backoff; caller holds the lock. */
    private void retry(Throwable cause) {
        if (ended || reconnect != null) {
            return;
        }
        failures++;
        long delay = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(failures - 1, 16));
        delay += ThreadLocalRandom.current().nextLong(delay / 5 + 1);
        String why = cause instanceof DatastoreException ? cause.getMessage() : gateway.describe(cause);
        if (failures == 1) {
            LOG.warn("watch on {} lost its etcd stream ({}); reconnecting to resume from revision {}", prefix, why,
                    GatewayCodec.toWeftRevision(nextRevision));
        } else {
            LOG.debug("watch on {}: reconnect attempt {} failed ({}); next in {} ms", prefix, failures, why, delay);
        }
        reconnect = timers.schedule(() -> workers.execute(this::connect), delay, TimeUnit.MILLISECONDS);
    }

    /** Forgets the current stream so that nothing more from it counts; caller holds the lock. */
    private void dropStream() {
        generation++;
        if (stream != null) {
            stream.close();
            stream = null;
        }
    }

    /**
     * Checks a stream that has been silent for a while by asking its endpoint for the revision: a
     * member that died without closing the connection (power loss, partition) fails the probe, and
     * the watch moves to another endpoint.
     */
    void probeIfIdle() {
        EtcdGateway.Stream probed;
        int gen;
        synchronized (this) {
            if (ended || stream == null || probing || System.nanoTime() - lastMessageNanos < IDLE_PROBE_NANOS) {
                return;
            }
            probing = true;
            probed = stream;
            gen = generation;
        }
        workers.execute(() -> {
            DatastoreUnavailableException failure = null;
            try {
                store.revisionOn(probed.endpoint());
            } catch (DatastoreUnavailableException e) {
                failure = e;
            } catch (DatastoreException e) {
                // etcd answered, if with an error: the member is alive
            }
            synchronized (this) {
                probing = false;
                if (failure == null) {
                    lastMessageNanos = System.nanoTime();
                } else if (gen == generation && !ended) {
                    LOG.warn("watch on {}: etcd at {} stopped answering ({}); moving the stream", prefix,
                            probed.endpointUri(), failure.getMessage());
                    dropStream();
                    retry(failure);
                }
            }
        });
    }

    /** Ends the watch; the listener's last call is {@code onClosed(cause)}. */
    void end(DatastoreException cause) {
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            stop();
        }
        // a start() still waiting gives up at once
        established.completeExceptionally(cause != null ? cause
                : new DatastoreUnavailableException("the watch on " + prefix + " was closed while it started"));
        delivery.end(cause);
        store.forget(this);
    }

    private void abandon() {
        synchronized (this) {
            ended = true;
            stop();
        }
        delivery.abandon();
        store.forget(this);
    }

    private void stop() {
        generation++;
        if (stream != null) {
            stream.close();
            stream = null;
        }
        if (reconnect != null) {
            reconnect.cancel(false);
            reconnect = null;
        }
    }

    @Override
    public void close() {
        end(null);
    }
}
