package io.weft.core;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

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

import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.KeyExistsException;
import io.weft.api.model.BGPConfiguration;
import io.weft.api.model.BGPConfigurationSpec;
import io.weft.api.model.EncapsulationMode;
import io.weft.api.model.IPPool;
import io.weft.api.model.IPPoolSpec;
import io.weft.api.model.ObjectMeta;
import io.weft.api.model.ResourceKind;
import io.weft.api.resource.InvalidResourceException;
import io.weft.api.resource.ResourceStore;

/**
 * On the first start of a cluster (no IP pool, no default BGPConfiguration), creates the
 * default IPv4 pool and BGP configuration, as calico/node does from its environment. Every node
 * may try; creation is compare-and-swap, so exactly one wins and the others see it exists.
 */
@Component(configurationPid = BootstrapConfig.PID, immediate = true)
@Designate(ocd = BootstrapConfig.class)
public class FirstStartBootstrap {

    static final String DEFAULT_POOL = "default-ipv4-ippool";
    private static final Logger LOG = LoggerFactory.getLogger(FirstStartBootstrap.class);

    private final BootstrapConfig config;
    private final Map<String, String> env;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "weft-first-start");
        t.setDaemon(true);
        return t;
    });
    private volatile ResourceStore store;

    @Activate
    public FirstStartBootstrap(BootstrapConfig config) {
        this(config, System.getenv());
    }

    FirstStartBootstrap(BootstrapConfig config, Map<String, String> env) {
        this.config = config;
        this.env = env;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindStore(ResourceStore s) {
        store = s;
        retries.execute(() -> attempt(s, 1));
    }

    void unbindStore(ResourceStore s) {
        if (store == s) {
            store = null;
        }
    }

    @Deactivate
    void deactivate() {
        retries.shutdownNow();
    }

    private void attempt(ResourceStore s, int attempt) {
        if (store != s) {
            return; // swapped meanwhile; the new binding tries itself
        }
        try {
            ensureDefaults(s);
        } catch (DatastoreException | RuntimeException e) {
            long delay = Math.min(30, 1L << Math.min(attempt, 5));
            LOG.warn("first-start defaults not written yet ({}); retrying in {} s", e.getMessage(), delay);
            retries.schedule(() -> attempt(s, attempt + 1), delay, TimeUnit.SECONDS);
        } catch (InvalidResourceException e) {
            // the configuration itself is wrong: retrying cannot help
            LOG.error("the default IP pool settings are invalid, nothing created: {} "
                    + "(fix CALICO_IPV4POOL_* or etc/io.weft.bootstrap.cfg and restart)", e.getMessage());
        }
    }

    /** Creates what is missing; returns what it created, for logs and tests. */
    List<String> ensureDefaults(ResourceStore s) throws DatastoreException, InvalidResourceException {
        java.util.ArrayList<String> created = new java.util.ArrayList<>();
        boolean pools = !"true".equalsIgnoreCase(env.getOrDefault("NO_DEFAULT_POOLS", "false"))
                && config.createDefaultPools();
        if (pools && s.list(ResourceKind.IP_POOL, null).isEmpty()) {
            IPPool pool = defaultPool();
            try {
                s.create(pool);
                created.add("IPPool " + DEFAULT_POOL + " " + pool.spec().cidr());
                LOG.info("created the default IP pool {}: {} blockSize {} ipipMode {} vxlanMode {} natOutgoing {}",
                        DEFAULT_POOL, pool.spec().cidr(), pool.spec().blockSize(), pool.spec().ipipMode().wireName(),
                        pool.spec().vxlanMode().wireName(), pool.spec().natOutgoing());
            } catch (KeyExistsException e) {
                // another node created it first
            }
        }
        if (s.get(ResourceKind.BGP_CONFIGURATION, null, "default").isEmpty()) {
            BGPConfiguration bgp = new BGPConfiguration(ObjectMeta.named("default"), new BGPConfigurationSpec(
                    "Info", true, config.asNumber(), null, null, null, null, null, null, null, null, null));
            try {
                s.create(bgp);
                created.add("BGPConfiguration default");
                LOG.info("created the default BGP configuration: AS {}, node-to-node mesh on", config.asNumber());
            } catch (KeyExistsException e) {
                // another node created it first
            }
        }
        return created;
    }

    IPPool defaultPool() throws InvalidResourceException {
        String cidr = env.getOrDefault("CALICO_IPV4POOL_CIDR", config.ipv4PoolCidr());
        int blockSize = config.ipv4PoolBlockSize();
        String blockEnv = env.get("CALICO_IPV4POOL_BLOCK_SIZE");
        if (blockEnv != null && !blockEnv.isBlank()) {
            try {
                blockSize = Integer.parseInt(blockEnv.trim());
            } catch (NumberFormatException e) {
                throw new InvalidResourceException(List.of("CALICO_IPV4POOL_BLOCK_SIZE '" + blockEnv
                        + "' is not a number; use 20-32"));
            }
        }
        EncapsulationMode ipip = mode("CALICO_IPV4POOL_IPIP", config.ipv4PoolIpip());
        EncapsulationMode vxlan = mode("CALICO_IPV4POOL_VXLAN", config.ipv4PoolVxlan());
        if (vxlan != EncapsulationMode.NEVER && env.get("CALICO_IPV4POOL_IPIP") == null) {
            ipip = EncapsulationMode.NEVER; // asking for VXLAN alone means "not IPIP", as calico/node reads it
        }
        boolean nat = Boolean.parseBoolean(env.getOrDefault("CALICO_IPV4POOL_NAT_OUTGOING",
                Boolean.toString(config.ipv4PoolNatOutgoing())).trim());
        return new IPPool(ObjectMeta.named(DEFAULT_POOL), new IPPoolSpec(cidr.trim(), blockSize, ipip, vxlan, nat,
                false, false, "all()", null, null));
    }

    private EncapsulationMode mode(String variable, String configured) throws InvalidResourceException {
        String value = env.getOrDefault(variable, configured).trim();
        // calico/node accepts "Off" and "Disabled" for Never
        if (value.equalsIgnoreCase("off") || value.equalsIgnoreCase("disabled") || value.isEmpty()) {
            return EncapsulationMode.NEVER;
        }
        for (EncapsulationMode m : EncapsulationMode.values()) {
            if (m.wireName().equalsIgnoreCase(value)) {
                return m;
            }
        }
        throw new InvalidResourceException(List.of(variable + " '" + value + "' is not a mode; use Always, CrossSubnet or Never"));
    }
}
