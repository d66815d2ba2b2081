package io.weft.core;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import io.weft.api.datastore.Datastore;
import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.DatastoreUnavailableException;
import io.weft.api.datastore.KeyExistsException;
import io.weft.api.datastore.KeyNotFoundException;
import io.weft.api.datastore.KeyValue;
import io.weft.api.datastore.Snapshot;
import io.weft.api.datastore.Watch;
import io.weft.api.datastore.WatchEvent;
import io.weft.api.datastore.WatchListener;
import io.weft.api.datastore.Write;
import io.weft.api.model.ObjectMeta;
import io.weft.api.model.Resource;
import io.weft.api.model.ResourceKind;
import io.weft.api.provider.WeftProvider;
import io.weft.api.resource.InvalidResourceException;
import io.weft.api.resource.ResourceCodec;
import io.weft.api.resource.ResourceListener;
import io.weft.api.resource.ResourceStore;
import io.weft.api.resource.ResourceWrite;

/**
 * Typed resources over whichever datastore and codec are bound. Keys are
 * {@code /weft/v3/<plural>/<name>} (cluster-scoped kinds) and
 * {@code /weft/v3/<plural>/<namespace>/<name>}; values are the codec's stored JSON. A
 * resource's {@code resourceVersion} is the key's modRevision, so updates are compare-and-swap.
 */
@Component(service = ResourceStore.class)
@WeftProvider("datastore")
public class DatastoreResourceStore implements ResourceStore {

    static final String PREFIX = "/weft/v3/";

