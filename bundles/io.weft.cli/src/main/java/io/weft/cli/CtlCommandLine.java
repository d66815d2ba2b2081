package io.weft.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * weftctl's command line, parsed as calicoctl parses its own:
 * {@code VERB [KIND] [NAME…] [-f FILE] [-o FORMAT] [-n NS] [-A] [-p PATCH] [--skip-exists]
 * [--skip-not-exists] [--overwrite] [--remove]}, and for {@code ipam SUBCOMMAND}
 * {@code [--show-blocks] [--ip IP] [-o REPORT] [--show-report] [--from-report REPORT]
 * [--strictaffinity=BOOL]}, and {@code node status [--node NAME] [-o json]}. Files ({@code -f}, {@code --from-report}) are read by the client (they
 * name paths on the client's machine) and travel as {@code input}; the report of
 * {@code ipam check -o REPORT} is written by the client too (see {@link IpamCommands#check}).
 */
public record CtlCommandLine(String verb, List<String> positional, String file, String output, String namespace,
        boolean allNamespaces, String patch, boolean skipExists, boolean skipNotExists, boolean overwrite,
        boolean remove, boolean showBlocks, String ip, boolean showReport, String fromReport,
        String strictAffinity, String node) {

    public static final String USAGE = """
            Usage:
              weftctl create    -f FILE [--skip-exists]
              weftctl apply     -f FILE
              weftctl replace   -f FILE
              weftctl delete    (-f FILE | KIND NAME...) [-n NS] [--skip-not-exists]
              weftctl get       KIND [NAME...] [-o ps|wide|yaml|json] [-n NS | -A]
              weftctl patch     KIND NAME -p PATCH [-n NS]
              weftctl label     KIND NAME key=value [--overwrite] | key --remove
              weftctl ipam show      [--show-blocks | --ip IP]
              weftctl ipam check     [-o REPORT.json | --show-report]
              weftctl ipam release   (--ip IP | --from-report REPORT.json)
              weftctl ipam configure --strictaffinity=true|false
              weftctl node status    [--node NAME] [-o json]
              weftctl version
            FILE may be - for standard input. KIND as calicoctl: ippool, node, bgpconfig, bgppeer,
            workloadendpoint, felixconfig, networkpolicy, globalnetworkpolicy, ipreservation, ...
            """;

    public static CtlCommandLine parse(List<String> args) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("no command given");
        }
        String verb = args.get(0);
        List<String> positional = new ArrayList<>();
        String file = null;
        String output = null;
        String namespace = null;
        String patch = null;
        boolean all = false;
        boolean skipExists = false;
        boolean skipNotExists = false;
        boolean overwrite = false;
        boolean remove = false;
        boolean showBlocks = false;
        String ip = null;
        boolean showReport = false;
        String fromReport = null;
        String strictAffinity = null;
        String node = null;
        for (int i = 1; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "-f", "--filename" -> file = value(args, ++i, a);
                case "-o", "--output" -> output = value(args, ++i, a);
                case "-n", "--namespace" -> namespace = value(args, ++i, a);
                case "-p", "--patch" -> patch = value(args, ++i, a);
                case "-A", "--all-namespaces" -> all = true;
                case "--skip-exists" -> skipExists = true;
                case "--skip-not-exists" -> skipNotExists = true;
                case "--overwrite" -> overwrite = true;
                case "--remove" -> remove = true;
                case "--show-blocks" -> showBlocks = true;
                case "--ip" -> ip = value(args, ++i, a);
                case "--show-report" -> showReport = true;
                case "--from-report" -> fromReport = value(args, ++i, a);
                case "--strictaffinity" -> strictAffinity = value(args, ++i, a);
                case "--node" -> node = value(args, ++i, a);
                default -> {
                    if (a.startsWith("--ip=")) {
                        ip = a.substring(5);
                    } else if (a.startsWith("--from-report=")) {
                        fromReport = a.substring(14);
                    } else if (a.startsWith("--strictaffinity=")) {
                        strictAffinity = a.substring(17);
                    } else if (a.startsWith("--node=")) {
                        node = a.substring(7);
                    } else if (a.startsWith("--filename=")) {
                        file = a.substring(11);
                    } else if (a.startsWith("--output=")) {
                        output = a.substring(9);
                    } else if (a.startsWith("-o") && a.length() > 2) {
                        output = a.substring(2);
                    } else if (a.startsWith("-") && a.length() > 1) {
                        throw new IllegalArgumentException("unknown flag " + a);
                    } else {
                        positional.add(a);
                    }
                }
            }
        }
        return new CtlCommandLine(verb, positional, file, output, namespace, all, patch, skipExists, skipNotExists,
                overwrite, remove, showBlocks, ip, showReport, fromReport, strictAffinity, node);
    }

    /** The file whose content travels with the command: {@code -f FILE} or {@code --from-report FILE}. */
    public String inputFile() {
        return file != null ? file : fromReport;
    }

    /** {@code ipam …}: runs against the node's IPAM, through {@link #runIpam}. */
    public boolean isIpam() {
        return verb.equals("ipam");
    }

    /** {@code ipam check -o FILE}: the client asks for {@code --show-report} and writes the file. */
    public boolean writesReport() {
        return isIpam() && !positional.isEmpty() && positional.get(0).equals("check") && output != null;
    }

    private static String value(List<String> args, int i, String flag) {
        if (i >= args.size()) {
            throw new IllegalArgumentException("flag " + flag + " needs a value");
        }
        return args.get(i);
    }

    /** {@code node …}: reads what the nodes publish in the datastore, through {@link #runNode}. */
    public boolean isNode() {
        return verb.equals("node");
    }

    /** As {@link #execute(List, String, io.weft.api.resource.ResourceStore, io.weft.api.resource.ResourceCodec,
     * io.weft.api.ipam.IpamService, io.weft.api.datastore.Datastore)} without a datastore ({@code node status} says it needs one). */
    public static ResourceCommands.Outcome execute(List<String> args, String input, io.weft.api.resource.ResourceStore store,
            io.weft.api.resource.ResourceCodec codec, io.weft.api.ipam.IpamService ipam) {
        return execute(args, input, store, codec, ipam, null);
    }

    /**
     * Parses and runs one weftctl command against the given services: the one entry point of the
     * node's admin socket and of weftctl's direct (etcd) mode. {@code datastore} serves
     * {@code node status}; the resource verbs do not need it.
     */
    public static ResourceCommands.Outcome execute(List<String> args, String input, io.weft.api.resource.ResourceStore store,
            io.weft.api.resource.ResourceCodec codec, io.weft.api.ipam.IpamService ipam,
            io.weft.api.datastore.Datastore datastore) {
        try {
            CtlCommandLine line = parse(args);
            if (line.isNode()) {
                return line.runNode(new NodeStatusCommands(datastore));
            }
            if (line.isIpam()) {
                return IpamCommands.run(store, ipam, commands -> line.runIpam(commands, input));
            }
            return line.run(new ResourceCommands(store, codec), input);
        } catch (IllegalArgumentException e) {
            return new ResourceCommands.Outcome(1, "", e.getMessage() + "\n" + USAGE);
        }
    }

    /** Runs the command; {@code input} is the content of {@code -f} (read by the client), or null. */
    public ResourceCommands.Outcome run(ResourceCommands commands, String input) {
        List<String> rest = positional.size() > 1 ? positional.subList(1, positional.size()) : List.of();
        String kind = positional.isEmpty() ? null : positional.get(0);
        return switch (verb) {
            case "create" -> needInput(input) ? missingFile() : commands.create(input, skipExists);
            case "apply" -> needInput(input) ? missingFile() : commands.apply(input);
            case "replace" -> needInput(input) ? missingFile() : commands.replace(input);
            case "delete" -> input != null ? commands.deleteFromText(input, skipNotExists)
                    : kind == null ? usage("delete needs -f FILE or KIND NAME...")
                    : commands.delete(kind, rest, namespace, skipNotExists);
            case "get" -> kind == null ? usage("get needs a KIND") : commands.get(kind, rest, namespace, allNamespaces, output);
            case "patch" -> kind == null || rest.size() != 1 || patch == null ? usage("patch needs KIND NAME -p PATCH")
                    : commands.patch(kind, rest.get(0), namespace, patch);
            case "label" -> kind == null || rest.size() != 2 ? usage("label needs KIND NAME key=value (or key --remove)")
                    : commands.label(kind, rest.get(0), namespace, rest.get(1), remove, overwrite);
            case "ipam" -> usage("ipam needs the node's IPAM provider");
            case "node" -> usage("node status needs the datastore");
            default -> usage("unknown command '" + verb + "'");
        };
    }

    /** Runs {@code ipam SUBCOMMAND}; {@code input} is the content of {@code --from-report} (read by the client), or null. */
    public ResourceCommands.Outcome runIpam(IpamCommands commands, String input) {
        if (positional.isEmpty()) {
            return usage("ipam needs a command: show, check, release or configure");
        }
        if (positional.size() > 1) {
            return usage("unexpected argument '" + positional.get(1) + "'");
        }
        String command = positional.get(0);
        return switch (command) {
            case "show" -> ip != null && showBlocks ? usage("ipam show takes --ip or --show-blocks, not both")
                    : ip != null ? commands.showIp(ip) : commands.show(showBlocks);
            case "check" -> output != null
                    ? usage("ipam check -o FILE is written by weftctl or the console; the node returns the report"
                            + " with --show-report")
                    : commands.check(showReport);
            case "release" -> ip != null && fromReport != null ? usage("ipam release takes --ip or --from-report, not both")
                    : ip != null ? commands.release(ip)
                    : fromReport == null ? usage("ipam release needs --ip IP or --from-report FILE")
                    : input == null ? usage("the report's content did not come with the command")
                    : commands.releaseFromReport(input);
            case "configure" -> strictAffinity == null ? usage("ipam configure needs --strictaffinity=true|false")
                    : commands.configureStrictAffinity(strictAffinity);
            default -> usage("unknown ipam command '" + command + "'; use show, check, release or configure");
        };
    }

    /** Runs {@code node SUBCOMMAND}: {@code status [--node NAME] [-o json]}. */
    public ResourceCommands.Outcome runNode(NodeStatusCommands commands) {
        if (positional.isEmpty()) {
            return usage("node needs a command: status");
        }
        if (positional.size() > 1) {
            return usage("unexpected argument '" + positional.get(1) + "'");
        }
        if (!positional.get(0).equals("status")) {
            return usage("unknown node command '" + positional.get(0) + "'; use status");
        }
        return commands.status(node, output);
    }

    private static boolean needInput(String input) {
        return input == null;
    }

    private static ResourceCommands.Outcome missingFile() {
        return usage("this command needs -f FILE (or -f - for standard input)");
    }

    private static ResourceCommands.Outcome usage(String problem) {
        return new ResourceCommands.Outcome(1, "", problem + "\n" + USAGE);
    }
}
