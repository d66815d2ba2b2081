package io.weft.core;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.weft.api.model.NodeNames;
import io.weft.api.datastore.Datastore;
import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.KeyNotFoundException;
import io.weft.api.provider.WeftProvider;
import io.weft.api.status.ComponentStatus;
import io.weft.api.status.Health;
import io.weft.api.status.StatusContributor;

/**
 * Registers this node runtime in whichever datastore is bound, under
 * {@code /weft/runtime/nodes/<node>} on a lease it keeps alive, so the cluster can tell which
 * node runtimes are up. It follows the datastore at runtime: when the datastore provider is
 * swapped, the registration moves to the new store within one bind.
 */
@Component(service = StatusContributor.class, configurationPid = NodeConfig.PID, immediate = true)
@Designate(ocd = NodeConfig.class)
public class NodeRegistration implements StatusContributor {

    static final String KEY_PREFIX = "/weft/runtime/nodes/";
    private static final Logger LOG = LoggerFactory.getLogger(NodeRegistration.class);

    /** The datastore currently bound and what this component did with it. */
    private record Binding(Datastore datastore, String provider, long leaseId, long revision, String error) {
    }

    private final String nodeName;
    private final String version;
    private final Duration ttl;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    /**
     * Written only under this object's monitor (bind, unbind, replaceIfCurrent), so a
     * registration finishing on the scheduler cannot overwrite a bind that happened meanwhile.
     */
    private volatile Binding binding;

    @Activate
    public NodeRegistration(BundleContext context, NodeConfig config) {
        this(NodeNames.resolve(config.nodeName(), System.getenv()), context.getBundle().getVersion().toString(),
                Duration.ofSeconds(Math.max(3, config.registrationTtlSeconds())), Clock.systemUTC());
    }

    NodeRegistration(String nodeName, String version, Duration ttl, Clock clock) {
        this.nodeName = nodeName;
        this.version = version;
        this.ttl = ttl;
        this.clock = clock;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "weft-node-registration");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(1, ttl.toMillis() / 3);
        scheduler.scheduleWithFixedDelay(this::keepAlive, period, period, TimeUnit.MILLISECONDS);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindDatastore(Datastore datastore, Map<String, Object> properties) {
        String provider = String.valueOf(properties.getOrDefault(WeftProvider.PROPERTY, "(unnamed)"));
        binding = new Binding(datastore, provider, Datastore.NO_LEASE, 0, null);
        // register off the DS thread: a remote store may be slow, and binds must be quick
        scheduler.execute(() -> register(datastore));
    }

    synchronized void unbindDatastore(Datastore datastore) {
        Binding current = binding;
        if (current != null && current.datastore() == datastore) {
            binding = null;
            LOG.info("node {}: datastore {} went away; registration pauses until another is bound",
                    nodeName, current.provider());
        }
    }

    @Deactivate
    void deactivate() {
        scheduler.shutdownNow();
        Binding current = binding;
        if (current != null && current.leaseId() != Datastore.NO_LEASE) {
            try {
                current.datastore().revokeLease(current.leaseId());
            } catch (DatastoreException | RuntimeException e) {
                LOG.debug("node {}: could not revoke registration lease: {}", nodeName, e.toString());
            }
        }
    }

    /** The key this node's registration lives under. */
    public String key() {
        return KEY_PREFIX + nodeName;
    }

    private void register(Datastore datastore) {
        Binding current = binding;
        if (current == null || current.datastore() != datastore) {
            return; // swapped again before we got here
        }
        try {
            long lease = datastore.grantLease(ttl);
            long revision = datastore.put(key(), registrationValue(current.provider()), lease).modRevision();
            replaceIfCurrent(datastore, new Binding(datastore, current.provider(), lease, revision, null));
            LOG.info("node {}: registered in datastore {} ({}) at revision {}", nodeName, current.provider(),
                    datastore.describe(), revision);
        } catch (DatastoreException | RuntimeException e) {
            replaceIfCurrent(datastore, new Binding(datastore, current.provider(), Datastore.NO_LEASE, 0, e.getMessage()));
            LOG.warn("node {}: cannot register in datastore {}: {} (retrying)", nodeName, current.provider(),
                    e.getMessage());
        }
    }

    private void keepAlive() {
        Binding current = binding;
        if (current == null) {
            return;
        }
        if (current.leaseId() == Datastore.NO_LEASE) {
            register(current.datastore());
            return;
        }
        try {
            current.datastore().keepAlive(current.leaseId());
        } catch (KeyNotFoundException e) {
            LOG.warn("node {}: registration lease expired (the node runtime was paused longer than {}s); registering again",
                    nodeName, ttl.toSeconds());
            register(current.datastore());
        } catch (DatastoreException | RuntimeException e) {
            LOG.warn("node {}: registration keep-alive failed: {}", nodeName, e.getMessage());
        }
    }

    private synchronized void replaceIfCurrent(Datastore datastore, Binding next) {
        Binding current = binding;
        if (current != null && current.datastore() == datastore) {
            binding = next;
        }
    }

    private byte[] registrationValue(String provider) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("node", nodeName);
        fields.put("version", version);
        fields.put("datastore", provider);
        fields.put("registeredAt", Instant.now(clock).toString());
        StringBuilder text = new StringBuilder();
        fields.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public ComponentStatus status() {
        Binding current = binding;
        if (current == null) {
            return new ComponentStatus("datastore", Health.DOWN,
                    "no datastore provider: install feature weft-datastore-embedded (or weft-datastore-memory)", null);
        }
        Map<String, String> details = new LinkedHashMap<>();
        details.put("provider", current.provider());
        details.put("location", current.datastore().describe());
        details.put("registration", key());
        if (current.error() != null) {
            return new ComponentStatus("datastore", Health.DEGRADED, current.error(), details);
        }
        if (current.leaseId() == Datastore.NO_LEASE) {
            return new ComponentStatus("datastore", Health.DEGRADED, "registering", details);
        }
        details.put("registeredRevision", Long.toString(current.revision()));
        return new ComponentStatus("datastore", Health.UP, current.provider() + " datastore, node registered", details);
    }
}
