package io.weft.datastore.etcd;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.weft.api.datastore.Datastore;
import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.DatastoreUnavailableException;
import io.weft.api.datastore.KeyExistsException;
import io.weft.api.datastore.KeyNotFoundException;
import io.weft.api.datastore.KeyValue;
import io.weft.api.datastore.RevisionConflictException;
import io.weft.api.datastore.Snapshot;
import io.weft.api.datastore.Watch;
import io.weft.api.datastore.WatchListener;
import io.weft.api.datastore.Write;
import io.weft.api.provider.WeftProvider;
import io.weft.datastore.etcd.CasCodec.CasReply;

/**
 * The datastore for clusters: etcd v3 through its JSON gateway. Compare-and-swap writes are etcd
 * transactions whose failure branch reads the key, so a lost race reports what is stored in the
 * same round trip; watches are etcd watch streams that survive etcd restarts (see
 * {@link EtcdWatch}); leases are etcd leases.
 *
 * <p>Revisions are etcd's minus one (see {@link GatewayCodec}), so that an empty etcd is at
 * revision 0 as the contract says.
 */
@Component(service = Datastore.class, configurationPid = EtcdDatastoreConfig.PID)
@Designate(ocd = EtcdDatastoreConfig.class)
@WeftProvider("etcd")
public class EtcdDatastore implements Datastore, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EtcdDatastore.class);
    /** Keys per range request when listing: bounds a reply's size for large prefixes. */
    static final int LIST_PAGE = 10_000;
    private static final AtomicInteger STORE_IDS = new AtomicInteger();

    private final EtcdSettings settings;
    private final String description;
    private final GatewayCodec codec;
    private final EtcdGateway gateway;
    private final ObjectMapper json;
    private final CasCodec casCodec;
    private final ExecutorService deliveries;
    private final ExecutorService workers;
    private final ScheduledExecutorService timers;
    private final Set<EtcdWatch> watches = ConcurrentHashMap.newKeySet();
    private final int listPage;
    private volatile boolean closed;

    @Activate
    public EtcdDatastore(EtcdDatastoreConfig config) {
        this(EtcdSettings.from(config));
    }

    EtcdDatastore(EtcdSettings settings) {
        this(settings, LIST_PAGE);
    }

    /** For tests: lists in pages of {@code listPage} keys. */
    EtcdDatastore(EtcdSettings settings, int listPage) {
        this.settings = settings;
        this.listPage = listPage;
        this.description = "etcd:" + settings.endpointList();
        this.codec = new GatewayCodec(settings.keyPrefix());
        this.json = new ObjectMapper();
        this.gateway = new EtcdGateway(settings, json);
        this.casCodec = new CasCodec(json.getFactory());
        int id = STORE_IDS.incrementAndGet();
        this.deliveries = Executors.newCachedThreadPool(EtcdGateway.daemon("weft-etcd-watch-" + id));
        this.workers = Executors.newCachedThreadPool(EtcdGateway.daemon("weft-etcd-worker-" + id));
        this.timers = Executors.newSingleThreadScheduledExecutor(EtcdGateway.daemon("weft-etcd-timer-" + id));
        timers.scheduleWithFixedDelay(() -> watches.forEach(EtcdWatch::probeIfIdle), 10, 10, TimeUnit.SECONDS);
        LOG.info("etcd datastore: {}", settings);
        workers.execute(this::greet);
    }

    /** Says in the log whether etcd answers, without holding up activation. */
    private void greet() {
        try {
            LOG.info("etcd at {} answers; store revision {}", settings.endpointList(), revision());
        } catch (DatastoreException e) {
            if (!closed) {
                LOG.warn("{} (every datastore call tries again)", e.getMessage());
            }
        }
    }

    @Override
    public String describe() {
        return description;
    }

    // ---- reads ------------------------------------------------------------------------------------

    @Override
    public long revision() throws DatastoreException {
        return revisionOn(-1);
    }

    /** The revision as endpoint {@code endpoint} (-1: any) reports it: also the watches' liveness probe. */
    long revisionOn(int endpoint) throws DatastoreException {
        checkOpen();
        ObjectNode range = GatewayCodec.object();
        // a single key the Weft user may read even when its role only covers Weft's keys
        range.put("key", codec.key("/weft/"));
        range.put("count_only", true);
        return GatewayCodec.headerRevision(gateway.call("/v3/kv/range", range, true, endpoint));
    }

    @Override
    public Optional<KeyValue> get(String key) throws DatastoreException {
        checkOpen();
        ObjectNode range = GatewayCodec.object();
        range.put("key", codec.key(key));
        List<KeyValue> found = codec.keyValues(gateway.call("/v3/kv/range", range, true));
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    @Override
    public Snapshot list(String prefix) throws DatastoreException {
        checkOpen();
        Objects.requireNonNull(prefix, "prefix");
        for (int attempt = 1;; attempt++) {
            try {
                return listOnce(prefix);
            } catch (EtcdServerException e) {
                // compacted between two pages: the pages would not be one snapshot; start over
                if (!e.etcdMessage().contains("compacted") || attempt == 3) {
                    throw e;
                }
            }
        }
    }

    private Snapshot listOnce(String prefix) throws DatastoreException {
        ObjectNode range = codec.prefixRange(GatewayCodec.object(), prefix);
        range.put("limit", Integer.toString(listPage));
        List<KeyValue> entries = new ArrayList<>();
        long atEtcdRevision = 0;
        while (true) {
            JsonNode reply = gateway.call("/v3/kv/range", range, true);
            if (atEtcdRevision == 0) {
                atEtcdRevision = GatewayCodec.etcdHeaderRevision(reply);
                range.put("revision", Long.toString(atEtcdRevision)); // later pages: the same moment
            }
            JsonNode kvs = reply.path("kvs");
            for (JsonNode kv : kvs) {
                entries.add(codec.keyValue(kv));
            }
            if (!reply.path("more").asBoolean() || kvs.isEmpty()) {
                break;
            }
            byte[] last = GatewayCodec.bytes(kvs.get(kvs.size() - 1), "key");
            range.put("key", GatewayCodec.base64(Arrays.copyOf(last, last.length + 1))); // the next key after it
        }
        // etcd orders keys by UTF-8 bytes (code points); the contract's order is String's (UTF-16
        // units). They differ only for characters above U+FFFF against U+E000..U+FFFF.
        entries.sort(Comparator.comparing(KeyValue::key));
        return new Snapshot(entries, GatewayCodec.toWeftRevision(atEtcdRevision));
    }

    // ---- writes -----------------------------------------------------------------------------------

    @Override
    public KeyValue create(String key, byte[] value, long leaseId) throws DatastoreException {
        checkOpen();
        requireValue(key, value);
        CasReply reply = cas(CasCodec.Op.CREATE, key, 0, value, leaseId);
        long revision = GatewayCodec.toWeftRevision(reply.etcdRevision());
        return new KeyValue(key, value, revision, revision, 1, leaseId);
    }

    @Override
    public KeyValue update(String key, byte[] value, long expectedModRevision) throws DatastoreException {
        checkOpen();
        requireValue(key, value);
        CasReply reply = cas(CasCodec.Op.UPDATE, key, expectedModRevision, value, NO_LEASE);
        return new KeyValue(key, value, GatewayCodec.toWeftRevision(reply.prevCreateRevision()),
                GatewayCodec.toWeftRevision(reply.etcdRevision()), reply.prevVersion() + 1, reply.prevLease());
    }

    @Override
    public KeyValue put(String key, byte[] value, long leaseId) throws DatastoreException {
        checkOpen();
        ObjectNode put = put(codec.key(key), key, value, leaseId);
        put.put("prev_kv", true);
        JsonNode reply = write("/v3/kv/put", put, leaseId);
        long revision = GatewayCodec.headerRevision(reply);
        JsonNode prev = reply.get("prev_kv");
        if (prev == null) {
            return new KeyValue(key, value, revision, revision, 1, leaseId);
        }
        KeyValue before = codec.keyValue(prev);
        return new KeyValue(key, value, before.createRevision(), revision, before.version() + 1, leaseId);
    }

    @Override
    public long delete(String key, long expectedModRevision) throws DatastoreException {
        checkOpen();
        return GatewayCodec.toWeftRevision(cas(CasCodec.Op.DELETE, key, expectedModRevision, null, NO_LEASE)
                .etcdRevision());
    }

    /**
     * One single-key compare-and-swap: {@code op} if the key does not exist (create) or its mod
     * revision is {@code expectedModRevision}. When the condition fails, the same round trip read the
     * key, and the exception carries what is stored: {@link KeyExistsException} for a create,
     * {@link RevisionConflictException} otherwise, {@link KeyNotFoundException} when the key is gone.
     */
    private CasReply cas(CasCodec.Op op, String key, long expectedModRevision, byte[] value, long leaseId)
            throws DatastoreException {
        // a missing key has mod_revision 0 and no key has etcd revision 1 (the empty store), so a
        // Weft revision below 1 is compared with 1: it never matches, as it must not
        long etcdModRevision = Math.max(1, GatewayCodec.toEtcdRevision(expectedModRevision));
        byte[] body = casCodec.txn(op, codec.key(key), etcdModRevision, value, leaseId);
        byte[] reply = write(body, leaseId);
        CasReply read;
        JsonNode failed;
        try {
            read = casCodec.reply(reply);
            failed = read.succeeded() ? null : json.readTree(reply);
        } catch (IOException | RuntimeException e) {
            throw gateway.unreadable("/v3/kv/txn", e);
        }
        if (failed == null) {
            return read;
        }
        KeyValue stored = current(failed, key);
        throw op == CasCodec.Op.CREATE ? new KeyExistsException(stored)
                : new RevisionConflictException(stored, expectedModRevision);
    }

    private static void requireValue(String key, byte[] value) {
        if (value == null) {
            throw new IllegalArgumentException("value of " + key + " must not be null");
        }
    }

    /** A single-key write: never resent after a dropped connection; an unknown lease named. */
    private byte[] write(byte[] txn, long leaseId) throws DatastoreException {
        try {
            return gateway.call("/v3/kv/txn", txn, false);
        } catch (EtcdServerException e) {
            if (e.isLeaseNotFound()) {
                throw new KeyNotFoundException("lease " + leaseId);
            }
            throw e;
        }
    }

    /**
     * One etcd transaction: every write's condition compared, all writes on success, a read of
     * every key on failure to say which condition failed. One round trip, one WAL fsync, and
     * every write at the same revision.
     */
    @Override
    public List<Long> commit(List<Write> writes) throws DatastoreException {
        checkOpen();
        ObjectNode txn = GatewayCodec.object();
        ArrayNode compares = txn.putArray("compare");
        ArrayNode success = txn.putArray("success");
        ArrayNode failure = txn.putArray("failure");
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (Write w : writes) {
            if (!keys.add(w.key())) {
                throw new IllegalArgumentException("a commit writes each key once; " + w.key() + " appears twice");
            }
            String etcdKey = codec.key(w.key());
            switch (w.type()) {
                case CREATE -> {
                    compares.add(compare(etcdKey, "CREATE", 0));
                    success.addObject().set("request_put", put(etcdKey, w.key(), w.value(), NO_LEASE));
                }
                case UPDATE -> {
                    compares.add(compare(etcdKey, "MOD", w.expectedModRevision()));
                    ObjectNode put = put(etcdKey, w.key(), w.value(), NO_LEASE);
                    put.put("ignore_lease", true);
                    success.addObject().set("request_put", put);
                }
                case DELETE -> {
                    compares.add(compare(etcdKey, "MOD", w.expectedModRevision()));
                    ObjectNode delete = GatewayCodec.object();
                    delete.put("key", etcdKey);
                    success.addObject().set("request_delete_range", delete);
                }
                default -> throw new IllegalArgumentException(w.type().toString());
            }
            ObjectNode range = GatewayCodec.object();
            range.put("key", etcdKey);
            failure.addObject().set("request_range", range);
        }
        JsonNode reply = write(txn, NO_LEASE);
        if (succeeded(reply)) {
            long revision = GatewayCodec.headerRevision(reply);
            List<Long> out = new ArrayList<>(writes.size());
            writes.forEach(w -> out.add(revision));
            return out;
        }
        ArrayNode responses = (ArrayNode) reply.path("responses");
        for (int i = 0; i < writes.size(); i++) {
            Write w = writes.get(i);
            List<KeyValue> found = i < responses.size()
                    ? codec.keyValues(responses.get(i).path("response_range")) : List.of();
            if (w.type() == Write.Type.CREATE) {
                if (!found.isEmpty()) {
                    throw new KeyExistsException(found.get(0));
                }
            } else if (found.isEmpty()) {
                throw new KeyNotFoundException(w.key());
            } else if (found.get(0).modRevision() != w.expectedModRevision()) {
                throw new RevisionConflictException(found.get(0), w.expectedModRevision());
            }
        }
        // every condition holds now: another writer changed and restored a key in between
        throw new RevisionConflictException(codec.keyValues(responses.get(0).path("response_range")).stream()
                .findFirst().orElseThrow(() -> new KeyNotFoundException(writes.get(0).key())),
                writes.get(0).expectedModRevision());
    }

    private static ObjectNode put(String etcdKey, String key, byte[] value, long leaseId) {
        if (value == null) {
            throw new IllegalArgumentException("value of " + key + " must not be null");
        }
        ObjectNode put = GatewayCodec.object();
        put.put("key", etcdKey);
        put.put("value", GatewayCodec.base64(value));
        if (leaseId != NO_LEASE) {
            put.put("lease", Long.toString(leaseId));
        }
        return put;
    }

    /** {@code key}'s create or mod revision equals {@code weftRevision}. */
    private static ObjectNode compare(String etcdKey, String target, long weftRevision) {
        ObjectNode compare = GatewayCodec.object();
        compare.put("key", etcdKey);
        compare.put("target", target);
        compare.put("result", "EQUAL");
        if ("CREATE".equals(target)) {
            compare.put("create_revision", "0"); // etcd's "the key does not exist"
        } else {
            // a missing key has mod_revision 0 and no key has etcd revision 1 (the empty store), so
            // a Weft revision below 1 is compared with 1: it never matches, as it must not
            compare.put("mod_revision", Long.toString(Math.max(1, GatewayCodec.toEtcdRevision(weftRevision))));
        }
        return compare;
    }

    private JsonNode write(ObjectNode txn, long leaseId) throws DatastoreException {
        return write("/v3/kv/txn", txn, leaseId);
    }

    /** A request that changes data: never resent after a dropped connection; unknown leases named. */
    private JsonNode write(String path, ObjectNode body, long leaseId) throws DatastoreException {
        try {
            return gateway.call(path, body, false);
        } catch (EtcdServerException e) {
            if (e.isLeaseNotFound()) {
                throw new KeyNotFoundException("lease " + leaseId);
            }
            throw e;
        }
    }

    /** {@code succeeded} is left out of a txn reply when false. */
    private static boolean succeeded(JsonNode txnReply) {
        return txnReply.path("succeeded").asBoolean(false);
    }

    /** What a failed txn's read found; the key is gone when it found nothing. */
    private KeyValue current(JsonNode txnReply, String key) throws KeyNotFoundException {
        ArrayNode responses = (ArrayNode) txnReply.path("responses");
        List<KeyValue> found = responses.isEmpty() ? List.of()
                : codec.keyValues(responses.get(0).path("response_range"));
        if (found.isEmpty()) {
            throw new KeyNotFoundException(key);
        }
        return found.get(0);
    }

    // ---- watches ----------------------------------------------------------------------------------

    @Override
    public Watch watch(String prefix, long fromRevision, WatchListener listener) throws DatastoreException {
        checkOpen();
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(listener, "listener");
        OrderedDelivery delivery = new OrderedDelivery(prefix, listener, deliveries);
        EtcdWatch watch = new EtcdWatch(this, gateway, codec, prefix, delivery, timers, workers);
        long fromEtcdRevision;
        long snapshotEtcdRevision = 0;
        if (fromRevision <= FROM_SNAPSHOT) {
            Snapshot snapshot = list(prefix);
            delivery.snapshot(snapshot);
            snapshotEtcdRevision = GatewayCodec.toEtcdRevision(snapshot.revision());
            fromEtcdRevision = snapshotEtcdRevision + 1;
        } else {
            fromEtcdRevision = GatewayCodec.toEtcdRevision(fromRevision);
        }
        watches.add(watch);
        if (closed) {
            watches.remove(watch);
            checkOpen();
        }
        watch.start(fromEtcdRevision, snapshotEtcdRevision,
                settings.dialTimeout().plus(settings.requestTimeout()).toMillis());
        return watch;
    }

    void forget(EtcdWatch watch) {
        watches.remove(watch);
    }

    // ---- leases -----------------------------------------------------------------------------------

    @Override
    public long grantLease(Duration ttl) throws DatastoreException {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("lease TTL must be positive, was " + ttl);
        }
        checkOpen();
        long seconds = ttl.getSeconds() + (ttl.getNano() > 0 ? 1 : 0); // etcd counts whole seconds: round up
        ObjectNode grant = GatewayCodec.object();
        grant.put("TTL", Long.toString(seconds));
        // resending a grant at worst leaves an unused lease that expires on its own
        JsonNode reply = gateway.call("/v3/lease/grant", grant, true);
        String error = reply.path("error").asText("");
        if (!error.isEmpty()) {
            throw new DatastoreException(description + " refused a lease of " + seconds + " s: " + error);
        }
        return GatewayCodec.int64(reply, "ID");
    }

    @Override
    public void keepAlive(long leaseId) throws DatastoreException {
        checkOpen();
        ObjectNode request = GatewayCodec.object();
        request.put("ID", Long.toString(leaseId));
        // a streaming call in gRPC; the gateway answers a single request with a single message
        JsonNode reply = gateway.call("/v3/lease/keepalive", request, true);
        JsonNode result = reply.get("result");
        if (result == null) {
            throw new DatastoreException(description + " failed to renew lease " + leaseId + ": "
                    + reply.path("error").path("message").asText(reply.toString()));
        }
        if (GatewayCodec.int64(result, "TTL") <= 0) {
            throw new KeyNotFoundException("lease " + leaseId); // expired or revoked
        }
    }

    @Override
    public void revokeLease(long leaseId) throws DatastoreException {
        checkOpen();
        ObjectNode request = GatewayCodec.object();
        request.put("ID", Long.toString(leaseId));
        try {
            gateway.call("/v3/lease/revoke", request, true);
        } catch (EtcdServerException e) {
            if (!e.isLeaseNotFound()) {
                throw e;
            }
        }
    }

    // ---- lifecycle --------------------------------------------------------------------------------

    private void checkOpen() throws DatastoreUnavailableException {
        if (closed) {
            throw new DatastoreUnavailableException(description + " is closed (its bundle was stopped or is restarting)");
        }
    }

    @Deactivate
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        DatastoreUnavailableException stopped = new DatastoreUnavailableException(description + " was stopped");
        for (EtcdWatch watch : List.copyOf(watches)) {
            watch.end(stopped);
        }
        timers.shutdownNow();
        workers.shutdownNow();
        gateway.close();
        deliveries.shutdown(); // after the watches' last calls (onClosed) were queued
        LOG.info("etcd datastore {} stopped", description);
    }
}
