package io.weft.shell;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

import io.weft.api.datastore.Datastore;
import io.weft.api.datastore.DatastoreException;
import io.weft.api.provider.WeftProvider;
import io.weft.cli.DatastoreMigration;

/**
 * {@code weft:datastore-migrate --from PROVIDER --to PROVIDER [--overwrite]}: copies the
 * resources from one installed datastore provider to another, e.g. before swapping the embedded
 * store for etcd. Both providers must be installed at once; the node's own consumers keep using
 * whichever they are bound to.
 */
@Service
@Command(scope = "weft", name = "datastore-migrate",
        description = "Copies every resource (/weft/v3/) from one installed datastore provider to another; deletes nothing.")
public class MigrateCommand implements Action {

    private static final Pattern PROVIDER_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    @Reference
    BundleContext bundleContext;

    @Option(name = "--from", required = true, description = "Provider to read, e.g. embedded")
    @Completion(value = StringsCompleter.class, values = {"embedded", "etcd", "memory"})
    String from;

    @Option(name = "--to", required = true, description = "Provider to write, e.g. etcd")
    @Completion(value = StringsCompleter.class, values = {"embedded", "etcd", "memory"})
    String to;

    @Option(name = "--overwrite", description = "Replace keys whose value on the target differs (default: report them as conflicts)")
    boolean overwrite;

    @Override
    public Object execute() throws Exception {
        if (from.equals(to)) {
            System.err.println("--from and --to both name datastore " + from + "; name two different providers");
            return null;
        }
        for (String provider : List.of(from, to)) {
            if (!PROVIDER_NAME.matcher(provider).matches()) {
                System.err.println("'" + provider + "' is not a datastore provider name; use one of " + installed());
                return null;
            }
        }
        ServiceReference<Datastore> source = reference(from);
        ServiceReference<Datastore> target = reference(to);
        if (source == null || target == null) {
            String missing = source == null ? from : to;
            System.err.println("datastore provider " + missing + " is not installed: install feature weft-datastore-"
                    + missing + " first (installed: " + String.join(", ", installed()) + ")");
            return null;
        }
        Datastore sourceStore = bundleContext.getService(source);
        Datastore targetStore = bundleContext.getService(target);
        try {
            if (sourceStore == null || targetStore == null) {
                System.err.println("datastore provider " + (sourceStore == null ? from : to)
                        + " went away or failed to start; see weft:status and log:display");
                return null;
            }
            DatastoreMigration.Result result;
            try {
                result = new DatastoreMigration().migrate(sourceStore, targetStore, overwrite);
            } catch (DatastoreException e) {
                System.err.println("cannot read datastore " + from + " (" + sourceStore.describe() + "): "
                        + e.getMessage() + "; nothing was copied");
                return null;
            }
            System.out.print(result.summary(from, to));
            System.out.print(result.overwrittenLines(to));
            System.err.print(result.problemLines(to));
            return null;
        } finally {
            if (sourceStore != null) {
                bundleContext.ungetService(source);
            }
            if (targetStore != null) {
                bundleContext.ungetService(target);
            }
        }
    }

    /** The best-ranked Datastore service named {@code provider}, or null. */
    private ServiceReference<Datastore> reference(String provider) throws InvalidSyntaxException {
        Collection<ServiceReference<Datastore>> refs = bundleContext.getServiceReferences(Datastore.class,
                "(" + WeftProvider.PROPERTY + "=" + provider + ")");
        ServiceReference<Datastore> best = null;
        for (ServiceReference<Datastore> ref : refs) {
            if (best == null || ref.compareTo(best) > 0) {
                best = ref;
            }
        }
        return best;
    }

    private List<String> installed() throws InvalidSyntaxException {
        TreeSet<String> names = new TreeSet<>();
        for (ServiceReference<Datastore> ref : bundleContext.getServiceReferences(Datastore.class, null)) {
            Object name = ref.getProperty(WeftProvider.PROPERTY);
            if (name != null) {
                names.add(name.toString());
            }
        }
        return names.isEmpty() ? List.of("none") : new ArrayList<>(names);
    }
}
