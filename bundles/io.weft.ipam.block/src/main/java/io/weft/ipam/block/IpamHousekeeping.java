package io.weft.ipam.block;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.Watch;
import io.weft.api.ipam.IpamException;
import io.weft.api.model.Node;
import io.weft.api.model.ResourceKind;
import io.weft.api.resource.ResourceListener;
import io.weft.api.resource.ResourceStore;

/**
 * Keeps the block pool tidy while the node runs: every {@code intervalSeconds} it releases
 * blocks that have stayed empty for {@code emptyBlockGraceSeconds}, and when a Node resource is
 * deleted it releases that node's empty blocks and affinities at once. Every node may run it:
 * each release is compare-and-swap, so two nodes doing the same release cannot both succeed,
 * and an allocation racing with it wins.
 */
@Component(configurationPid = IpamHousekeeping.PID, immediate = true)
@Designate(ocd = IpamHousekeeping.Config.class)
public class IpamHousekeeping {

    static final String PID = "io.weft.ipam.block";
    private static final Logger LOG = LoggerFactory.getLogger(IpamHousekeeping.class);

    @ObjectClassDefinition(name = "Weft block IPAM housekeeping",
            description = "Release of empty blocks and of deleted nodes' blocks.")
    public @interface Config {
        @AttributeDefinition(name = "Empty block grace (seconds)",
                description = "How long a node's block must stay empty before it goes back to the pool"
                        + " (Calico's 15 minutes by default); 0 releases at the next pass.")
        long emptyBlockGraceSeconds() default 900;

        @AttributeDefinition(name = "Pass interval (seconds)", description = "How often to look for empty blocks.")
        long intervalSeconds() default 60;
    }

    private final BlockIpam ipam = new BlockIpam();
    private final Duration grace;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "weft-ipam-housekeeping");
        t.setDaemon(true);
        return t;
    });
    private Watch nodeWatch;
    private ResourceStore watched;

    @Activate
    public IpamHousekeeping(Config config) {
        this.grace = Duration.ofSeconds(Math.max(0, config.emptyBlockGraceSeconds()));
        long interval = Math.max(1, config.intervalSeconds());
        scheduler.scheduleWithFixedDelay(this::pass, interval, interval, TimeUnit.SECONDS);
    }

    /** For plain Java use and tests: a fixed store, passes run by the caller. */
    IpamHousekeeping(ResourceStore store, Duration grace) {
        this.grace = grace;
        bindStore(store);
    }

    @Reference(policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindStore(ResourceStore store) {
        ipam.store = store;
        watchNodes(store);
    }

    synchronized void unbindStore(ResourceStore store) {
        if (watched == store) {
            closeWatch();
            ipam.store = null;
        }
    }

    /** One pass: releases the blocks that have been empty long enough. */
    List<io.weft.api.net.Cidr> pass() {
        try {
            return ipam.releaseEmptyBlocks(grace);
        } catch (IpamException | RuntimeException e) {
            LOG.warn("empty-block release pass failed: {}", e.getMessage());
            return List.of();
        }
    }

    private void watchNodes(ResourceStore store) {
        closeWatch();
        watched = store;
        try {
            nodeWatch = store.watch(ResourceKind.NODE, new ResourceListener<Node>() {
                @Override
                public void onSnapshot(List<Node> resources, long revision) {
                    // nodes deleted while nobody watched: their empty blocks go at the grace passes
                }

                @Override
                public void onUpdated(Node resource) {
                }

                @Override
                public void onDeleted(String namespace, String name, Node last) {
                    scheduler.execute(() -> nodeDeleted(name));
                }
            });
        } catch (DatastoreException | RuntimeException e) {
            LOG.warn("cannot watch Node resources ({}); deleted nodes' blocks are released only when empty for"
                    + " the grace period", e.getMessage());
        }
    }

    BlockReleaser.NodeRelease nodeDeleted(String node) {
        try {
            return ipam.releaseNodeBlocks(node);
        } catch (IpamException | RuntimeException e) {
            LOG.warn("releasing the blocks of deleted node {} failed: {}; the grace passes and ipam check will"
                    + " find them", node, e.getMessage());
            return null;
        }
    }

    private void closeWatch() {
        if (nodeWatch != null) {
            nodeWatch.close();
            nodeWatch = null;
        }
    }

    @Deactivate
    synchronized void deactivate() {
        closeWatch();
        scheduler.shutdownNow();
        ipam.close();
    }
}
