package io.weft.agent;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.weft.api.net.Cidr;
import io.weft.bgp.BgpSpeaker;
import io.weft.bgp.PeerConfig;
import io.weft.bgp.SpeakerConfig;
import io.weft.codec.internal.JacksonResourceCodec;
import io.weft.core.DatastoreResourceStore;
import io.weft.datastore.memory.MemoryDatastore;
import io.weft.netlink.Batch;
import io.weft.netlink.Netns;
import io.weft.netlink.Route;
import io.weft.netlink.RtNetlink;

/**
 * The Weft side of {@code integration-tests/bench/bgp-fib.sh}, run inside the receiver's network
 * namespace ({@code ip netns exec}); prints {@code key=value} lines.
 * <ul>
 * <li>{@code receive LISTEN PEER PEER_AS LOCAL_AS COUNT}: the agent (memory datastore, empty
 * cluster) and a BGP speaker with one passive eBGP peer, the speaker's learned best paths going
 * to the agent's {@code RouteSink} as a node wires them. Prints {@code ready}, then, once the
 * agent believes all COUNT routes installed, {@code installed=<epoch s>} (the script times with
 * the kernel's own count), the installer's table bytes per route and the heap per route.</li>
 * <li>{@code flush}: deletes every proto bird route in the namespace.</li>
 * <li>{@code netlink COUNT GATEWAY [watched]}: the kernel's limit through the netlink bundle:
 * COUNT routes like the feeder's, added in pipelined batches of {@link LearnedRouteInstaller#CHUNK},
 * nothing else; prints {@code netlink_s}. With {@code watched}, a route-notification listener
 * runs meanwhile, as in every routing daemon ({@code netlink_watched_s}).</li>
 * <li>{@code direct COUNT PER}: diagnostics, the agent fed COUNT routes in updates of PER, no BGP.</li>
 * </ul>
 * With {@code -Ddiag=true} (the script's {@code DIAG=1}): the hand-over's timing, CPU and run-queue
 * wait per thread, a 200 ms timeline of the sending thread, and with {@code -DjfrDump=FILE} a
 * running flight recording written out (the script ends the JVM with kill -9, which keeps none).
 */
public final class BgpFibBench {