    // Mandatory: the typed store is offered only while a datastore and a codec are, so its
    // consumers (first-start defaults, console, weftctl) never see a store that cannot work.
    // Dynamic + greedy: a swapped provider is rebound without re-creating this component.
    @Reference(policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile Datastore datastore;

    @Reference(policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile ResourceCodec codec;

    private final Clock clock;
    /** Resources decoded from the bytes now stored: an allocator re-reads the block it just wrote. */
    private final DecodedResources decoded = new DecodedResources(4096);

    @Activate
    public DatastoreResourceStore() {
        this(Clock.systemUTC());
    }

    /** For plain Java use (tools, tests): fixed datastore and codec. */
    public DatastoreResourceStore(Datastore datastore, ResourceCodec codec, Clock clock) {
        this(clock);
        this.datastore = datastore;
        this.codec = codec;
    }

    private DatastoreResourceStore(Clock clock) {
        this.clock = clock;
    }

    private Datastore datastore() throws DatastoreUnavailableException {
        Datastore d = datastore;
        if (d == null) {
            throw new DatastoreUnavailableException(
                    "no datastore provider: install feature weft-datastore-embedded or weft-datastore-etcd");
        }
        return d;
    }

    private ResourceCodec codec() throws DatastoreUnavailableException {
        ResourceCodec c = codec;
        if (c == null) {
            throw new DatastoreUnavailableException("no resource codec: install feature weft-codec");
        }
        return c;
    }

    /** The key of one resource. */
    static String key(ResourceKind<?> kind, String namespace, String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(kind.kind() + ": metadata.name is required");
        }
        if (kind.namespaced()) {
            if (namespace == null || namespace.isEmpty()) {
                throw new IllegalArgumentException(kind.kind() + " \"" + name + "\": metadata.namespace is required");
            }
            return PREFIX + kind.plural() + "/" + namespace + "/" + name;
        }
        return PREFIX + kind.plural() + "/" + name;
    }

    static String prefix(ResourceKind<?> kind, String namespace) {
        return PREFIX + kind.plural() + "/" + (kind.namespaced() && namespace != null ? namespace + "/" : "");
    }

    private <R extends Resource> R decode(ResourceKind<R> kind, KeyValue kv) throws DatastoreException {
        Resource cached = decoded.get(kv);
        if (cached != null && cached.kind() == kind) {
            @SuppressWarnings("unchecked")
            R hit = (R) cached;
            return hit;
        }
        try {
            Resource r = codec().fromStoredBytes(kv.value());
            R out = kind.withMetadata(r, r.metadata().withResourceVersion(Long.toString(kv.modRevision())));
            decoded.put(kv.key(), kv.modRevision(), kv.value(), out);
            return out;
        } catch (InvalidResourceException e) {
            // stored by an older or foreign writer: say which key, do not hide the others
            throw new DatastoreException("stored " + kind.kind() + " at " + kv.key() + " cannot be read: " + e.getMessage(), e);
        }
    }

    @Override
    public <R extends Resource> Optional<R> get(ResourceKind<R> kind, String namespace, String name)
            throws DatastoreException {
        Optional<KeyValue> kv = datastore().get(key(kind, namespace, name));
        return kv.isPresent() ? Optional.of(decode(kind, kv.get())) : Optional.empty();
    }

    @Override
    public <R extends Resource> List<R> list(ResourceKind<R> kind, String namespace) throws DatastoreException {
        Snapshot snapshot = datastore().list(prefix(kind, namespace));
        List<R> out = new ArrayList<>(snapshot.entries().size());
        for (KeyValue kv : snapshot.entries()) {
            out.add(decode(kind, kv));
        }
        return out;
    }

    /** Validates and defaults through the codec (the same rules as for YAML users write). */
    private <R extends Resource> R validated(R resource) throws DatastoreException, InvalidResourceException {
        return codec().validate(resource);
    }

    @Override
    public <R extends Resource> R create(R resource) throws DatastoreException, InvalidResourceException {
        R valid = validated(resource);
        @SuppressWarnings("unchecked")
        ResourceKind<R> kind = (ResourceKind<R>) valid.kind();
        ObjectMeta meta = valid.metadata().withResourceVersion(null).withCreation(
                valid.metadata().uid() == null ? newUid() : valid.metadata().uid(),
                Instant.now(clock).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        R stored = kind.withMetadata(valid, meta);
        String key = key(kind, meta.namespace(), meta.name());
        try {
            byte[] bytes = codec().toStoredBytes(stored);
            KeyValue kv = datastore().create(key, bytes, Datastore.NO_LEASE);
            R written = kind.withMetadata(stored, meta.withResourceVersion(Long.toString(kv.modRevision())));
            decoded.put(key, kv.modRevision(), bytes, written);
            return written;
        } catch (KeyExistsException e) {
            throw new KeyExistsException(e.existing(), "resource already exists: " + kind.kind() + "(" + describe(meta) + ")");
        }
    }

    @Override
    public <R extends Resource> R update(R resource) throws DatastoreException, InvalidResourceException {
        R valid = validated(resource);
        @SuppressWarnings("unchecked")
        ResourceKind<R> kind = (ResourceKind<R>) valid.kind();
        ObjectMeta meta = valid.metadata();
        String key = key(kind, meta.namespace(), meta.name());
        KeyValue existing = datastore().get(key).orElseThrow(() -> new KeyNotFoundException(key,
                "resource does not exist: " + kind.kind() + "(" + describe(meta) + ")"));
        long expected = meta.resourceVersion() == null || meta.resourceVersion().isEmpty()
                ? existing.modRevision() : parseRevision(kind, meta);
        R previous = decode(kind, existing);
        // identity and creation time belong to the stored object, not to the update
        ObjectMeta merged = meta.withResourceVersion(null).withCreation(previous.metadata().uid(),
                previous.metadata().creationTimestamp());
        R stored = kind.withMetadata(valid, merged);
        byte[] bytes = codec().toStoredBytes(stored);
        KeyValue kv = datastore().update(key, bytes, expected);
        R written = kind.withMetadata(stored, merged.withResourceVersion(Long.toString(kv.modRevision())));
        decoded.put(key, kv.modRevision(), bytes, written);
        return written;
    }

    /**
     * One datastore commit. An update keeps the uid and creation time the resource carries (it
     * was read from the store) instead of reading the stored one again: a batch costs one round
     * trip. Updates and deletes need a resourceVersion.
     */
    @Override
    public List<Resource> commit(List<ResourceWrite> writes) throws DatastoreException, InvalidResourceException {
        List<Write> kvWrites = new ArrayList<>(writes.size());
        List<Resource> stored = new ArrayList<>(writes.size());
        List<byte[]> values = new ArrayList<>(writes.size());
        ResourceCodec codec = codec();
        for (ResourceWrite w : writes) {
            Resource r = w.resource();
            ObjectMeta meta = r.metadata();
            String key = key(r.kind(), meta.namespace(), meta.name());
            switch (w.type()) {
                case CREATE -> {
                    Resource valid = validated(r);
                    Resource s = withMetadata(valid, valid.metadata().withResourceVersion(null).withCreation(
                            meta.uid() == null ? newUid() : meta.uid(),
                            Instant.now(clock).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
                    byte[] bytes = codec.toStoredBytes(s);
                    kvWrites.add(Write.create(key, bytes));
                    stored.add(s);
                    values.add(bytes);
                }
                case UPDATE -> {
                    long expected = requiredRevision(r);
                    Resource valid = validated(r);
                    Resource s = withMetadata(valid, valid.metadata().withResourceVersion(null));
                    byte[] bytes = codec.toStoredBytes(s);
                    kvWrites.add(Write.update(key, bytes, expected));
                    stored.add(s);
                    values.add(bytes);
                }
                case DELETE -> {
                    kvWrites.add(Write.delete(key, requiredRevision(r)));
                    stored.add(r);
                    values.add(null);
                }
                default -> throw new IllegalArgumentException(w.type().toString());
            }
        }
        List<Long> revisions;
        try {
            revisions = datastore().commit(kvWrites);
        } catch (KeyExistsException e) {
            throw new KeyExistsException(e.existing(), "resource already exists at " + e.existing().key());
        }
        List<Resource> out = new ArrayList<>(writes.size());
        for (int i = 0; i < writes.size(); i++) {
            Resource s = stored.get(i);
            Resource written = withMetadata(s, s.metadata().withResourceVersion(Long.toString(revisions.get(i))));
            if (values.get(i) != null) {
                decoded.put(kvWrites.get(i).key(), revisions.get(i), values.get(i), written);
            } else {
                decoded.forget(kvWrites.get(i).key());
            }
            out.add(written);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static <R extends Resource> R withMetadata(R resource, ObjectMeta meta) {
        return ((ResourceKind<R>) resource.kind()).withMetadata(resource, meta);
    }

    private static long requiredRevision(Resource r) throws InvalidResourceException {
        String rv = r.metadata().resourceVersion();
        if (rv == null || rv.isEmpty()) {
            throw new InvalidResourceException(List.of(r.kind().kind() + " \"" + r.metadata().name()
                    + "\": metadata.resourceVersion is required to update or delete it in a commit; read it first"));
        }
        return parseRevision(r.kind(), r.metadata());
    }

    private static long parseRevision(ResourceKind<?> kind, ObjectMeta meta) throws InvalidResourceException {
        try {
            return Long.parseLong(meta.resourceVersion());
        } catch (NumberFormatException e) {
            throw new InvalidResourceException(List.of(kind.kind() + " \"" + meta.name()
                    + "\": metadata.resourceVersion '" + meta.resourceVersion()
                    + "' is not a revision; leave it out or copy it from `get -o yaml`"));
        }
    }

    @Override
    public <R extends Resource> R apply(R resource) throws DatastoreException, InvalidResourceException {
        ObjectMeta meta = resource.metadata();
        for (int attempt = 0; attempt < 5; attempt++) {
            @SuppressWarnings("unchecked")
            ResourceKind<R> kind = (ResourceKind<R>) resource.kind();
            Optional<R> existing = get(kind, meta.namespace(), meta.name());
            try {
                if (existing.isEmpty()) {
                    return create(resource);
                }
                return update(kind.withMetadata(resource, meta.withResourceVersion(existing.get().metadata().resourceVersion())));
            } catch (KeyExistsException | KeyNotFoundException | io.weft.api.datastore.RevisionConflictException e) {
                // raced with another writer: read again and re-apply
            }
        }
        throw new DatastoreException("apply " + resource.kind().kind() + " \"" + meta.name()
                + "\" kept conflicting with concurrent writers; try again");
    }

    @Override
    public <R extends Resource> R delete(ResourceKind<R> kind, String namespace, String name) throws DatastoreException {
        String key = key(kind, namespace, name);
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<KeyValue> kv = datastore().get(key);
            if (kv.isEmpty()) {
                throw new KeyNotFoundException(key, "resource does not exist: " + kind.kind() + "("
                        + (namespace == null || !kind.namespaced() ? name : namespace + "/" + name) + ")");
            }
            try {
                R last = decode(kind, kv.get());
                datastore().delete(key, kv.get().modRevision());
                return last;
            } catch (io.weft.api.datastore.RevisionConflictException e) {
                // changed under us: delete what is there now
            }
        }
        throw new DatastoreException("delete " + kind.kind() + " \"" + name + "\" kept conflicting with concurrent writers");
    }

    @Override
    public <R extends Resource> Watch watch(ResourceKind<R> kind, ResourceListener<R> listener) throws DatastoreException {
        return datastore().watch(prefix(kind, null), Datastore.FROM_SNAPSHOT, new WatchListener() {
            @Override
            public void onSnapshot(Snapshot snapshot) {
                List<R> all = new ArrayList<>();
                for (KeyValue kv : snapshot.entries()) {
                    try {
                        all.add(decode(kind, kv));
                    } catch (DatastoreException e) {
                        System.getLogger(DatastoreResourceStore.class.getName()).log(System.Logger.Level.WARNING,
                                e.getMessage());
                    }
                }
                listener.onSnapshot(all, snapshot.revision());
            }

            @Override
            public void onEvents(List<WatchEvent> events) {
                for (WatchEvent e : events) {
                    try {
                        if (e.type() == WatchEvent.Type.PUT) {
                            listener.onUpdated(decode(kind, e.current()));
                        } else {
                            R last = e.previous() == null ? null : decode(kind, e.previous());
                            String[] parts = e.key().substring(prefix(kind, null).length()).split("/", 2);
                            listener.onDeleted(parts.length == 2 ? parts[0] : null, parts[parts.length - 1], last);
                        }
                    } catch (DatastoreException ex) {
                        System.getLogger(DatastoreResourceStore.class.getName()).log(System.Logger.Level.WARNING,
                                ex.getMessage());
                    }
                }
            }
        });
    }

    private static String describe(ObjectMeta meta) {
        return meta.namespace() == null || meta.namespace().isEmpty() ? meta.name() : meta.namespace() + "/" + meta.name();
    }

    /**
     * A random (version 4) UUID for a new resource's uid, as Kubernetes gives. It names, it does
     * not protect, so it comes from the thread's fast generator rather than SecureRandom, whose
     * shared lock every pod start (one new IPAMHandle each) would otherwise queue on.
     */
    static String newUid() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
        long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48); // IETF variant
        return new UUID(high, low).toString();
    }
}
