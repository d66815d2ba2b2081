package io.weft.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.weft.api.status.RuntimeStatus;

/** {@code weft:version}, in calicoctl's shape. */
@Service
@Command(scope = "weft", name = "version", description = "Shows the Weft version of the console and of the node runtime.")
public class VersionCommand implements Action {

    @Reference
    RuntimeStatus runtimeStatus;

    @Override
    public Object execute() {
        String consoleVersion = String.valueOf(
                org.osgi.framework.FrameworkUtil.getBundle(VersionCommand.class).getVersion());
        System.out.println("Client Version:    " + consoleVersion);
        System.out.println("Cluster Version:   " + runtimeStatus.report().version());
        System.out.println("Cluster Type:      weft,karaf");
        return null;
    }
}
