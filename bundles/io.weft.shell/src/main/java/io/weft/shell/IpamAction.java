package io.weft.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.lifecycle.Reference;

import io.weft.api.ipam.IpamService;
import io.weft.api.resource.ResourceStore;
import io.weft.cli.IpamCommands;
import io.weft.cli.ResourceCommands;

/** Shared by the ipam commands: the services they need and how an outcome is printed. */
abstract class IpamAction implements Action {

    @Reference(optional = true)
    ResourceStore store;

    @Reference(optional = true)
    IpamService ipam;

    @Override
    public Object execute() throws Exception {
        if (store == null) {
            System.err.println("IPAM administration needs a resource store: install feature weft-core and a datastore"
                    + " (see weft:status)");
            return null;
        }
        ResourceCommands.Outcome outcome = IpamCommands.run(store, ipam, this::run);
        System.out.print(outcome.out());
        System.err.print(outcome.err());
        return null;
    }

    abstract ResourceCommands.Outcome run(IpamCommands commands);

    static ResourceCommands.Outcome fail(String message) {
        return new ResourceCommands.Outcome(1, "", message + "\n");
    }
}
