package io.weft.shell;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import io.weft.api.datastore.Datastore;
import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.KeyValue;
import io.weft.api.status.AgentNodeStatus;
import io.weft.api.status.RuntimeStatus;

/**
 * {@code weft:status}: which provider is live for each SPI, each component's health, and every
 * node agent's status as published in the datastore.
 */
@Service
@Command(scope = "weft", name = "status", description = "Shows the active provider of every Weft SPI and component health.")
public class StatusCommand implements Action {

    @Reference
    RuntimeStatus runtimeStatus;

    /**
     * Finds the datastore the node agents publish to when the command runs. Not a tracked
     * {@code @Reference}: Karaf re-registers a command whenever a service it references changes,
     * so during a datastore hot swap {@code weft:status} itself would vanish for a moment.
     */
    @Reference
    BundleContext bundleContext;

    @Option(name = "-v", aliases = "--verbose", description = "Show each component's details too")
    boolean verbose;

    /** Every node agent's published status; a value that cannot be read is named, not skipped silently. */
    String agents(Datastore from) {
        List<AgentNodeStatus> agents = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        try {
            for (KeyValue kv : from.list(AgentNodeStatus.KEY_PREFIX).entries()) {
                try {
                    agents.add(AgentNodeStatus.decode(kv.value()));
                } catch (IllegalArgumentException e) {
                    unreadable.add(kv.key() + ": cannot be read: " + e.getMessage());
                }
            }
        } catch (DatastoreException e) {
            return "\nNode agents: cannot list " + AgentNodeStatus.KEY_PREFIX + ": " + e.getMessage() + "\n";
        }
        return StatusFormatter.formatAgents(agents, unreadable, Instant.now(), verbose);
    }

    @Override
    public Object execute() {
        System.out.print(StatusFormatter.format(runtimeStatus.report(), verbose));
        ServiceReference<Datastore> ref = bundleContext.getServiceReference(Datastore.class);
        Datastore datastore = ref == null ? null : bundleContext.getService(ref);
        if (datastore != null) {
            try {
                System.out.print(agents(datastore));
            } finally {
                bundleContext.ungetService(ref);
            }
        }
        return null;
    }
}
