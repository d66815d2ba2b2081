// Benchmark driver for integration-tests/bench/datastore-cas.sh (java single-file source mode).
// Prints one "weft ..." line of key=value figures for the script to collect.
//   embedded-cas DIR WRITERS OPS_PER_WRITER   CAS updates (fsync + group commit), each writer its own key
//   embedded-watch DIR COUNT                  put -> watcher notified latency
//   etcd-cas ENDPOINT COUNT                   sequential CAS updates through the etcd adapter
//   etcd-watch ENDPOINT COUNT                 put -> watcher notified latency through the etcd adapter
import io.weft.api.datastore.*;
import io.weft.datastore.embedded.EmbeddedDatastore;
import io.weft.datastore.embedded.EmbeddedDatastoreConfig;
import io.weft.datastore.etcd.EtcdDatastore;
import io.weft.datastore.etcd.EtcdDatastoreConfig;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.*;
import java.util.concurrent.*;

public class DatastoreBench {
    public static void main(String[] a) throws Exception {
        switch (a[0]) {
            case "embedded-cas" -> cas(embedded(a[1]), Integer.parseInt(a[2]), Integer.parseInt(a[3]), WARMUP);
            case "embedded-watch" -> watch(embedded(a[1]), Integer.parseInt(a[2]));
            case "etcd-cas" -> cas(etcd(a[1]), 1, Integer.parseInt(a[2]), ETCD_WARMUP);
            case "etcd-watch" -> watch(etcd(a[1]), Integer.parseInt(a[2]));
            default -> throw new IllegalArgumentException(a[0]);
        }
        System.exit(0);
    }

    /** An instance of a configuration annotation: the given values, defaults for the rest. */
    @SuppressWarnings("unchecked")
    static <A> A config(Class<A> type, Map<String, Object> values) {
        return (A) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, args) ->
                m.getName().equals("annotationType") ? type : values.getOrDefault(m.getName(), m.getDefaultValue()));
    }

    static Datastore embedded(String dir) throws Exception {
        // production settings: acknowledged only once flushed to disk
        return new EmbeddedDatastore(config(EmbeddedDatastoreConfig.class, Map.of("dataDir", dir, "fsync", true)));
    }

    static Datastore etcd(String endpoint) {
        return new EtcdDatastore(config(EtcdDatastoreConfig.class, Map.of("endpoints", endpoint)));
    }

    /** Updates per writer before measuring: the JIT compiles the client and store paths first. */
    static final int WARMUP = Integer.getInteger("warmup", 1500);
    /**
     * Updates before measuring the etcd adapter. Its path (HTTP codec, JSON, socket, selector) is
     * longer than the embedded store's, and after 3,000 updates part of it still ran at the JIT's
     * first, profiling tier: 160 µs of CPU per update against 60 µs after 20,000. Measured: the
     * steady state a long-running node is in.
     */
    static final int ETCD_WARMUP = Integer.getInteger("etcdWarmup", 15000);

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static void cas(Datastore store, int writers, int opsPerWriter, int warmup) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        long[] latencies = new long[writers * opsPerWriter];
        List<KeyValue> start = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            start.add(store.put("/bench/cas/" + w, bytes("0"), 0));
        }
        // warm-up, not measured: JIT and connections
        for (int w = 0; w < writers; w++) {
            KeyValue kv = start.get(w);
            for (int i = 0; i < warmup; i++) {
                kv = store.update(kv.key(), bytes("w" + i), kv.modRevision());
            }
            start.set(w, kv);
        }
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            done.add(pool.submit(() -> {
                go.await();
                KeyValue kv = start.get(writer);
                for (int i = 0; i < opsPerWriter; i++) {
                    long t0 = System.nanoTime();
                    kv = store.update(kv.key(), bytes(Integer.toString(i)), kv.modRevision());
                    latencies[writer * opsPerWriter + i] = System.nanoTime() - t0;
                }
                return null;
            }));
        }
        long t0 = System.nanoTime();
        go.countDown();
        for (Future<?> f : done) {
            f.get();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        Arrays.sort(latencies);
        System.out.printf(Locale.ROOT, "weft cas_per_s=%.0f p50_ms=%.3f p99_ms=%.3f%n", latencies.length / seconds,
                latencies[latencies.length / 2] / 1e6, latencies[(int) (latencies.length * 0.99)] / 1e6);
    }

    static void watch(Datastore store, int count) throws Exception {
        ConcurrentHashMap<String, Long> sent = new ConcurrentHashMap<>();
        long[] latencies = new long[count];
        CountDownLatch all = new CountDownLatch(count);
        int[] seen = {0};
        Watch w = store.watch("/bench/watch/", Datastore.FROM_SNAPSHOT, new WatchListener() {
            public void onSnapshot(Snapshot s) {
            }

            public void onEvents(List<WatchEvent> events) {
                long now = System.nanoTime();
                for (WatchEvent e : events) {
                    Long t = sent.remove(e.key());
                    if (t != null && seen[0] < count) {
                        latencies[seen[0]++] = now - t;
                        all.countDown();
                    }
                }
            }
        });
        Thread.sleep(200);
        for (int i = 0; i < count; i++) {
            String key = "/bench/watch/" + i;
            sent.put(key, System.nanoTime());
            store.put(key, bytes("v"), 0);
        }
        if (!all.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("watcher saw " + seen[0] + " of " + count + " events");
        }
        w.close();
        Arrays.sort(latencies);
        System.out.printf(Locale.ROOT, "weft watch_p50_ms=%.3f watch_p99_ms=%.3f%n", latencies[count / 2] / 1e6,
                latencies[(int) (count * 0.99)] / 1e6);
    }
}
