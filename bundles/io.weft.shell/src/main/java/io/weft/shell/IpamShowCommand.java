package io.weft.shell;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.weft.cli.IpamCommands;
import io.weft.cli.ResourceCommands;

/** {@code weft:ipam-show [--show-blocks] [--ip IP]}, as {@code calicoctl ipam show}. */
@Service
@Command(scope = "weft", name = "ipam-show",
        description = "Shows IP usage per pool (and per block), or whether one address is in use.")
public class IpamShowCommand extends IpamAction {

    @Option(name = "--show-blocks", description = "Add a row for every block")
    boolean showBlocks;

    @Option(name = "--ip", description = "Report whether this address is in use, and by whom")
    String ip;

    @Override
    ResourceCommands.Outcome run(IpamCommands commands) {
        if (ip != null && showBlocks) {
            return fail("weft:ipam-show takes --ip or --show-blocks, not both");
        }
        return ip != null ? commands.showIp(ip) : commands.show(showBlocks);
    }
}
