package io.weft.shell;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.weft.cli.ResourceCommands;

/** {@code weft:label KIND NAME key=value [--overwrite] | key --remove}, as {@code calicoctl label}. */
@Service
@Command(scope = "weft", name = "label", description = "Sets or removes a label on a resource.")
public class LabelCommand extends ResourceAction {

    @Option(name = "--overwrite", description = "Replace the value of an existing label")
    boolean overwrite;

    @Option(name = "--remove", description = "Remove the label instead of setting it")
    boolean remove;

    @Option(name = "-n", aliases = "--namespace", description = "Namespace of namespaced kinds (default: default)")
    String namespace;

    @Argument(index = 0, name = "kind", required = true, description = "Resource kind")
    String kind;

    @Argument(index = 1, name = "name", required = true, description = "Resource name")
    String name;

    @Argument(index = 2, name = "label", required = true, description = "key=value, or key with --remove")
    String label;

    @Argument(index = 3, name = "options", multiValued = true, description = "--overwrite / --remove / -n NS may also follow")
    java.util.List<String> rest;

    @Override
    ResourceCommands.Outcome run(ResourceCommands commands) {
        io.weft.cli.CtlCommandLine line = trailing("label", rest == null ? java.util.List.of() : rest);
        return commands.label(kind, name, either(line.namespace(), namespace), label, remove || line.remove(),
                overwrite || line.overwrite());
    }
}
