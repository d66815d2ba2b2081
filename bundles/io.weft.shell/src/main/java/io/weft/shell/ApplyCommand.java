package io.weft.shell;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.weft.cli.ResourceCommands;

/** {@code weft:apply -f FILE}, as {@code calicoctl apply}. */
@Service
@Command(scope = "weft", name = "apply", description = "Creates or replaces resources from a YAML or JSON file.")
public class ApplyCommand extends ResourceAction {

    @Option(name = "-f", aliases = "--filename", required = true, description = "YAML or JSON file with the resources")
    String file;

    @Override
    ResourceCommands.Outcome run(ResourceCommands commands) throws Exception {
        return commands.apply(readFile(file));
    }
}
