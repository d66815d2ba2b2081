package io.weft.agent;

import static io.weft.agent.Lab.agentRoutes;
import static io.weft.agent.Lab.await;
import static io.weft.agent.Lab.ip;
import static io.weft.agent.Lab.lines;
import static io.weft.agent.Lab.pings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.weft.api.model.EncapsulationMode;
import io.weft.api.net.Cidr;

/**
 * Seed 000's IPIP lab, for a kernel that has the ipip module (this machine's has not: run it in
 * the QEMU VM, {@code src/test/qemu/ipip-lab.sh}). n1 and n2 share subnet A, n3 is behind the
 * router on subnet B; agents program each node; the routes must be the seed's
 * ({@code <block> via <node IP> dev tunl0 onlink}, plain on the uplink for same-subnet nodes under
 * CrossSubnet), every pod must ping every other, and tunl0's counters must show which traffic was
 * encapsulated. Prints one PASS line per mode; any failure ends with a non-zero exit.
 */
public final class IpipLab {

    private IpipLab() {
    }

    public static void main(String[] args) throws Exception {
        List<String> modes = args.length == 0 ? List.of("Always", "CrossSubnet") : List.of(args);
        for (String mode : modes) {
            long t0 = System.nanoTime();
            run(EncapsulationMode.parse(mode));
            System.out.printf("IPIP %s: PASS (%.1f s)%n", mode, (System.nanoTime() - t0) / 1e9);
        }
        System.exit(0);
    }

    private static String block(String address) {
        return new Cidr(Cidr.parseAddress(address), 26).toString();
    }

    private static long tunlTx(Cluster cluster, String node) {
        List<String> l = lines(ip(cluster.ns(node), "-s", "link", "show", "tunl0"));
        for (int i = 0; i < l.size(); i++) {
            if (l.get(i).trim().startsWith("TX:")) {
                return Long.parseLong(l.get(i + 1).trim().split("\\s+")[1]);
            }
        }
        throw new AssertionError("no TX counters for tunl0 on " + node);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    static void run(EncapsulationMode mode) throws Exception {
        try (Cluster cluster = new Cluster("wip")) {
            cluster.node("n1", "a", "11");
            cluster.node("n2", "a", "12");
            cluster.node("n3", "b", "13");
            cluster.pool("default-ipv4-ippool", "10.244.0.0/16", 26, null, mode);
            String t1 = cluster.ipipTunnel("n1");
            String t2 = cluster.ipipTunnel("n2");
            String t3 = cluster.ipipTunnel("n3");
            Cluster.Pod a = cluster.pod("n1", "pod-a");
            Cluster.Pod c = cluster.pod("n2", "pod-c");
            Cluster.Pod d = cluster.pod("n3", "pod-d");
            for (String n : List.of("n1", "n2", "n3")) {
                cluster.agent(n, Duration.ofMinutes(10));
            }
            String toN2 = mode == EncapsulationMode.ALWAYS ? block(t2) + " via 10.0.0.12 dev tunl0 proto 80 onlink"
                    : block(t2) + " via 10.0.0.12 dev eth0 proto 80 onlink";
            List<String> n1 = Stream.of("blackhole " + block(t1) + " proto 80",
                    a.ip() + " dev " + a.hostIf() + " proto 80 scope link", toN2,
                    block(t3) + " via 10.0.1.13 dev tunl0 proto 80 onlink").sorted().toList();
            await(120_000, n1, () -> agentRoutes(cluster.ns("n1")));
            await(120_000, 4, () -> agentRoutes(cluster.ns("n3")).size());
            String tunl = ip(cluster.ns("n1"), "-d", "link", "show", "tunl0");
            check(tunl.contains("mtu 1480"), "tunl0 MTU is host - 20: " + tunl);
            check(ip(cluster.ns("n1"), "addr", "show", "dev", "tunl0").contains("inet " + t1 + "/32"),
                    "tunl0 carries n1's tunnel address");

            List<String> failed = new ArrayList<>();
            for (Cluster.Pod from : List.of(a, c, d)) {
                for (Cluster.Pod to : List.of(a, c, d)) {
                    if (from != to && !pings(from.ns(), to.ip())) {
                        failed.add(from.name() + " -> " + to.name());
                    }
                }
            }
            check(failed.isEmpty(), "pods that could not ping: " + failed);
            long before = tunlTx(cluster, "n1");
            check(pings(a.ns(), c.ip()), "n1 -> n2");
            long afterSameSubnet = tunlTx(cluster, "n1");
            if (mode == EncapsulationMode.ALWAYS) {
                check(afterSameSubnet > before, "Always encapsulates n1 -> n2");
            } else {
                check(afterSameSubnet == before, "CrossSubnet keeps n1 -> n2 plain");
            }
            check(pings(a.ns(), d.ip()), "n1 -> n3");
            check(tunlTx(cluster, "n1") > afterSameSubnet, "n1 -> n3 crosses the router through tunl0");
            System.out.println("n1's routes:");
            agentRoutes(cluster.ns("n1")).forEach(r -> System.out.println("  " + r));
        }
    }
}
