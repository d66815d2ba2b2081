package io.weft.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import io.weft.api.datastore.Datastore;
import io.weft.cli.NodeStatusCommands;
import io.weft.cli.ResourceCommands;

/**
 * {@code weft:node-status [--node NAME] [-o json]}, as {@code calicoctl node status}: a node's BGP
 * sessions (this node's by default) from the status its BGP speaker publishes in the datastore.
 */
@Service
@Command(scope = "weft", name = "node-status",
        description = "Shows a node's BGP peers (address, type, state, since, info) as calicoctl node status does.")
public class NodeStatusCommand implements Action {

    /**
     * Finds the datastore when the command runs, not as a tracked {@code @Reference}: Karaf
     * re-registers a command whenever a service it references changes (see {@link StatusCommand}).
     */
    @Reference
    BundleContext bundleContext;

    @Option(name = "--node", description = "The node whose BGP status to show (default: this node)")
    String node;

    @Option(name = "-o", aliases = "--output", description = "json: the status as JSON, with prefix counts")
    String output;

    ResourceCommands.Outcome run(Datastore datastore) {
        return new NodeStatusCommands(datastore).status(node, output);
    }

    @Override
    public Object execute() {
        ServiceReference<Datastore> ref = bundleContext.getServiceReference(Datastore.class);
        Datastore datastore = ref == null ? null : bundleContext.getService(ref);
        try {
            ResourceCommands.Outcome outcome = run(datastore);
            System.out.print(outcome.out());
            System.err.print(outcome.err());
        } finally {
            if (datastore != null) {
                bundleContext.ungetService(ref);
            }
        }
        return null;
    }
}
