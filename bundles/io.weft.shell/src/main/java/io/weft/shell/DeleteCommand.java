package io.weft.shell;

import java.util.List;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.weft.cli.ResourceCommands;

/** {@code weft:delete (-f FILE | KIND NAME…)}, as {@code calicoctl delete}. */
@Service
@Command(scope = "weft", name = "delete", description = "Deletes resources named in a file or by kind and name.")
public class DeleteCommand extends ResourceAction {

    @Option(name = "-f", aliases = "--filename", description = "YAML or JSON file with the resources")
    String file;

    @Option(name = "-n", aliases = "--namespace", description = "Namespace of namespaced kinds (default: default)")
    String namespace;

    @Option(name = "--skip-not-exists", description = "Do not fail on resources that do not exist")
    boolean skipNotExists;

    @Argument(index = 0, name = "kind", description = "Resource kind, e.g. ippool")
    String kind;

    @Argument(index = 1, name = "names", multiValued = true, description = "Resource names")
    List<String> names;

    @Override
    ResourceCommands.Outcome run(ResourceCommands commands) throws Exception {
        if (file != null) {
            return commands.deleteFromText(readFile(file), skipNotExists);
        }
        if (kind == null) {
            return new ResourceCommands.Outcome(1, "", "Failed to execute command: give -f FILE or KIND NAME…\n");
        }
        List<String> tokens = new java.util.ArrayList<>(List.of(kind));
        if (names != null) {
            tokens.addAll(names);
        }
        io.weft.cli.CtlCommandLine line = trailing("delete", tokens);
        List<String> positional = line.positional();
        return commands.delete(positional.get(0), positional.subList(1, positional.size()),
                either(line.namespace(), namespace), skipNotExists || line.skipNotExists());
    }
}
