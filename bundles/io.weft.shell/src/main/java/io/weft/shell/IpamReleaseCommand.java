package io.weft.shell;

import java.io.IOException;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.weft.cli.IpamCommands;
import io.weft.cli.ResourceCommands;

/** {@code weft:ipam-release --ip IP | --from-report REPORT.json}, as {@code calicoctl ipam release}. */
@Service
@Command(scope = "weft", name = "ipam-release",
        description = "Releases one address, or the leaked addresses listed in a weft:ipam-check report.")
public class IpamReleaseCommand extends IpamAction {

    @Option(name = "--ip", description = "The address to release, whoever holds it")
    String ip;

    @Option(name = "--from-report", description = "A report of weft:ipam-check -o (a path on the node); only the"
            + " addresses it lists that are still leaked are released")
    String fromReport;

    @Override
    ResourceCommands.Outcome run(IpamCommands commands) {
        if ((ip == null) == (fromReport == null)) {
            return fail("weft:ipam-release needs --ip IP or --from-report FILE (one of them)");
        }
        if (ip != null) {
            return commands.release(ip);
        }
        try {
            return commands.releaseFromReport(ResourceAction.readFile(fromReport));
        } catch (IOException e) {
            return fail("Failed to read the report: " + e.getMessage());
        }
    }
}
