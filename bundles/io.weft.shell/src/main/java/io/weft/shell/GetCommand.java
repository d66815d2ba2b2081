package io.weft.shell;

import java.util.List;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.weft.cli.ResourceCommands;

/** {@code weft:get KIND [NAME…] [-o ps|wide|yaml|json]}, as {@code calicoctl get}. */
@Service
@Command(scope = "weft", name = "get", description = "Shows resources, in calicoctl's formats.")
public class GetCommand extends ResourceAction {

    @Option(name = "-o", aliases = "--output", description = "ps (default), wide, yaml or json")
    String output = "ps";

    @Option(name = "-n", aliases = "--namespace", description = "Namespace of namespaced kinds (default: default)")
    String namespace;

    @Option(name = "-A", aliases = "--all-namespaces", description = "All namespaces")
    boolean allNamespaces;

    @Argument(index = 0, name = "kind", required = true, description = "Resource kind, e.g. ippool, node, bgpconfig")
    String kind;

    @Argument(index = 1, name = "names", multiValued = true, description = "Resource names (default: all)")
    List<String> names;

    @Override
    ResourceCommands.Outcome run(ResourceCommands commands) {
        List<String> tokens = new java.util.ArrayList<>(List.of(kind));
        if (names != null) {
            tokens.addAll(names);
        }
        io.weft.cli.CtlCommandLine line = trailing("get", tokens);
        List<String> positional = line.positional();
        return commands.get(positional.get(0), positional.subList(1, positional.size()), either(line.namespace(), namespace),
                allNamespaces || line.allNamespaces(), either(line.output(), output));
    }
}
