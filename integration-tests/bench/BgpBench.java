// Benchmark driver for integration-tests/bench/bgp-*.sh: runs Weft's BGP speaker in-process (java
// single-file source mode) inside the receiver's network namespace and prints key=value lines.
//   ingest LISTEN PEER PEER_AS LOCAL_AS COUNT   accept one eBGP peer, wait until COUNT routes are in
//                                              the Loc-RIB; print done=<epoch s> and heap_per_route
//   reflect LISTEN AS CLUSTER_ID CLIENT...      reflect between route-reflector clients until killed
import io.weft.bgp.*;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;

public class BgpBench {
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "ingest" -> ingest(args);
            case "reflect" -> reflect(args);
            default -> throw new IllegalArgumentException("usage: ingest LISTEN PEER PEER_AS LOCAL_AS COUNT | reflect LISTEN AS CLUSTER CLIENT...");
        }
    }

    static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static void ingest(String[] a) throws Exception {
        InetAddress listen = InetAddress.getByName(a[1]);
        int count = Integer.parseInt(a[5]);
        SpeakerConfig config = SpeakerConfig.of(listen, Long.parseLong(a[4])).withListenAddress(listen)
                .withTimers(Duration.ofSeconds(240), Duration.ofSeconds(1));
        try (BgpSpeaker bgp = BgpSpeaker.start(config)) {
            long before = heapAfterGc();
            bgp.addPeer(PeerConfig.of("feeder", InetAddress.getByName(a[2]), Long.parseLong(a[3])).withPassive(true)
                    .withFamilies(true, false));
            // the first printf loads the JDK's locale data (100-200 ms here): do it now, not
            // between seeing the routes and taking the time
            String.format("%.6f", 0.0);
            System.out.println("ready");
            long first = 0;
            int n;
            while ((n = bgp.routeCount()) < count) {
                if (first == 0 && n > 0) {
                    first = System.currentTimeMillis();
                }
                Thread.sleep(2);
            }
            long done = System.currentTimeMillis();
            System.out.printf("first=%.6f%n", (first == 0 ? done : first) / 1000.0);
            // when this side saw the session come up (diagnostics: the feeder's Established is t0)
            System.out.printf("established=%.6f%n", bgp.peer("feeder").orElseThrow().since().toEpochMilli() / 1000.0);
            System.out.printf("done=%.6f%n", done / 1000.0);
            long after = heapAfterGc();
            System.out.printf("heap_per_route=%.1f%n", (after - before) / (double) count);
            System.out.flush();
        }
    }

    static void reflect(String[] a) throws Exception {
        InetAddress listen = InetAddress.getByName(a[1]);
        long as = Long.parseLong(a[2]);
        SpeakerConfig config = SpeakerConfig.of(listen, as).withListenAddress(listen)
                .withClusterId(InetAddress.getByName(a[3])).withTimers(Duration.ofSeconds(240), Duration.ofSeconds(1));
        try (BgpSpeaker bgp = BgpSpeaker.start(config)) {
            for (int i = 4; i < a.length; i++) {
                bgp.addPeer(PeerConfig.of("client" + i, InetAddress.getByName(a[i]), as).withPassive(true)
                        .withRouteReflectorClient(true).withFamilies(true, false));
            }
            System.out.println("ready");
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
