package io.weft.shell;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.weft.cli.ResourceCommands;

/** {@code weft:create -f FILE}, as {@code calicoctl create}. */
@Service
@Command(scope = "weft", name = "create", description = "Creates resources from a YAML or JSON file (fails if one exists).")
public class CreateCommand extends ResourceAction {

    @Option(name = "-f", aliases = "--filename", required = true, description = "YAML or JSON file with the resources")
    String file;

    @Option(name = "--skip-exists", description = "Skip resources that already exist")
    boolean skipExists;

    @Override
    ResourceCommands.Outcome run(ResourceCommands commands) throws Exception {
        return commands.create(readFile(file), skipExists);
    }
}
