package io.weft.agent;

import static io.weft.agent.Lab.ip;
import static io.weft.agent.Lab.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.weft.api.encap.EncapsulationProvider;
import io.weft.api.model.EncapsulationMode;
import io.weft.api.model.IPAMBlock;
import io.weft.api.model.IPAMBlockSpec;
import io.weft.api.model.IPPool;
import io.weft.api.model.IPPoolSpec;
import io.weft.api.model.Node;
import io.weft.api.model.NodeBGPSpec;
import io.weft.api.model.NodeSpec;
import io.weft.api.model.ObjectMeta;
import io.weft.api.model.WorkloadEndpoint;
import io.weft.api.model.WorkloadEndpointSpec;
import io.weft.api.net.Cidr;
import io.weft.api.resource.ResourceStore;
import io.weft.codec.internal.JacksonResourceCodec;
import io.weft.core.DatastoreResourceStore;
import io.weft.datastore.memory.MemoryDatastore;
import io.weft.encap.none.PlainRoutingProvider;
import io.weft.encap.vxlan.VxlanProvider;
import io.weft.netlink.Netns;
import io.weft.netlink.Route;
import io.weft.netlink.Subscription;

/**
 * The figures behind {@code integration-tests/bench/agent-converge.sh}, one run, printed as one
 * {@code key=value} line. Each phase runs the agent in its own network namespace, then the
 * baseline ({@code ip -batch} / {@code bridge -batch} programming the same kernel objects) in the
 * same run.
 * <ol>
 * <li>endpoint→route: a WorkloadEndpoint written to the datastore until its route is in the kernel
 * (seen by a netlink subscription), one at a time, ENDPOINTS times;</li>
 * <li>join: a node joining a 50-node cluster (50 remote blocks over VXLAN, 5,000 remote
 * endpoints) from agent start to every route, ARP and FDB entry in place;</li>
 * <li>resync: a full pass (re-read the kernel, diff, nothing to change) with 10,000 routes.</li>
 * </ol>
 */
public final class AgentConvergeBench {

    private static final int ENDPOINTS = Integer.getInteger("endpoints", 300);
    private static final int REMOTE_NODES = 50;
    private static final int REMOTE_ENDPOINTS = 5000;
    private static final int RESYNC_ROUTES = 10_000;

    private AgentConvergeBench() {
    }

