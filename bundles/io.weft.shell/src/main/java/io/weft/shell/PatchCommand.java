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

    @Option(name = "-p", aliases = "--patch", required = true, description = "JSON merge patch, e.g. {\"spec\":{\"natOutgoing\":true}}")
    String patch;

    @Option(name = "-n", aliases = "--namespace", description = "Namespace of namespaced kinds (default: default)")
    String namespace;

    @Argument(index = 0, name = "kind", required = true, description = "Resource kind")
    String kind;

    @Argument(index = 1, name = "name", required = true, description = "Resource name")
    String name;

    @Override
    ResourceCommands.Outcome run(ResourceCommands commands) {
        return commands.patch(kind, name, namespace, patch);
    }
}
