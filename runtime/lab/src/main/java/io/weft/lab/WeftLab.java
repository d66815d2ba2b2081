package io.weft.lab;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.weft.lab.LabJournal.Entry;
import io.weft.lab.Topology.Node;
import io.weft.lab.Topology.TopologyException;

/**
 * weft-lab: {@code up FILE.yaml}, {@code down [NAME]}, {@code status [NAME]},
 * {@code ping-matrix [NAME]}. Labs live under {@code WEFT_LAB_DIR} (default /var/run/weft-lab),
 * one directory each; a NAME may be left out when exactly one lab is up.
 */
public final class WeftLab {
    static final String TOPOLOGY_COPY = "topology.yaml";
    static final String USAGE = """
            usage: weft-lab up FILE.yaml [--keep-on-failure]
                   weft-lab down [NAME]
                   weft-lab status [NAME]
                   weft-lab ping-matrix [NAME] [--wait SECONDS]
                   weft-lab weftctl [-l NAME] WEFTCTL-ARGS...   (weftctl against the lab's etcd)
            Builds a lab of network namespaces from FILE.yaml (subnets, routers, etcd, nodes running the Weft
            node runtime, pods added through the CNI shim) and tears it down again. Labs are kept under
            WEFT_LAB_DIR (default /var/run/weft-lab). Needs root. The topology format: runtime/lab/README.md.
            """;

    private final Path root;
    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    WeftLab(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.root = Path.of(env.getOrDefault("WEFT_LAB_DIR", "/var/run/weft-lab"));
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(new WeftLab(System.getenv(), System.out, System.err).run(List.of(args)));
    }

