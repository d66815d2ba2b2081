package io.weft.lab;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.weft.lab.LabJournal.Entry;
import io.weft.lab.Topology.External;
import io.weft.lab.Topology.Node;
import io.weft.lab.Topology.Pool;

/**
 * {@code weft-lab ping-matrix}: every pod pings every other pod and every external host, once per
 * pair, in parallel; pairs that should answer and do not are tried again until they do or the wait
 * runs out (a fresh lab's agents may still be converging). Which pairs should answer follows from
 * the topology: pods on one node always; on different nodes when both share a subnet or both pools
 * encapsulate (routes between subnets without encapsulation come from BGP, which the lab does not
 * run); an external host only from a pool with natOutgoing (the external has no route back to pods).
 */
final class PingMatrix {

    /** Something that can be pinged, and pings when it is a pod. */
    record Endpoint(String label, String node, String subnet, String netns, String ip, boolean pod) {
    }

    record Cell(Endpoint from, Endpoint to, boolean expected, boolean answered) {
    }

    private final LabLayout layout;
    private final PrintStream out;

    PingMatrix(LabLayout layout, PrintStream out) {
        this.layout = layout;
        this.out = out;
    }

    static List<Endpoint> endpoints(LabLayout layout, List<Entry> journal) {
        Map<String, Node> nodes = layout.topology().nodesByName();
        List<Endpoint> endpoints = new ArrayList<>();
        for (Entry pod : journal) {
            if (!pod.kind().equals("pod")) {
                continue;
            }
            String ip = journal.stream().filter(e -> e.kind().equals("pod-ip") && e.field(0).equals(pod.field(3)))
                    .map(e -> e.field(1)).findFirst().orElse(null);
            if (ip == null) {
                continue; // its ADD never finished
            }
            Node node = nodes.get(pod.field(0));
            endpoints.add(new Endpoint(pod.field(1) + "/" + pod.field(2), node.name(), node.subnet(), pod.field(4), ip,
                    true));
        }
        for (External x : layout.topology().externals()) {
            endpoints.add(new Endpoint("external " + x.name(), null, x.subnet(), layout.ns(x.name()), x.ip(), false));
        }
        return endpoints;
    }

    /** Whether a ping from {@code from} to {@code to} should get its answer in this topology. */
    static boolean expected(Topology topology, Endpoint from, Endpoint to) {
        Pool fromPool = topology.poolOf(from.ip()).orElse(null);
        if (!to.pod()) {
            return fromPool != null && Boolean.TRUE.equals(fromPool.natOutgoing());
        }
        if (from.node().equals(to.node()) || from.subnet().equals(to.subnet())) {
            return true;
        }
        Pool toPool = topology.poolOf(to.ip()).orElse(null);
        return fromPool != null && toPool != null && fromPool.encapsulated() && toPool.encapsulated();
    }

    /** Pings, prints the matrix and returns whether every expected pair answered. */
    boolean run(List<Entry> journal, int waitSeconds) throws LabException {
        List<Endpoint> endpoints = endpoints(layout, journal);
        List<Endpoint> pods = endpoints.stream().filter(Endpoint::pod).toList();
        if (pods.isEmpty()) {
            throw new LabException("lab " + layout.topology().name() + " has no pods; add some under nodes[].pods");
        }
        List<Cell> cells = new ArrayList<>();
        for (Endpoint from : pods) {
            for (Endpoint to : endpoints) {
                if (from != to) {
                    cells.add(new Cell(from, to, expected(layout.topology(), from, to), false));
                }
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            cells = pingAll(pool, cells);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
            while (cells.stream().anyMatch(c -> c.expected() && !c.answered()) && System.nanoTime() < deadline) {
                LabUp.sleep(500);
                List<Cell> retried = new ArrayList<>();
                List<Cell> failing = cells.stream().filter(c -> c.expected() && !c.answered()).toList();
                List<Cell> again = pingAll(pool, failing);
                for (Cell c : cells) {
                    int i = failing.indexOf(c);
                    retried.add(i < 0 ? c : again.get(i));
                }
                cells = retried;
            }
        } finally {
            pool.shutdownNow();
        }
        print(endpoints, pods, cells);
        return cells.stream().noneMatch(c -> c.expected() && !c.answered());
    }

    private static List<Cell> pingAll(ExecutorService pool, List<Cell> cells) throws LabException {
        List<Future<Boolean>> answers = new ArrayList<>();
        for (Cell c : cells) {
            answers.add(pool.submit(() -> Host.run(List.of("ip", "netns", "exec", c.from().netns(), "ping", "-c", "1",
                    "-W", "1", "-q", c.to().ip()), null, null, 10).ok()));
        }
        List<Cell> result = new ArrayList<>();
        for (int i = 0; i < cells.size(); i++) {
            Cell c = cells.get(i);
            try {
                result.add(new Cell(c.from(), c.to(), c.expected(), answers.get(i).get()));
            } catch (Exception e) {
                throw new LabException("ping from " + c.from().label() + " to " + c.to().ip() + " failed to run: " + e, e);
            }
        }
        return result;
    }

    private void print(List<Endpoint> endpoints, List<Endpoint> pods, List<Cell> cells) {
        long expected = cells.stream().filter(Cell::expected).count();
        long good = cells.stream().filter(c -> c.expected() && c.answered()).count();
        out.printf("ping-matrix %s: %d pods, %d pairs, %d expected to answer, %d of them answered%n",
                layout.topology().name(), pods.size(), cells.size(), expected, good);
        for (int i = 0; i < endpoints.size(); i++) {
            Endpoint e = endpoints.get(i);
            out.printf("  %2d  %-15s %-28s %s%n", i + 1, e.ip(), e.label(), e.node() == null ? e.netns() : "on " + e.node());
        }
        StringBuilder header = new StringBuilder("from\\to");
        for (int i = 0; i < endpoints.size(); i++) {
            header.append(String.format("%5d", i + 1));
        }
        out.println(header);
        for (Endpoint from : pods) {
            StringBuilder row = new StringBuilder(String.format("%7d", endpoints.indexOf(from) + 1));
            for (Endpoint to : endpoints) {
                String mark = ".";
                for (Cell c : cells) {
                    if (c.from() == from && c.to() == to) {
                        mark = c.answered() ? "ok" : c.expected() ? "FAIL" : "-";
                    }
                }
                row.append(String.format("%5s", mark));
            }
            out.println(row);
        }
        out.println("ok: answered; FAIL: should have answered and did not; -: no answer, none expected "
                + "(no route without BGP, or no natOutgoing)");
        for (Cell c : cells) {
            if (c.expected() && !c.answered()) {
                out.println("FAIL " + c.from().label() + " (" + c.from().ip() + ") -> " + c.to().label() + " ("
                        + c.to().ip() + ")");
            }
        }
    }
}
