package io.weft.shell;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.weft.cli.IpamCommands;
import io.weft.cli.ResourceCommands;

/** {@code weft:ipam-check [-o REPORT.json]}, as {@code calicoctl ipam check}. */
@Service
@Command(scope = "weft", name = "ipam-check",
        description = "Checks the IPAM data (blocks, handles, affinities) for leaks and inconsistencies.")
public class IpamCheckCommand extends IpamAction {

    @Option(name = "-o", aliases = "--output", description = "Also write a JSON report here (a path on the node),"
            + " for weft:ipam-release --from-report")
    String output;

    @Override
    ResourceCommands.Outcome run(IpamCommands commands) {
        ResourceCommands.Outcome checked = commands.check(output != null);
        if (output == null || checked.exitCode() != 0) {
            return checked;
        }
        // with a report the JSON is the outcome's stdout and the findings its stderr
        try {
            Files.writeString(Path.of(output), checked.out(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return new ResourceCommands.Outcome(1, checked.err(), "cannot write the report to " + output + ": " + e + "\n");
        }
        return new ResourceCommands.Outcome(0, checked.err() + "Report written to " + output + "\n", "");
    }
}