    private BgpFibBench() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "receive" -> receive(args);
            case "netlink" -> netlink(Integer.parseInt(args[1]), InetAddress.getByName(args[2]),
                    args.length > 3 && args[3].equals("watched"));
            case "direct" -> direct(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            case "sink" -> sinkOnly(args);
            case "flush" -> flush();
            default -> throw new IllegalArgumentException(
                    "usage: receive LISTEN PEER PEER_AS LOCAL_AS COUNT | netlink COUNT GATEWAY");
        }
        System.exit(0);
    }

    /** One thread of this process, from /proc/self/task: CPU seconds (user, system) and ns on a core and waiting for one. */
    private record TaskStat(String name, double user, double system, long onCpuNs, long waitNs) {
    }

    private static List<TaskStat> tasks() throws java.io.IOException {
        List<TaskStat> out = new ArrayList<>();
        try (java.nio.file.DirectoryStream<java.nio.file.Path> tasks = java.nio.file.Files.newDirectoryStream(
                java.nio.file.Path.of("/proc/self/task"))) {
            for (java.nio.file.Path task : tasks) {
                try {
                    String stat = java.nio.file.Files.readString(task.resolve("stat"));
                    String[] sched = java.nio.file.Files.readString(task.resolve("schedstat")).trim().split(" ");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.add(new TaskStat(stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
                            Long.parseLong(f[11]) / 100.0, Long.parseLong(f[12]) / 100.0, // clock ticks
                            Long.parseLong(sched[0]), Long.parseLong(sched[1])));
                } catch (java.io.IOException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        return out;
    }

    /**
     * Diagnostics, per thread name (numbered pool threads together), busiest first: CPU seconds,
     * user and system (the kernel's share: system time of the thread that sends the netlink
     * batches), and seconds spent runnable but waiting for a core, to tell a thread short of work
     * from one short of CPU.
     */
    private static String threadCpu() throws java.io.IOException {
        java.util.Map<String, double[]> byName = new java.util.TreeMap<>();
        for (TaskStat t : tasks()) {
            double[] sum = byName.computeIfAbsent(t.name().replaceAll("[0-9]+$", "#"), k -> new double[3]);
            sum[0] += t.user();
            sum[1] += t.system();
            sum[2] += t.waitNs() / 1e9;
        }
        StringBuilder out = new StringBuilder();
        byName.entrySet().stream().filter(e -> e.getValue()[0] + e.getValue()[1] > 0.01)
                .sorted((a, b) -> Double.compare(b.getValue()[0] + b.getValue()[1], a.getValue()[0] + a.getValue()[1]))
                .forEach(e -> out.append(String.format("%s:%.2fu+%.2fs,wait%.2f ", e.getKey(), e.getValue()[0],
                        e.getValue()[1], e.getValue()[2])));
        return out.toString().trim();
    }

    /**
     * Diagnostics: every 200 ms, "sender CPU / sender run-queue wait / whole process CPU" in ms
     * over that span: how much of a core the thread that feeds the kernel got, and who else ran.
     */
    private static void sampleSender(StringBuilder out) {
        long[] last = new long[3];
        int samples = 0;
        try {
            while (true) {
                Thread.sleep(200);
                long[] now = new long[3];
                for (TaskStat t : tasks()) {
                    now[2] += t.onCpuNs();
                    if (t.name().startsWith("weft-agent-rout")) {
                        now[0] += t.onCpuNs();
                        now[1] += t.waitNs();
                    }
                }
                synchronized (out) {
                    out.append(String.format("%d/%d/%d ", (now[0] - last[0]) / 1_000_000, (now[1] - last[1]) / 1_000_000,
                            (now[2] - last[2]) / 1_000_000));
                }
                last = now;
                if (++samples == 10) {
                    System.out.println("thread_cpu_at_2s=" + threadCpu()); // the table's first two seconds
                }
            }
        } catch (InterruptedException | java.io.IOException e) {
            // done
        }
    }

    /**
     * Waits (at most 10 s) until this process is idle: less than 10 ms of CPU in 250 ms. The
     * start-up warm-ups leave the JIT compiling in the background for a while; a node's peers
     * meet a speaker that has been up for some seconds, not one still compiling, so the feeder
     * starts only then.
     */
    private static void awaitQuiet() throws java.io.IOException, InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        long last = busyNs();
        while (System.nanoTime() < deadline) {
            Thread.sleep(250);
            long now = busyNs();
            if (now - last < 10_000_000L) {
                return;
            }
            last = now;
        }
    }

    private static long busyNs() throws java.io.IOException {
        long sum = 0;
        for (TaskStat t : tasks()) {
            sum += t.onCpuNs();
        }
        return sum;
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void receive(String[] a) throws Exception {
        InetAddress listen = InetAddress.getByName(a[1]);
        int count = Integer.parseInt(a[5]);
        DataplaneAgent agent = new DataplaneAgent(new AgentSettings("fib", Netns.current(),
                AddressAutodetection.parse("interface=^eth0$"), Duration.ofSeconds(90), 80, "cali"),
                new DatastoreResourceStore(new MemoryDatastore(), new JacksonResourceCodec(), Clock.systemUTC()));
        agent.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (agent.report().passes() < 1 || !agent.learnedRoutesWarm()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the agent's first pass did not come: " + agent.report());
            }
            Thread.sleep(5);
        }
        SpeakerConfig config = SpeakerConfig.of(listen, Long.parseLong(a[4])).withListenAddress(listen)
                .withTimers(Duration.ofSeconds(240), Duration.ofSeconds(1));
        try (BgpSpeaker bgp = BgpSpeaker.start(config)) {
            long before = heapAfterGc();
            long[] seen = new long[5]; // updates, routes, first ns, last ns, first epoch ms
            StringBuilder arrivals = new StringBuilder();
            bgp.addSink(u -> {
                long t = System.nanoTime();
                if (u.upserts().isEmpty() && u.withdrawals().isEmpty()) {
                    return; // the empty table at addSink
                }
                if (seen[0]++ == 0) {
                    seen[2] = t;
                    seen[4] = System.currentTimeMillis();
                }
                seen[1] += u.upserts().size();
                seen[3] = t;
                if (arrivals.length() < 4000) {
                    arrivals.append(String.format("%.3f:%d,", System.currentTimeMillis() / 1000.0 % 1000, u.upserts().size()));
                }
                agent.accept(u);
            });
            bgp.addPeer(PeerConfig.of("feeder", InetAddress.getByName(a[2]), Long.parseLong(a[3])).withPassive(true)
                    .withFamilies(true, false));
            String.format("%.6f", 0.0); // locale data loaded now, not inside the measured span
            awaitQuiet();
            StringBuilder timeline = new StringBuilder();
            if (Boolean.getBoolean("diag")) {
                System.out.println("thread_cpu_at_ready=" + threadCpu());
                Thread sampler = new Thread(() -> sampleSender(timeline), "diag-sampler");
                sampler.setDaemon(true);
                sampler.start();
            }
            System.out.println("ready");
            while (agent.learnedRoutesInstalled() < count || agent.learnedRoutesPending() > 0) {
                Thread.sleep(20); // the script times with the kernel's view; this only says when to report
            }
            long done = System.currentTimeMillis();
            long doneNs = System.nanoTime();
            System.out.printf("installed=%.6f%n", done / 1000.0);
            if (Boolean.getBoolean("diag")) {
                System.out.printf("sink_updates=%d sink_routes=%d sink_span_s=%.3f last_sink_to_installed_s=%.3f%n",
                        seen[0], seen[1], (seen[3] - seen[2]) / 1e9, (doneNs - seen[3]) / 1e9);
                System.out.printf("first_update=%.3f%n", seen[4] / 1000.0);
                System.out.println("arrivals=" + arrivals);
                System.out.println("thread_cpu=" + threadCpu());
                synchronized (timeline) {
                    System.out.println("sender_timeline=" + timeline);
                }
                String jfr = System.getProperty("jfrDump"); // with -XX:StartFlightRecording, kill -9 keeps no file
                if (jfr != null) {
                    for (jdk.jfr.Recording r : jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings()) {
                        r.dump(java.nio.file.Path.of(jfr));
                    }
                }
            }
            System.out.printf("table_bytes_per_route=%.1f%n", agent.learnedRoutesFootprint() / (double) count);
            System.out.printf("heap_per_route=%.1f%n", (heapAfterGc() - before) / (double) count);
            // the periodic resync with the whole table in the kernel: dump, compare, nothing to change
            long resyncs = agent.report().resyncs();
            agent.requestSync(true);
            while (agent.report().resyncs() == resyncs) {
                Thread.sleep(5);
            }
            while (agent.learnedRoutesPending() > 0) {
                Thread.sleep(5);
            }
            System.out.printf("resync_ms=%.0f installed_after_resync=%d%n", agent.report().lastPassMicros() / 1000.0,
                    agent.learnedRoutesInstalled());
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE); // the script stops us
        }
    }

    /** Diagnostics: the speaker alone delivering COUNT learned routes to a sink that only counts them. */
    private static void sinkOnly(String[] a) throws Exception {
        InetAddress listen = InetAddress.getByName(a[1]);
        int count = Integer.parseInt(a[5]);
        SpeakerConfig config = SpeakerConfig.of(listen, Long.parseLong(a[4])).withListenAddress(listen)
                .withTimers(Duration.ofSeconds(240), Duration.ofSeconds(1));
        try (BgpSpeaker bgp = BgpSpeaker.start(config)) {
            java.util.concurrent.atomic.AtomicLong seen = new java.util.concurrent.atomic.AtomicLong();
            StringBuilder arrivals = new StringBuilder();
            bgp.addSink(u -> {
                seen.addAndGet(u.upserts().size());
                arrivals.append(String.format("%.3f:%d,", System.currentTimeMillis() / 1000.0 % 1000, u.upserts().size()));
            });
            bgp.addPeer(PeerConfig.of("feeder", InetAddress.getByName(a[2]), Long.parseLong(a[3])).withPassive(true)
                    .withFamilies(true, false));
            String.format("%.6f", 0.0);
            System.out.println("ready");
            while (seen.get() < count) {
                Thread.sleep(2);
            }
            System.out.printf("installed=%.6f%narrivals=%s%n", System.currentTimeMillis() / 1000.0, arrivals);
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    /** Diagnostics: COUNT routes handed to the agent's sink in updates of PER routes, no BGP. */
    private static void direct(int count, int per) throws Exception {
        DataplaneAgent agent = new DataplaneAgent(new AgentSettings("fib", Netns.current(),
                AddressAutodetection.parse("interface=^eth0$"), Duration.ofSeconds(90), 80, "cali"),
                new DatastoreResourceStore(new MemoryDatastore(), new JacksonResourceCodec(), Clock.systemUTC()));
        agent.start();
        while (agent.report().passes() < 1 || !agent.learnedRoutesWarm()) {
            Thread.sleep(5);
        }
        List<io.weft.api.routing.RouteUpdate> updates = new ArrayList<>();
        List<io.weft.api.routing.NextHop> hop = List.of(new io.weft.api.routing.NextHop(InetAddress.getByName("10.0.0.1"), null));
        List<io.weft.api.routing.Route> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long a = (100L << 24) + i * 256L;
            batch.add(new io.weft.api.routing.Route(new Cidr(InetAddress.getByAddress(new byte[] {(byte) (a >>> 24),
                    (byte) (a >>> 16), (byte) (a >>> 8), 0}), 24), hop, java.util.Map.of()));
            if (batch.size() == per || i == count - 1) {
                updates.add(new io.weft.api.routing.RouteUpdate("bgp", false, batch, List.of()));
                batch = new ArrayList<>();
            }
        }
        long t0 = System.nanoTime();
        for (io.weft.api.routing.RouteUpdate u : updates) {
            agent.accept(u);
        }
        while (agent.learnedRoutesInstalled() < count || agent.learnedRoutesPending() > 0) {
            Thread.sleep(5); // each wake-up takes a core from the install for a moment
        }
        System.out.printf("direct_s=%.4f%n", (System.nanoTime() - t0) / 1e9);
        if (Boolean.getBoolean("diag")) {
            System.err.println("installer alone: thread_cpu=" + threadCpu());
        }
    }

    /**
     * Deletes every proto bird route in the namespace, pipelined (a million in seconds, where
     * {@code ip route flush} gives up after a few rounds); prints how many.
     */
    private static void flush() throws Exception {
        try (RtNetlink nl = RtNetlink.open(Netns.current())) {
            for (int round = 0; round < 5; round++) {
                Batch batch = nl.batch();
                int n = 0;
                for (Route r : nl.routes()) {
                    if (r.protocol() == Route.PROTO_BIRD) {
                        batch.deleteRoute(r);
                        n++;
                    }
                }
                if (n == 0) {
                    return;
                }
                batch.execute();
                System.out.println("flushed=" + n);
            }
        }
    }

    private static void netlink(int count, InetAddress gateway, boolean watched) throws Exception {
        // watched: a route listener in the namespace, as every routing daemon has (the agent's
        // repair, BIRD's async socket); the kernel then builds a notification per route
        try (RtNetlink nl = RtNetlink.open(Netns.current());
                io.weft.netlink.Subscription sub = watched ? io.weft.netlink.Subscription.open(Netns.current(),
                        java.util.EnumSet.of(io.weft.netlink.Subscription.Kind.ROUTE), e -> { }) : null) {
            List<Route> routes = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                long a = (100L << 24) + i * 256L;
                routes.add(Route.to(new Cidr(InetAddress.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16),
                        (byte) (a >>> 8), 0}), 24)).via(gateway).protocol(Route.PROTO_BIRD));
            }
            long t0 = System.nanoTime();
            Batch batch = nl.batch();
            for (Route r : routes) {
                batch.addRoute(r);
                if (batch.size() == LearnedRouteInstaller.CHUNK) {
                    batch.execute().throwIfFailed();
                }
            }
            batch.execute().throwIfFailed();
            System.out.printf("netlink%s_s=%.4f%n", watched ? "_watched" : "", (System.nanoTime() - t0) / 1e9);
            if (Boolean.getBoolean("diag")) {
                System.err.println("netlink Batch: thread_cpu=" + threadCpu());
            }
        }
    }
}