    public static void main(String[] args) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Lab lab = new Lab("wab")) {
            endpointToRoute(lab, out);
            join(lab, out);
            resync(lab, out);
        }
        System.out.println(out.toString().trim());
        System.exit(0);
    }

    private static ResourceStore store() {
        return new DatastoreResourceStore(new MemoryDatastore(), new JacksonResourceCodec(), Clock.systemUTC());
    }

    /** A node namespace with uplink eth0 (a veth whose peer stays inside) at {@code address}. */
    private static String nodeNs(Lab lab, String name, String address) {
        String ns = lab.netns(name);
        ip(ns, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0-peer");
        ip(ns, "link", "set", "eth0", "up");
        ip(ns, "link", "set", "eth0-peer", "up");
        ip(ns, "addr", "add", address, "dev", "eth0");
        return ns;
    }

    private static DataplaneAgent agent(String node, String ns, ResourceStore store, EncapsulationProvider... providers) {
        DataplaneAgent a = new DataplaneAgent(new AgentSettings(node, Netns.named(ns),
                AddressAutodetection.parse("interface=^eth0$"), Duration.ofMinutes(30), 80, "cali"), store);
        for (EncapsulationProvider p : providers) {
            a.bindProvider(p);
        }
        return a;
    }

    private static void await(long millis, BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(0, 200_000);
        }
    }

    /** Runs {@code ip -n NS -batch FILE} (or bridge) and returns its wall time in ms. */
    private static double batch(String tool, String ns, List<String> lines) throws IOException {
        Path file = Files.createTempFile("weft-bench", ".batch");
        try {
            Files.write(file, lines);
            long t0 = System.nanoTime();
            run(tool, "-n", ns, "-batch", file.toString());
            return (System.nanoTime() - t0) / 1e6;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static double percentile(List<Double> values, double p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int i = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private static String ifName(int i) {
        return String.format("calib%010d", i);
    }

    private static String podIp(int i) {
        return "10.244." + (i / 250) + "." + (1 + i % 250);
    }

    // ---------------------------------------------------------------- 1. endpoint -> route

    private static void endpointToRoute(Lab lab, StringBuilder out) throws Exception {
        String ns = nodeNs(lab, "lat", "10.0.0.1/16");
        List<String> links = new ArrayList<>();
        for (int i = 0; i < ENDPOINTS; i++) {
            links.add("link add " + ifName(i) + " type veth peer name wp" + i);
            links.add("link set " + ifName(i) + " up");
        }
        batch("ip", ns, links);
        ResourceStore store = store();
        store.create(new IPPool(ObjectMeta.named("pool"), IPPoolSpec.of("10.244.0.0/16")));
        DataplaneAgent agent = agent("lat", ns, store, new PlainRoutingProvider());
        Map<Cidr, CompletableFuture<Long>> seen = new ConcurrentHashMap<>();
        List<Double> latencies = new ArrayList<>();
        try (Subscription sub = Subscription.open(Netns.named(ns), EnumSet.of(Subscription.Kind.ROUTE), e -> {
            if (!e.deleted() && e.subject() instanceof Route r && r.protocol() == 80) {
                seen.computeIfAbsent(r.destination(), k -> new CompletableFuture<>()).complete(System.nanoTime());
            }
        })) {
            agent.start();
            await(10_000, () -> agent.report().passes() >= 1, "the agent's first pass");
            for (int i = 0; i < ENDPOINTS; i++) {
                Cidr dest = Cidr.parse(podIp(i) + "/32");
                CompletableFuture<Long> arrived = seen.computeIfAbsent(dest, k -> new CompletableFuture<>());
                long t0 = System.nanoTime();
                store.create(new WorkloadEndpoint(ObjectMeta.namespaced("bench", "lat-k8s-pod" + i + "-eth0"),
                        new WorkloadEndpointSpec("k8s", null, "lat", null, "pod" + i, "eth0", null,
                                List.of(podIp(i) + "/32"), null, null, ifName(i), null, null)));
                long t1 = arrived.get(10, TimeUnit.SECONDS);
                latencies.add((t1 - t0) / 1e6);
                if (i % 10 == 9) {
                    Thread.sleep(2); // endpoints arrive one by one, not as one burst
                }
            }
        } finally {
            agent.close();
        }
        // baseline: the same routes through ip -batch, after the agent's are flushed
        ip(ns, "route", "flush", "proto", "80");
        List<String> routes = new ArrayList<>();
        for (int i = 0; i < ENDPOINTS; i++) {
            routes.add("route replace " + podIp(i) + "/32 dev " + ifName(i) + " proto 80 scope link");
        }
        double ipBatchMs = batch("ip", ns, routes);
        out.append(String.format("endpoints=%d endpoint_p50_ms=%.2f endpoint_p99_ms=%.2f ip_batch_route_us=%.1f ",
                ENDPOINTS, percentile(latencies, 0.5), percentile(latencies, 0.99), ipBatchMs * 1000 / ENDPOINTS));
    }

    // ---------------------------------------------------------------- 2. join a 50-node cluster

    private static String remoteTunnel(int n) {
        return "10.244." + (100 + n) + ".0";
    }

    private static String remoteAddress(int n) {
        return "10.0.1." + (10 + n);
    }

    private static void join(Lab lab, StringBuilder out) throws Exception {
        ResourceStore store = store();
        store.create(new IPPool(ObjectMeta.named("pool"), new IPPoolSpec("10.244.0.0/16", 24, null,
                EncapsulationMode.ALWAYS, false, false, false, null, null, null)));
        store.create(new Node(ObjectMeta.named("joiner"), new NodeSpec(null, "10.244.250.0", null, null, null, null)));
        store.create(block("10.244.250.0/24", "joiner"));
        for (int n = 0; n < REMOTE_NODES; n++) {
            String name = "remote-" + n;
            store.create(new Node(ObjectMeta.named(name), new NodeSpec(new NodeBGPSpec(null, remoteAddress(n) + "/16",
                    null, null, null), remoteTunnel(n), null, null, null, null)));
            store.create(block("10.244." + (100 + n) + ".0/24", name));
            for (int p = 0; p < REMOTE_ENDPOINTS / REMOTE_NODES; p++) {
                store.create(new WorkloadEndpoint(ObjectMeta.namespaced("bench", name + "-k8s-p" + p + "-eth0"),
                        new WorkloadEndpointSpec("k8s", null, name, null, "p" + p, "eth0", null,
                                List.of("10.244." + (100 + n) + "." + (1 + p) + "/32"), null, null,
                                "cali" + String.format("%011d", p), null, null)));
            }
        }
        String ns = nodeNs(lab, "join", "10.0.0.1/16");
        VxlanProvider vxlan = new VxlanProvider(Netns.named(ns));
        DataplaneAgent agent = agent("joiner", ns, store, vxlan, new PlainRoutingProvider());
        long t0 = System.nanoTime();
        agent.start();
        try {
            await(60_000, () -> agent.report().passes() >= 1 && agent.report().routes() == REMOTE_NODES + 1,
                    "the joining node to converge");
        } finally {
            agent.close();
            vxlan.close();
        }
        double joinMs = (System.nanoTime() - t0) / 1e6;
        int kernelRoutes = Lab.agentRoutes(ns).size();
        if (kernelRoutes != REMOTE_NODES + 1) {
            throw new IllegalStateException("join: " + kernelRoutes + " routes in the kernel, expected " + (REMOTE_NODES + 1));
        }

        // baseline: the same device, ARP, FDB and routes with ip/bridge -batch in a fresh namespace
        String base = nodeNs(lab, "join-ip", "10.0.0.1/16");
        long b0 = System.nanoTime();
        List<String> ipLines = new ArrayList<>();
        ipLines.add("link add vxlan.calico type vxlan id 4096 local 10.0.0.1 dev eth0 dstport 4789 nolearning");
        ipLines.add("link set vxlan.calico mtu 1450 up");
        ipLines.add("addr add 10.244.250.0/32 dev vxlan.calico");
        ipLines.add("route replace blackhole 10.244.250.0/24 proto 80");
        List<String> fdb = new ArrayList<>();
        for (int n = 0; n < REMOTE_NODES; n++) {
            String mac = io.weft.encap.vxlan.VxlanMac.forNode("remote-" + n);
            ipLines.add("neigh replace " + remoteTunnel(n) + " lladdr " + mac + " dev vxlan.calico nud permanent");
            ipLines.add("route replace 10.244." + (100 + n) + ".0/24 via " + remoteTunnel(n)
                    + " dev vxlan.calico proto 80 onlink");
            fdb.add("fdb replace " + mac + " dev vxlan.calico dst " + remoteAddress(n) + " self permanent");
        }
        batch("ip", base, ipLines);
        batch("bridge", base, fdb);
        double baseMs = (System.nanoTime() - b0) / 1e6;
        out.append(String.format("join_ms=%.1f ip_batch_join_ms=%.1f ", joinMs, baseMs));
    }

    private static IPAMBlock block(String cidr, String host) {
        return new IPAMBlock(ObjectMeta.named(cidr.replace('.', '-').replace('/', '-')),
                new IPAMBlockSpec(cidr, "host:" + host, false, null, null, null, false, 0, null));
    }

    // ---------------------------------------------------------------- 3. resync 10,000 routes

    private static String resyncBlock(int i) {
        int a = 10 * 16777216 + 128 * 65536 + i * 64;
        return (a >>> 24) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255) + "/26";
    }

    private static void resync(Lab lab, StringBuilder out) throws Exception {
        ResourceStore store = store();
        store.create(new IPPool(ObjectMeta.named("pool"), new IPPoolSpec("10.128.0.0/9", 26, null, null, false, false,
                false, null, null, null)));
        store.create(new Node(ObjectMeta.named("far"), new NodeSpec(new NodeBGPSpec(null, "10.0.0.2/16", null, null,
                null), null, null, null, null, null)));
        for (int i = 0; i < RESYNC_ROUTES; i++) {
            store.create(block(resyncBlock(i), "far"));
        }
        String ns = nodeNs(lab, "resync", "10.0.0.1/16");
        DataplaneAgent agent = agent("near", ns, store, new PlainRoutingProvider());
        List<Double> passes = new ArrayList<>();
        long t0 = System.nanoTime();
        agent.start();
        double initialMs;
        try {
            await(120_000, () -> agent.report().routes() == RESYNC_ROUTES, "10,000 routes programmed");
            initialMs = (System.nanoTime() - t0) / 1e6;
            for (int i = 0; i < 7; i++) {
                long before = agent.report().resyncs();
                agent.requestSync(true);
                await(30_000, () -> agent.report().resyncs() > before, "a resync");
                if (i >= 2) { // the first two warm the JIT
                    passes.add(agent.report().lastPassMicros() / 1000.0);
                }
            }
        } finally {
            agent.close();
        }
        // baseline: iproute2 dumping the same 10,000 routes, and programming them with -batch
        List<Double> dumps = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long d0 = System.nanoTime();
            String shown = ip(ns, "route", "show", "proto", "80");
            dumps.add((System.nanoTime() - d0) / 1e6);
            if (shown.lines().count() != RESYNC_ROUTES) {
                throw new IllegalStateException("resync: " + shown.lines().count() + " routes in the kernel");
            }
        }
        ip(ns, "route", "flush", "proto", "80");
        List<String> routes = new ArrayList<>();
        for (int i = 0; i < RESYNC_ROUTES; i++) {
            routes.add("route replace " + resyncBlock(i) + " via 10.0.0.2 dev eth0 proto 80");
        }
        double batchMs = batch("ip", ns, routes);
        out.append(String.format("initial_10k_ms=%.1f resync_10k_ms=%.1f ip_batch_10k_ms=%.1f ip_dump_10k_ms=%.1f",
                initialMs, percentile(passes, 0.5), batchMs, percentile(dumps, 0.5)));
    }
}
