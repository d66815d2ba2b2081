package io.weft.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.weft.api.status.RuntimeStatus;

/** {@code weft:status}: which provider is live for each SPI, and each component's health. */
@Service
@Command(scope = "weft", name = "status", description = "Shows the active provider of every Weft SPI and component health.")
public class StatusCommand implements Action {

    @Reference
    RuntimeStatus runtimeStatus;

    @Option(name = "-v", aliases = "--verbose", description = "Show each component's details too")
    boolean verbose;

    @Override
    public Object execute() {
        System.out.print(StatusFormatter.format(runtimeStatus.report(), verbose));
        return null;
    }
}
