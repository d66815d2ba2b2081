package io.weft.shell;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;

import io.weft.cli.IpamCommands;
import io.weft.cli.ResourceCommands;

/** {@code weft:ipam-configure --strictaffinity=true|false}, as {@code calicoctl ipam configure}. */
@Service
@Command(scope = "weft", name = "ipam-configure",
        description = "Sets strictAffinity of the IPAMConfig default (never borrow addresses from other nodes' blocks).")
public class IpamConfigureCommand extends IpamAction {

    @Option(name = "--strictaffinity", required = true, description = "true or false")
    @Completion(value = StringsCompleter.class, values = {"true", "false"})
    String strictAffinity;

    @Override
    ResourceCommands.Outcome run(IpamCommands commands) {
        return commands.configureStrictAffinity(strictAffinity);
    }
}
