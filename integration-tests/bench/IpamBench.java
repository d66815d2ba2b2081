// Benchmark driver for integration-tests/bench/ipam-alloc.sh (java single-file source mode).
// Prints one "weft ..." line of key=value figures for the script to collect.
//   embedded DIR ALLOCS_PER_NODE   block IPAM over the embedded store (fsync on, as in production)
//   etcd ENDPOINT ALLOCS_PER_NODE [KEY_PREFIX]  block IPAM over etcd through the etcd datastore;
//                                  a prefix per run keeps the runs of one etcd apart
//
// Each invocation measures, on one fresh store (IPPool 10.0.0.0/8 in /26 blocks, IPAMConfig
// defaults), the way pods come and go on a node: every node (its own BlockIpam, one thread) keeps
// WINDOW pods, then in rounds allocates BATCH pods (one IPv4 address each, its own handle, like a
// CNI ADD) and releases its BATCH oldest (like a CNI DEL). Only the allocation half of a round is
// timed, between barriers, so allocations/s = allocations / time spent allocating (the goal's
// figure; a few allocations stalled by other work on the machine pull it down). For diagnosis
// only, one_node_round_median_per_s is the same rate in the median round (BATCH allocations per
// node), which such stalls in a few rounds do not move. Phases:
//   1 node, then 4 nodes concurrently (fresh node names), then NEW_BLOCK_NODES fresh nodes one
//   after the other, timing each one's first allocation (it claims a block: the claim latency).
// Afterwards IpamCheck must be clean and no address may have been handed out twice.
import io.weft.api.datastore.Datastore;
import io.weft.api.ipam.AssignRequest;
import io.weft.api.model.*;
import io.weft.api.resource.ResourceStore;
import io.weft.codec.internal.JacksonResourceCodec;
import io.weft.core.DatastoreResourceStore;
import io.weft.datastore.embedded.EmbeddedDatastore;
import io.weft.datastore.embedded.EmbeddedDatastoreConfig;
import io.weft.datastore.etcd.EtcdDatastore;
import io.weft.datastore.etcd.EtcdDatastoreConfig;
import io.weft.ipam.block.BlockIpam;
import io.weft.ipam.block.IpamCheck;

import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.time.Clock;
import java.util.*;
import java.util.concurrent.*;

public class IpamBench {
    static final int BATCH = Integer.getInteger("batch", 50);
    static final int WINDOW = Integer.getInteger("window", 100);
    /** Rounds per node before measuring: JIT, connections, the node's first blocks. */
    static final int WARMUP_ROUNDS = Integer.getInteger("warmupRounds", 4);
    static final int NEW_BLOCK_NODES = Integer.getInteger("newBlockNodes", 20);

    public static void main(String[] a) throws Exception {
        Datastore datastore = switch (a[0]) {
            case "embedded" -> new EmbeddedDatastore(config(EmbeddedDatastoreConfig.class,
                    Map.of("dataDir", a[1], "fsync", true))); // production: acknowledged once on disk
            case "etcd" -> new EtcdDatastore(config(EtcdDatastoreConfig.class,
                    Map.of("endpoints", a[1], "keyPrefix", a.length > 3 ? a[3] : "")));
            default -> throw new IllegalArgumentException(a[0]);
        };
        int allocs = Integer.parseInt(a[2]);
        ResourceStore store = new DatastoreResourceStore(datastore, new JacksonResourceCodec(), Clock.systemUTC());
        store.create(new IPPool(ObjectMeta.named("default-ipv4"), new IPPoolSpec("10.0.0.0/8", 26, null, null,
                false, false, false, null, null, null)));

        Phase one = run(store, List.of("bench-solo"), allocs);
        Phase four = run(store, List.of("bench-a", "bench-b", "bench-c", "bench-d"), allocs);
        long[] claims = new long[NEW_BLOCK_NODES];
        for (int i = 0; i < NEW_BLOCK_NODES; i++) {
            String node = "bench-fresh-" + i;
            store.create(new Node(ObjectMeta.named(node), NodeSpec.EMPTY));
            BlockIpam ipam = new BlockIpam(store);
            long t0 = System.nanoTime();
            ipam.assign(AssignRequest.podIpv4("fresh-" + i, node, Map.of("node", node)));
            claims[i] = System.nanoTime() - t0;
            ipam.close(); // stops its settings watches
        }
        Arrays.sort(claims);

        IpamCheck check = new BlockIpam(store).check();
        if (!check.clean()) {
            throw new IllegalStateException("ipam check after the benchmark is not clean: " + check);
        }
        System.out.printf(Locale.ROOT, "weft one_node_per_s=%.0f one_node_p50_ms=%.3f one_node_p99_ms=%.3f"
                + " one_node_round_median_per_s=%.0f four_node_per_s=%.0f four_node_p50_ms=%.3f four_node_p99_ms=%.3f new_block_ms=%.3f"
                + " new_block_max_ms=%.3f%n", one.perSecond(), one.p50(), one.p99(), one.roundMedianPerSecond(),
                four.perSecond(), four.p50(),
                four.p99(), claims[claims.length / 2] / 1e6, claims[claims.length - 1] / 1e6);
        System.exit(0);
    }

