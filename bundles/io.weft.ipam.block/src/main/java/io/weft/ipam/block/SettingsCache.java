package io.weft.ipam.block;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.Watch;
import io.weft.api.model.IPAMConfig;
import io.weft.api.model.IPPool;
import io.weft.api.model.IPReservation;
import io.weft.api.model.Resource;
import io.weft.api.model.ResourceKind;
import io.weft.api.resource.ResourceListener;
import io.weft.api.resource.ResourceStore;

/**
 * The pools, IPAMConfig and IPReservations of one store, kept current by three watches instead
 * of being read on every allocation (three of a pod start's round trips on etcd). A change
 * reaches the allocator within the watch's latency (tens of microseconds on the embedded store,
 * about a millisecond on etcd); a request that finds no usable pool reads the settings fresh
 * before it fails, so a pool created a moment ago is never reported missing.
 *
 * <p>Until all three watches have delivered their first snapshot, {@link #get} reads the
 * settings from the store (so the first request does not wait), as it does when the watches
 * cannot be started at all.
 */
final class SettingsCache implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SettingsCache.class);

    final ResourceStore store;
    private final Map<String, IPPool> pools = new ConcurrentHashMap<>();
    private final Map<String, IPAMConfig> configs = new ConcurrentHashMap<>();
    private final Map<String, IPReservation> reservations = new ConcurrentHashMap<>();
    private final CountDownLatch firstSnapshots = new CountDownLatch(3);
    private final List<Watch> watches = new ArrayList<>();
    private volatile IpamSettings current;
    private volatile boolean closed;

    private SettingsCache(ResourceStore store) {
        this.store = store;
    }

    /** A cache for {@code store}; its watches start now. */
    static SettingsCache start(ResourceStore store) {
        SettingsCache cache = new SettingsCache(store);
        try {
            cache.watches.add(store.watch(ResourceKind.IP_POOL, cache.listener(cache.pools)));
            cache.watches.add(store.watch(ResourceKind.IPAM_CONFIG, cache.listener(cache.configs)));
            cache.watches.add(store.watch(ResourceKind.IP_RESERVATION, cache.listener(cache.reservations)));
        } catch (DatastoreException | RuntimeException e) {
            LOG.warn("cannot watch IP pools and IPAM settings ({}); reading them on every request", e.toString());
            cache.close();
        }
        return cache;
    }

    /** The current settings: from the watches once they are in step, else read now. */
    IpamSettings get() throws DatastoreException {
        IpamSettings s = current;
        if (s != null && !closed) {
            return s;
        }
        // the snapshots are still on their way (the first request after start) or watching failed
        return IpamSettings.load(store);
    }

    /** What the watches show now; null before their first snapshots (for tests). */
    IpamSettings watched() {
        return current;
    }

    private <R extends Resource> ResourceListener<R> listener(Map<String, R> view) {
        return new ResourceListener<R>() {
            private boolean snapshotSeen;

            @Override
            public void onSnapshot(List<R> resources, long revision) {
                synchronized (SettingsCache.this) {
                    view.clear();
                    resources.forEach(r -> view.put(r.metadata().name(), r));
                    if (!snapshotSeen) {
                        snapshotSeen = true;
                        firstSnapshots.countDown();
                    }
                    rebuild();
                }
            }

            @Override
            public void onUpdated(R resource) {
                synchronized (SettingsCache.this) {
                    view.put(resource.metadata().name(), resource);
                    rebuild();
                }
            }

            @Override
            public void onDeleted(String namespace, String name, R last) {
                synchronized (SettingsCache.this) {
                    view.remove(name);
                    rebuild();
                }
            }
        };
    }

    /** Called with the monitor held; publishes settings only once every watch has its snapshot. */
    private void rebuild() {
        if (firstSnapshots.getCount() > 0) {
            return;
        }
        current = IpamSettings.of(pools.values(), configs.get(IPAMConfig.DEFAULT_NAME), reservations.values());
    }

    @Override
    public void close() {
        closed = true;
        current = null;
        for (Watch w : watches) {
            try {
                w.close();
            } catch (RuntimeException e) {
                LOG.debug("closing a settings watch: {}", e.toString());
            }
        }
        watches.clear();
    }
}
