package io.weft.ipam.block;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.Watch;
import io.weft.api.model.Resource;
import io.weft.api.model.ResourceKind;
import io.weft.api.resource.InvalidResourceException;
import io.weft.api.resource.ResourceListener;
import io.weft.api.resource.ResourceStore;

/**
 * A process that dies: the N-th write never reaches the store, and from then on every call
 * fails, as if the node had been killed between two writes.
 */
final class CrashingStore implements ResourceStore {

    /** What the dead process's caller sees. */
    static final class SimulatedCrash extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SimulatedCrash(String message) {
            super(message);
        }
    }

    private final ResourceStore delegate;
    private final int crashAtWrite;
    private final AtomicInteger writes = new AtomicInteger();
    private volatile boolean dead;
    private volatile String lastWrite = "";

    /** @param crashAtWrite 1-based index of the write that kills the process; 0 never crashes */
    CrashingStore(ResourceStore delegate, int crashAtWrite) {
        this.delegate = delegate;
        this.crashAtWrite = crashAtWrite;
    }

    int writes() {
        return writes.get();
    }

    boolean crashed() {
        return dead;
    }

    /** The write the crash prevented, e.g. "update IPAMBlock 10-244-0-0-26". */
    String crashedAt() {
        return lastWrite;
    }

    private void alive() {
        if (dead) {
            throw new SimulatedCrash("process is dead");
        }
    }

    private void write(String what) {
        alive();
        if (writes.incrementAndGet() == crashAtWrite) {
            dead = true;
            lastWrite = what;
            throw new SimulatedCrash("crashed before write " + crashAtWrite + ": " + what);
        }
    }

    private static String describe(String verb, Resource r) {
        return verb + " " + r.kind().kind() + " " + r.metadata().name();
    }

    @Override
    public <R extends Resource> Optional<R> get(ResourceKind<R> kind, String namespace, String name)
            throws DatastoreException {
        alive();
        return delegate.get(kind, namespace, name);
    }

    @Override
    public <R extends Resource> List<R> list(ResourceKind<R> kind, String namespace) throws DatastoreException {
        alive();
        return delegate.list(kind, namespace);
    }

    @Override
    public <R extends Resource> R create(R resource) throws DatastoreException, InvalidResourceException {
        write(describe("create", resource));
        return delegate.create(resource);
    }

    @Override
    public <R extends Resource> R update(R resource) throws DatastoreException, InvalidResourceException {
        write(describe("update", resource));
        return delegate.update(resource);
    }

    @Override
    public <R extends Resource> R apply(R resource) throws DatastoreException, InvalidResourceException {
        write(describe("apply", resource));
        return delegate.apply(resource);
    }

    @Override
    public <R extends Resource> R delete(ResourceKind<R> kind, String namespace, String name)
            throws DatastoreException {
        write("delete " + kind.kind() + " " + name);
        return delegate.delete(kind, namespace, name);
    }

    @Override
    public <R extends Resource> Watch watch(ResourceKind<R> kind, ResourceListener<R> listener)
            throws DatastoreException {
        alive();
        return delegate.watch(kind, listener);
    }
}
