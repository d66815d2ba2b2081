package io.weft.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * weftctl's command line, parsed as calicoctl parses its own:
 * {@code VERB [KIND] [NAME…] [-f FILE] [-o FORMAT] [-n NS] [-A] [-p PATCH] [--skip-exists]
 * [--skip-not-exists] [--overwrite] [--remove]}. The file itself is read by the client (it names
 * a path on the client's machine) and travels as {@code input}.
 */
public record CtlCommandLine(String verb, List<String> positional, String file, String output, String namespace,
        boolean allNamespaces, String patch, boolean skipExists, boolean skipNotExists, boolean overwrite,
        boolean remove) {

    public static final String USAGE = """
            Usage:
              weftctl create    -f FILE [--skip-exists]
              weftctl apply     -f FILE
              weftctl replace   -f FILE
              weftctl delete    (-f FILE | KIND NAME...) [-n NS] [--skip-not-exists]
              weftctl get       KIND [NAME...] [-o ps|wide|yaml|json] [-n NS | -A]
              weftctl patch     KIND NAME -p PATCH [-n NS]
              weftctl label     KIND NAME key=value [--overwrite] | key --remove
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
                default -> {
                    if (a.startsWith("--filename=")) {
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
                overwrite, remove);
    }

    private static String value(List<String> args, int i, String flag) {
        if (i >= args.size()) {
            throw new IllegalArgumentException("flag " + flag + " needs a value");
        }
        return args.get(i);
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
            default -> usage("unknown command '" + verb + "'");
        };
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
