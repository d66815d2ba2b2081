package io.weft.lab;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.weft.lab.LabJournal.Entry;

/**
 * {@code weft-lab down}: replays the journal backwards. Pods are deleted through the shim first,
 * as a kubelet would (their addresses go back to IPAM while the node still runs); then every
 * namespace the lab made has its processes stopped (whatever runs in it, so a runtime started by an
 * {@code up} that died before journaling its pid is found too) and is deleted, which takes its
 * veths, bridges, routes and devices with it; last the lab directory (etcd's data, node dirs) goes.
 */
final class LabDown {
    private final Path dir;
    private final LabLayout layout;
    private final Tools tools;
    private final PrintStream out;

    /** {@code layout} may be null when the lab's topology copy is unreadable; pods then are not DELeted. */
    LabDown(Path dir, LabLayout layout, Tools tools, PrintStream out) {
        this.dir = dir;
        this.layout = layout;
        this.tools = tools;
        this.out = out;
    }

    /** Removes everything; returns the problems left (empty: nothing remains). */
    List<String> teardown() throws LabException {
        try (LabLock lock = LabLock.acquire(dir, "weft-lab down " + dir.getFileName())) {
            return teardownLocked();
        }
    }

    private List<String> teardownLocked() throws LabException {
        LabJournal journal = new LabJournal(dir);
        List<Entry> entries = journal.entries();
        List<String> problems = new ArrayList<>();
        deletePods(journal, entries, problems);
        List<String> namespaces = new ArrayList<>(entries.stream().filter(e -> e.kind().equals("netns"))
                .map(e -> e.field(0)).distinct().toList());
        Collections.reverse(namespaces); // pods, nodes, externals, routers, the switch (etcd) last
        for (String ns : namespaces) {
            stopProcessesIn(ns);
            if (exists(ns)) {
                Host.Result r = Host.quietly("ip", "netns", "delete", ns);
                if (!r.ok() && exists(ns)) {
                    problems.add("cannot delete namespace " + ns + ": " + r.stderr().trim());
                }
            }
        }
        for (Entry e : entries) {
            if (e.kind().equals("process") && alive(Long.parseLong(e.field(1)))
                    && belongsToLab(Long.parseLong(e.field(1)))) {
                problems.add(e.field(0) + " (pid " + e.field(1) + ") is still running");
            }
        }
        if (problems.isEmpty()) {
            deleteTree(dir);
            out.println("lab " + dir.getFileName() + " is down: " + namespaces.size()
                    + " namespace(s) and their processes removed, " + dir + " deleted");
        }
        return problems;
    }

    private void deletePods(LabJournal journal, List<Entry> entries, List<String> problems) throws LabException {
        if (layout == null || tools == null) {
            return;
        }
        List<Entry> pods = new ArrayList<>(entries.stream().filter(e -> e.kind().equals("pod")).toList());
        Collections.reverse(pods);
        for (Entry pod : pods) {
            String node = pod.field(0);
            Topology.Pod p = new Topology.Pod(pod.field(2), pod.field(1));
            if (!Files.exists(layout.cniSocket(node)) || Host.quietly("ip", "netns", "pids", layout.ns(node))
                    .stdout().isBlank()) {
                out.println("pod " + p.qualifiedName() + ": node " + node + " is not running; its namespace goes "
                        + "with the lab and its datastore with etcd");
                continue;
            }
            Host.Result r = tools.cni(layout, node, "DEL", p, pod.field(3), pod.field(4));
            if (r.ok()) {
                out.println("pod " + p.qualifiedName() + " on " + node + ": CNI DEL done");
            } else {
                // not fatal: the pod's namespace and veth go with the namespaces below anyway
                out.println("pod " + p.qualifiedName() + " on " + node + ": CNI DEL failed (exit " + r.exitCode()
                        + "): " + r.stdout().trim() + r.stderr().trim());
            }
        }
    }

    /** SIGTERM to every process in the namespace, SIGKILL to those left after 10 s. */
    private void stopProcessesIn(String ns) throws LabException {
        List<Long> pids = pidsIn(ns);
        if (pids.isEmpty()) {
            return;
        }
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pids.stream().anyMatch(LabDown::alive) && System.nanoTime() < deadline) {
            LabUp.sleep(50);
        }
        for (long pid : pids) {
            if (alive(pid)) {
                out.println("pid " + pid + " in " + ns + " ignored SIGTERM for 10 s; sending SIGKILL");
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (pids.stream().anyMatch(LabDown::alive) && System.nanoTime() < deadline) {
            LabUp.sleep(20);
        }
        out.println(ns + ": stopped " + pids.size() + " process(es) " + pids);
    }

    static List<Long> pidsIn(String ns) {
        if (!exists(ns)) {
            return List.of();
        }
        return Host.quietly("ip", "netns", "pids", ns).stdout().lines().map(String::trim).filter(l -> !l.isEmpty())
                .map(Long::parseLong).toList();
    }

    static boolean exists(String ns) {
        return Files.exists(Path.of("/var/run/netns", ns));
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                && !zombie(pid);
    }

    private static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** A recorded pid may have been reused since; only a process still in a lab namespace is ours. */
    private boolean belongsToLab(long pid) {
        try {
            String cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
            Path cwd = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd"));
            return cmdline.contains(dir.toString()) || cwd.startsWith(dir);
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteTree(Path root) throws LabException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new LabException("cannot delete " + root + ": " + e.getMessage(), e);
        }
    }
}