    record Phase(double perSecond, double p50, double p99, double roundMedianPerSecond) {
    }

    /** The nodes allocate concurrently in rounds; returns the measured rounds' figures. */
    static Phase run(ResourceStore store, List<String> nodes, int allocsPerNode) throws Exception {
        int rounds = Math.max(1, allocsPerNode / BATCH);
        int n = nodes.size();
        for (String node : nodes) {
            store.create(new Node(ObjectMeta.named(node), NodeSpec.EMPTY));
        }
        Set<InetAddress> live = ConcurrentHashMap.newKeySet();
        // three barriers a round: allocations start, allocations end, releases end; the barrier
        // action (run once all nodes arrive) takes the time of the allocation half
        long[] clock = new long[3]; // barrier trips so far, start of the current half, measured nanos
        long[] roundNanos = new long[rounds];
        CyclicBarrier barrier = new CyclicBarrier(n, () -> {
            long trip = clock[0]++;
            if (trip % 3 == 0) {
                clock[1] = System.nanoTime();
            } else if (trip % 3 == 1 && trip / 3 >= WARMUP_ROUNDS) {
                long took = System.nanoTime() - clock[1];
                clock[2] += took;
                roundNanos[(int) (trip / 3 - WARMUP_ROUNDS)] = took;
            }
        });
        long[][] latencies = new long[n][rounds * BATCH];
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            int id = t;
            String node = nodes.get(t);
            done.add(pool.submit(() -> {
                try {
                    BlockIpam ipam = new BlockIpam(store); // each node its own allocator, as each its own agent
                    ArrayDeque<String> held = new ArrayDeque<>();
                    int seq = 0;
                    for (int i = 0; i < WINDOW; i++) {
                        held.add(allocate(ipam, node, node + "-pod-" + seq++, live));
                    }
                    for (int r = 0; r < WARMUP_ROUNDS + rounds; r++) {
                        barrier.await();
                        for (int i = 0; i < BATCH; i++) {
                            String handle = node + "-pod-" + seq++;
                            long t0 = System.nanoTime();
                            allocate(ipam, node, handle, live);
                            if (r >= WARMUP_ROUNDS) {
                                latencies[id][(r - WARMUP_ROUNDS) * BATCH + i] = System.nanoTime() - t0;
                            }
                            held.add(handle);
                        }
                        barrier.await();
                        for (int i = 0; i < BATCH; i++) {
                            String handle = held.poll();
                            for (InetAddress released : ipam.releaseHandle(handle)) {
                                live.remove(released);
                            }
                        }
                        barrier.await();
                    }
                    ipam.close();
                    return null;
                } catch (Exception e) {
                    barrier.reset(); // the other nodes stop waiting for this one
                    throw e;
                }
            }));
        }
        Exception failure = null;
        for (Future<?> f : done) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (failure == null || failure.getCause() instanceof BrokenBarrierException
                        || failure.getCause() instanceof InterruptedException) {
                    failure = e;
                }
                // a node that arrives at the barrier after another one reset it would wait forever
                pool.shutdownNow();
            }
        }
        pool.shutdown();
        if (failure != null) {
            throw failure;
        }
        long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
        Arrays.sort(roundNanos);
        return new Phase(all.length / (clock[2] / 1e9), all[all.length / 2] / 1e6,
                all[(int) (all.length * 0.99)] / 1e6, (double) BATCH * n / (roundNanos[rounds / 2] / 1e9));
    }

    static String allocate(BlockIpam ipam, String node, String handle, Set<InetAddress> live) throws Exception {
        List<InetAddress> got = ipam.assign(AssignRequest.podIpv4(handle, node,
                Map.of("namespace", "default", "pod", handle, "node", node))).ipv4();
        if (got.size() != 1) {
            throw new IllegalStateException(handle + " got " + got);
        }
        if (!live.add(got.get(0))) {
            throw new IllegalStateException(got.get(0) + " handed to " + handle + " while another pod holds it");
        }
        return handle;
    }

    /** An instance of a configuration annotation: the given values, defaults for the rest. */
    @SuppressWarnings("unchecked")
    static <A> A config(Class<A> type, Map<String, Object> values) {
        return (A) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, args) ->
                m.getName().equals("annotationType") ? type : values.getOrDefault(m.getName(), m.getDefaultValue()));
    }
}
