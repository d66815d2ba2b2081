// Benchmark driver for integration-tests/bench/netlink-*.sh: runs Weft's netlink library in-process
// (java single-file source mode) and prints one "weft ..." line of timings for the script to parse.
//   routes <netns> <count> <device>   batch-add then batch-delete <count> /26 routes
//   veth <netns> <count> <pods>       create <count> veth pairs with pod-side setup, then delete them
import io.weft.api.net.Cidr;
import io.weft.api.net.PrefixedAddress;
import io.weft.netlink.*;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

public class NetlinkBench {
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "routes" -> routes(args[1], Integer.parseInt(args[2]), args[3]);
            case "veth" -> veth(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("usage: routes NETNS COUNT DEVICE | veth NETNS COUNT PODS");
        }
    }

    /** The i-th /26 of 10.128.0.0/9 (131072 of them), as the shell baseline numbers them. */
    static InetAddress block(int i) throws Exception {
        long a = (10L << 24) | (128L << 16) | (long) i * 64;
        return InetAddress.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a});
    }

    static void routes(String ns, int count, String device) throws Exception {
        InetAddress gw = InetAddress.getByName("10.0.0.2");
        try (RtNetlink nl = RtNetlink.open(Netns.named(ns))) {
            List<Route> routes = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                routes.add(Route.to(new Cidr(block(i), 26)).via(gw).device(device).protocol(80));
            }
            long t0 = System.nanoTime();
            Batch add = nl.batch();
            for (Route r : routes) {
                add.addRoute(r);
            }
            add.execute().throwIfFailed();
            long t1 = System.nanoTime();
            Batch del = nl.batch();
            for (Route r : routes) {
                del.deleteRoute(r);
            }
            del.execute().throwIfFailed();
            long t2 = System.nanoTime();
            System.out.printf("weft add_s=%.4f del_s=%.4f%n", (t1 - t0) / 1e9, (t2 - t1) / 1e9);
        }
    }

    static void veth(String nodeNs, int count, int pods) throws Exception {
        Map<Integer, RtNetlink> podNl = new HashMap<>();
        try (RtNetlink node = RtNetlink.open(Netns.named(nodeNs))) {
            for (int k = 0; k < pods; k++) {
                podNl.put(k, RtNetlink.open(Netns.named(nodeNs + "-pod" + k)));
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                int k = i % pods;
                String host = "vb" + i;
                String peer = "e" + i;
                String ip = "10.200." + (i / 256) + "." + (i % 256);
                node.createVeth(new VethPair(host, peer, Netns.named(nodeNs + "-pod" + k), 1450, "ee:ee:ee:ee:ee:ee", null));
                RtNetlink pod = podNl.get(k);
                pod.addAddress(peer, PrefixedAddress.parse(ip + "/32"));
                pod.setUp(peer);
                node.setUp(host);
                node.addRoute(Route.to(Cidr.parse(ip + "/32")).device(host).protocol(80));
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                node.deleteLink("vb" + i);
            }
            long t2 = System.nanoTime();
            System.out.printf("weft create_s=%.4f delete_s=%.4f%n", (t1 - t0) / 1e9, (t2 - t1) / 1e9);
        } finally {
            podNl.values().forEach(RtNetlink::close);
        }
    }
}
