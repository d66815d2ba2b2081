package io.weft.shell;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.weft.cli.ResourceCommands;

/** {@code weft:replace -f FILE}, as {@code calicoctl replace}. */
@Service
@Command(scope = "weft", name = "replace", description = "Replaces existing resources from a YAML or JSON file.")
public class ReplaceCommand extends ResourceAction {

    @Option(name = "-f", aliases = "--filename", required = true, description = "YAML or JSON file with the resources")
    String file;

    @Override
    ResourceCommands.Outcome run(ResourceCommands commands) throws Exception {
        return commands.replace(readFile(file));
    }
}