    int run(List<String> args) {
        if (args.isEmpty() || args.contains("-h") || args.contains("--help")) {
            (args.isEmpty() ? err : out).print(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        List<String> rest = new ArrayList<>(args.subList(1, args.size()));
        try {
            switch (args.get(0)) {
                case "up":
                    return up(rest);
                case "down":
                    return down(rest);
                case "status":
                    return status(rest);
                case "ping-matrix":
                    return pingMatrix(rest);
                case "weftctl":
                    return weftctl(rest);
                default:
                    err.print("weft-lab: unknown command '" + args.get(0) + "'\n" + USAGE);
                    return 2;
            }
        } catch (TopologyException e) {
            err.println("weft-lab: " + e.getMessage());
            return 2;
        } catch (LabException | IOException e) {
            err.println("weft-lab: " + e.getMessage());
            return 1;
        }
    }

    private int up(List<String> args) throws LabException, TopologyException, IOException {
        boolean keep = args.remove("--keep-on-failure");
        if (args.size() != 1) {
            err.print("weft-lab up: give one topology file\n" + USAGE);
            return 2;
        }
        Path file = Path.of(args.get(0));
        Topology topology = Topology.load(file);
        requireRoot();
        Tools tools = Tools.locate(env);
        List<String> missing = tools.missing();
        if (!missing.isEmpty()) {
            throw new LabException("cannot build the lab:\n  - " + String.join("\n  - ", missing));
        }
        LabLayout layout = new LabLayout(topology, root);
        if (new LabJournal(layout.dir()).exists()) {
            throw new LabException("lab '" + topology.name() + "' is already up (state in " + layout.dir()
                    + "); run weft-lab down " + topology.name() + " first");
        }
        for (String ns : plannedNamespaces(layout)) {
            if (LabDown.exists(ns)) {
                throw new LabException("network namespace " + ns + " exists already but belongs to no lab under " + root
                        + "; delete it (ip netns delete " + ns + ") or rename the lab");
            }
        }
        try {
            new LabUp(layout, tools, out).build(file);
            return 0;
        } catch (LabUp.LabBusyException e) {
            err.println("weft-lab up: " + e.getMessage());
            return 1;
        } catch (LabException | RuntimeException e) {
            err.println("weft-lab up: " + e.getMessage());
            if (keep) {
                err.println("weft-lab up: --keep-on-failure: the half-built lab stays for inspection; weft-lab down "
                        + topology.name() + " removes it");
                return 1;
            }
            err.println("weft-lab up: removing what was built");
            List<String> left = new LabDown(layout.dir(), layout, tools, out).teardown();
            left.forEach(p -> err.println("weft-lab up: left behind: " + p));
            return 1;
        }
    }

    private static List<String> plannedNamespaces(LabLayout layout) {
        List<String> names = new ArrayList<>(List.of(layout.switchNs()));
        Topology t = layout.topology();
        t.routers().forEach(r -> names.add(layout.ns(r.name())));
        t.externals().forEach(x -> names.add(layout.ns(x.name())));
        for (Node n : t.nodes()) {
            names.add(layout.ns(n.name()));
            (n.pods() == null ? List.<Topology.Pod>of() : n.pods()).forEach(p -> names.add(layout.podNs(p)));
        }
        return names;
    }

    private int down(List<String> args) throws LabException {
        Path dir = labDir(args);
        requireRoot();
        LabLayout layout = null;
        Tools tools = null;
        try {
            layout = new LabLayout(Topology.load(dir.resolve(TOPOLOGY_COPY)), root);
            tools = Tools.locate(env);
        } catch (TopologyException | IOException e) {
            out.println("the lab's topology copy is unreadable (" + e.getMessage().lines().findFirst().orElse("")
                    + "); removing its namespaces without CNI DEL");
        }
        List<String> left = new LabDown(dir, layout, tools, out).teardown();
        if (!left.isEmpty()) {
            left.forEach(p -> err.println("weft-lab down: " + p));
            err.println("weft-lab down: the journal " + dir.resolve(LabJournal.FILE) + " is kept; run down again");
            return 1;
        }
        return 0;
    }

    private int status(List<String> args) throws LabException, TopologyException, IOException {
        Path dir = labDir(args);
        LabLayout layout = new LabLayout(Topology.load(dir.resolve(TOPOLOGY_COPY)), root);
        List<Entry> journal = new LabJournal(dir).entries();
        out.println("lab " + layout.topology().name() + " (" + dir + ")");
        boolean healthy = true;
        for (Entry e : journal) {
            if (e.kind().equals("process")) {
                long pid = Long.parseLong(e.field(1));
                boolean alive = LabDown.alive(pid);
                healthy &= alive;
                out.printf("  %-24s pid %-8d %s%n", e.field(0), pid, alive ? "running" : "NOT RUNNING");
            }
        }
        for (Node n : layout.topology().nodes()) {
            String ns = layout.ns(n.name());
            boolean ready = Files.exists(layout.cniSocket(n.name()));
            healthy &= ready && LabDown.exists(ns);
            out.printf("  node %-19s %-15s netns %s %s, CNI socket %s%n", n.name(), n.ip(), ns,
                    LabDown.exists(ns) ? "present" : "MISSING", ready ? "present" : "MISSING");
        }
        for (PingMatrix.Endpoint e : PingMatrix.endpoints(layout, journal)) {
            if (e.pod()) {
                boolean present = LabDown.exists(e.netns());
                healthy &= present;
                out.printf("  pod  %-19s %-15s netns %s %s, on node %s%n", e.label(), e.ip(), e.netns(),
                        present ? "present" : "MISSING", e.node());
            }
        }
        for (Node n : layout.topology().nodes()) {
            if (LabDown.exists(layout.ns(n.name()))) {
                out.println("  routes on " + n.name() + ":");
                Host.quietly("ip", "-n", layout.ns(n.name()), "-4", "route", "show").stdout().lines()
                        .forEach(l -> out.println("    " + l));
            }
        }
        Tools tools = Tools.locate(env);
        if (LabDown.exists(layout.switchNs()) && Files.isRegularFile(tools.labJar())) {
            Host.Result nodes = tools.weftctl(layout, "get", "nodes", "-o", "wide");
            out.println("  datastore (etcd " + layout.etcdEndpoint() + "), weftctl get nodes -o wide:");
            (nodes.ok() ? nodes.stdout() : nodes.stderr()).lines().forEach(l -> out.println("    " + l));
            healthy &= nodes.ok();
        }
        out.println(healthy ? "status: up" : "status: DEGRADED (see above)");
        return healthy ? 0 : 1;
    }

    private int pingMatrix(List<String> args) throws LabException, TopologyException, IOException {
        int wait = 20;
        int i = args.indexOf("--wait");
        if (i >= 0) {
            if (i + 1 >= args.size() || !args.get(i + 1).matches("\\d{1,4}")) {
                err.println("weft-lab ping-matrix: --wait needs a number of seconds, e.g. --wait 30");
                return 2;
            }
            wait = Integer.parseInt(args.get(i + 1));
            args.remove(i + 1);
            args.remove(i);
        }
        Path dir = labDir(args);
        requireRoot();
        LabLayout layout = new LabLayout(Topology.load(dir.resolve(TOPOLOGY_COPY)), root);
        return new PingMatrix(layout, out).run(new LabJournal(dir).entries(), wait) ? 0 : 1;
    }

    /** calicoctl's role in the seeds: weftctl straight to the lab's etcd, e.g. {@code get ippool -o wide}. */
    private int weftctl(List<String> args) throws LabException, TopologyException, IOException {
        List<String> name = List.of();
        if (args.size() >= 2 && args.get(0).equals("-l")) {
            name = List.of(args.get(1));
            args = args.subList(2, args.size());
        }
        Path dir = labDir(name);
        requireRoot();
        LabLayout layout = new LabLayout(Topology.load(dir.resolve(TOPOLOGY_COPY)), root);
        if (!LabDown.exists(layout.switchNs())) {
            throw new LabException("lab " + layout.topology().name() + " has no switch namespace (etcd) any more; "
                    + "weft-lab down " + layout.topology().name() + " cleans it up");
        }
        List<String> ctlArgs = new ArrayList<>(args);
        // weftctl reads -f on its side; make a relative file name mean the caller's directory
        int f = ctlArgs.indexOf("-f");
        if (f >= 0 && f + 1 < ctlArgs.size() && !ctlArgs.get(f + 1).equals("-")) {
            ctlArgs.set(f + 1, Path.of(ctlArgs.get(f + 1)).toAbsolutePath().toString());
        }
        Host.Result r = Tools.locate(env).weftctl(layout, ctlArgs.toArray(String[]::new));
        out.print(r.stdout());
        err.print(r.stderr());
        return r.exitCode();
    }

    /** The lab named in {@code args}, or the only one there is. */
    private Path labDir(List<String> args) throws LabException {
        if (args.size() > 1) {
            throw new LabException("give at most one lab name, not " + args);
        }
        if (args.size() == 1) {
            Path dir = root.resolve(args.get(0));
            if (!Files.exists(dir.resolve(LabJournal.FILE))) {
                throw new LabException("no lab '" + args.get(0) + "' under " + root + "; labs there: " + labs());
            }
            return dir;
        }
        List<String> labs = labs();
        if (labs.size() != 1) {
            throw new LabException(labs.isEmpty() ? "no lab is up under " + root
                    : "several labs are up under " + root + ": " + labs + "; name one");
        }
        return root.resolve(labs.get(0));
    }

    private List<String> labs() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> Files.exists(d.resolve(LabJournal.FILE))).map(d -> d.getFileName().toString())
                    .sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void requireRoot() throws LabException {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new LabException("weft-lab creates network namespaces and must run as root (sudo weft-lab ...)");
        }
    }
}
