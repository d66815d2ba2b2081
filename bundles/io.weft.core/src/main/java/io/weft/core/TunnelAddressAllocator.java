package io.weft.core;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.weft.api.model.NodeNames;
import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.KeyNotFoundException;
import io.weft.api.datastore.RevisionConflictException;
import io.weft.api.datastore.Watch;
import io.weft.api.ipam.AssignRequest;
import io.weft.api.ipam.IntendedUse;
import io.weft.api.ipam.IpamException;
import io.weft.api.ipam.IpamService;
import io.weft.api.model.AllowedUse;
import io.weft.api.model.EncapsulationMode;
import io.weft.api.model.IPPool;
import io.weft.api.model.LabelSelector;
import io.weft.api.model.Node;
import io.weft.api.model.NodeBGPSpec;
import io.weft.api.model.NodeSpec;
import io.weft.api.model.Resource;
import io.weft.api.model.ResourceKind;
import io.weft.api.net.Cidr;
import io.weft.api.resource.InvalidResourceException;
import io.weft.api.resource.ResourceListener;
import io.weft.api.resource.ResourceStore;

/**
 * Gives this node its tunnel addresses, as calico/node does at start and whenever pools change:
 * for each encapsulation (VXLAN, IPIP), if an enabled IPv4 pool with that mode other than
 * {@code Never} selects this node, the node gets one address from such a pool, allocated with
 * intended use {@code Tunnel} under handle {@code vxlan-tunnel-addr-<node>} /
 * {@code ipip-tunnel-addr-<node>} and written to its Node resource
 * ({@code spec.ipv4VXLANTunnelAddr}, {@code spec.bgp.ipv4IPIPTunnelAddr}); when no pool needs
 * it any more the address is released and the field cleared.
 *
 * <p>It lives in core, beside the node's identity, and works with whichever {@link IpamService}
 * is bound (block or host-local). It acts once the Node resource exists, and again on every
 * change of an IPPool or of this node (labels decide which pools select it).
 */
@Component(configurationPid = NodeConfig.PID, immediate = true)
public class TunnelAddressAllocator {

    private static final Logger LOG = LoggerFactory.getLogger(TunnelAddressAllocator.class);

    /** The two encapsulations that need a node address, with Calico's handle and attribute names. */
    enum Tunnel {
        VXLAN("vxlan-tunnel-addr-", "vxlanTunnelAddress"),
        IPIP("ipip-tunnel-addr-", "ipipTunnelAddress");

        final String handlePrefix;
        final String type;

        Tunnel(String handlePrefix, String type) {
            this.handlePrefix = handlePrefix;
            this.type = type;
        }

        EncapsulationMode mode(IPPool pool) {
            return this == VXLAN ? pool.spec().effectiveVxlanMode() : pool.spec().effectiveIpipMode();
        }

        String address(NodeSpec spec) {
            return this == VXLAN ? spec.ipv4VXLANTunnelAddr() : spec.bgp() == null ? null : spec.bgp().ipv4IPIPTunnelAddr();
        }

        NodeSpec withAddress(NodeSpec spec, String address) {
            if (this == VXLAN) {
                return spec.withIpv4VXLANTunnelAddr(address);
            }
            NodeBGPSpec bgp = (spec.bgp() != null ? spec.bgp() : new NodeBGPSpec(null, null, null, null, null))
                    .withIpv4IPIPTunnelAddr(address);
            // a bgp section that only carried the tunnel address goes with it (an empty one is invalid)
            boolean empty = bgp.asNumber() == null && bgp.ipv4Address() == null && bgp.ipv6Address() == null
                    && bgp.ipv4IPIPTunnelAddr() == null && bgp.routeReflectorClusterID() == null;
            return spec.withBgp(empty ? null : bgp);
        }
    }

