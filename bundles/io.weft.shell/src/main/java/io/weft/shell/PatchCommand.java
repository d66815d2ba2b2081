package io.weft.shell;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.weft.cli.ResourceCommands;

/** {@code weft:patch KIND NAME -p JSON}, as {@code calicoctl patch}. */
@Service
@Command(scope = "weft", name = "patch", description = "Patches a resource with a JSON merge patch.")
public class PatchCommand extends ResourceAction {

    @Option(name = "-p", aliases = "--patch", description = "JSON merge patch, e.g. {\"spec\":{\"natOutgoing\":true}}")
    String patch;

    @Option(name = "-n", aliases = "--namespace", description = "Namespace of namespaced kinds (default: default)")
    String namespace;

    @Argument(index = 0, name = "kind", required = true, description = "Resource kind")
    String kind;

    @Argument(index = 1, name = "name", required = true, description = "Resource name")
    String name;

    @Argument(index = 2, name = "options", multiValued = true, description = "-p PATCH / -n NS may also follow")
    java.util.List<String> rest;

    @Override
    ResourceCommands.Outcome run(ResourceCommands commands) {
        java.util.List<String> tokens = new java.util.ArrayList<>(java.util.List.of(kind, name));
        if (rest != null) {
            tokens.addAll(rest);
        }
        io.weft.cli.CtlCommandLine line = trailing("patch", tokens);
        String p = either(line.patch(), patch);
        if (p == null) {
            return new ResourceCommands.Outcome(1, "", "Failed to execute command: patch needs -p PATCH\n");
        }
        return commands.patch(kind, name, either(line.namespace(), namespace), p);
    }
}