    private final String nodeName;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "weft-tunnel-addresses");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean queued = new AtomicBoolean();
    private final List<Watch> watches = new ArrayList<>();
    private volatile ResourceStore store;
    private volatile IpamService ipam;

    @Activate
    public TunnelAddressAllocator(NodeConfig config) {
        this(NodeNames.resolve(config.nodeName(), System.getenv()));
    }

    /** For plain Java use and tests; bind a store and an IPAM service, or call {@link #reconcile}. */
    public TunnelAddressAllocator(String nodeName) {
        this.nodeName = nodeName;
    }

    @Reference(policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    public synchronized void bindStore(ResourceStore store) {
        this.store = store;
        closeWatches();
        try {
            watches.add(store.watch(ResourceKind.IP_POOL, trigger()));
            watches.add(store.watch(ResourceKind.NODE, trigger()));
        } catch (DatastoreException | RuntimeException e) {
            LOG.warn("cannot watch IP pools and nodes ({}); tunnel addresses follow pool changes only on restart",
                    e.getMessage());
            schedule();
        }
    }

    public synchronized void unbindStore(ResourceStore store) {
        if (this.store == store) {
            closeWatches();
            this.store = null;
        }
    }

    @Reference(policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    public void bindIpam(IpamService ipam) {
        this.ipam = ipam;
        schedule();
    }

    public void unbindIpam(IpamService ipam) {
        if (this.ipam == ipam) {
            this.ipam = null;
        }
    }

    private <R extends Resource> ResourceListener<R> trigger() {
        return new ResourceListener<>() {
            @Override
            public void onSnapshot(List<R> resources, long revision) {
                schedule();
            }

            @Override
            public void onUpdated(R resource) {
                if (!(resource instanceof Node n) || nodeName.equals(n.metadata().name())) {
                    schedule();
                }
            }

            @Override
            public void onDeleted(String namespace, String name, R last) {
                if (last == null || last instanceof IPPool) {
                    schedule();
                }
            }
        };
    }

    /** Coalesces bursts of changes into one reconcile on the worker thread. */
    private void schedule() {
        if (queued.compareAndSet(false, true)) {
            try {
                worker.execute(() -> {
                    queued.set(false);
                    ResourceStore s = store;
                    IpamService i = ipam;
                    if (s != null && i != null) {
                        try {
                            reconcile(s, i);
                        } catch (IpamException | DatastoreException | InvalidResourceException | RuntimeException e) {
                            LOG.warn("node {}: tunnel addresses not up to date: {}", nodeName, e.getMessage());
                        }
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                queued.set(false); // deactivated
            }
        }
    }

    /**
     * Brings this node's tunnel addresses in line with the pools now. Returns the Node as
     * written, or empty when the node has no Node resource yet.
     */
    public Optional<Node> reconcile(ResourceStore store, IpamService ipam)
            throws IpamException, DatastoreException, InvalidResourceException {
        Optional<Node> found = store.get(ResourceKind.NODE, null, nodeName);
        if (found.isEmpty()) {
            LOG.debug("node {} has no Node resource yet: no tunnel addresses", nodeName);
            return Optional.empty();
        }
        List<IPPool> pools = store.list(ResourceKind.IP_POOL, null);
        Node node = found.get();
        for (Tunnel tunnel : Tunnel.values()) {
            node = reconcile(store, ipam, tunnel, node, pools);
        }
        return Optional.of(node);
    }

    private Node reconcile(ResourceStore store, IpamService ipam, Tunnel tunnel, Node node, List<IPPool> pools)
            throws IpamException, DatastoreException, InvalidResourceException {
        String handle = tunnel.handlePrefix + nodeName;
        List<Cidr> wanted = new ArrayList<>();
        for (IPPool p : pools) {
            Cidr cidr;
            try {
                cidr = p.spec().parsedCidr();
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (cidr.isIpv4() && !p.spec().disabled() && tunnel.mode(p) != EncapsulationMode.NEVER
                    && p.spec().effectiveAllowedUses().contains(AllowedUse.TUNNEL)
                    && LabelSelector.matches(p.spec().effectiveNodeSelector(), node.metadata().labels())) {
                wanted.add(cidr);
            }
        }
        String recorded = tunnel.address(node.spec());
        List<InetAddress> held = ipam.addressesOf(handle);
        if (wanted.isEmpty()) {
            if (!held.isEmpty()) {
                ipam.releaseHandle(handle);
                LOG.info("node {}: released {} tunnel address {}: no pool needs it", nodeName, tunnel, held);
            }
            return recorded == null ? node : write(store, tunnel, null);
        }
        Optional<InetAddress> keep = held.stream().filter(a -> wanted.stream().anyMatch(c -> c.contains(a)))
                .findFirst();
        if (keep.isPresent() && held.size() == 1) {
            String address = Cidr.format(keep.get());
            return address.equals(recorded) ? node : write(store, tunnel, address);
        }
        if (!held.isEmpty()) {
            // in a pool that no longer does this encapsulation for this node: trade it in
            ipam.releaseHandle(handle);
        }
        InetAddress address = ipam.assign(new AssignRequest(handle, nodeName, 1, 0, wanted, List.of(),
                IntendedUse.TUNNEL, Map.of("node", nodeName, "type", tunnel.type))).ipv4().get(0);
        LOG.info("node {}: {} tunnel address {}", nodeName, tunnel, Cidr.format(address));
        return write(store, tunnel, Cidr.format(address));
    }

    /** Sets (or with null clears) the address on the current Node, retrying lost races with other writers. */
    private Node write(ResourceStore store, Tunnel tunnel, String address)
            throws DatastoreException, InvalidResourceException {
        for (int attempt = 0; ; attempt++) {
            Node current = store.get(ResourceKind.NODE, null, nodeName).orElseThrow(() -> new KeyNotFoundException(
                    nodeName, "Node \"" + nodeName + "\" was deleted while its tunnel address was being set"));
            try {
                return store.update(new Node(current.metadata(), tunnel.withAddress(current.spec(), address),
                        current.status()));
            } catch (RevisionConflictException e) {
                if (attempt >= 10) {
                    throw e;
                }
            }
        }
    }

    private void closeWatches() {
        watches.forEach(Watch::close);
        watches.clear();
    }

    @Deactivate
    public synchronized void deactivate() {
        closeWatches();
        worker.shutdownNow();
    }
}
