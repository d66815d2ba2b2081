package io.weft.agent;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

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

import io.weft.api.cni.PodNetworkSettings;
import io.weft.api.datastore.Datastore;
import io.weft.api.datastore.Watch;
import io.weft.api.encap.BlockRoute;
import io.weft.api.encap.DataplaneException;
import io.weft.api.encap.Encapsulation;
import io.weft.api.encap.EncapsulationProvider;
import io.weft.api.encap.EncapsulationTarget;
import io.weft.api.model.ResourceKind;
import io.weft.api.net.Cidr;
import io.weft.api.resource.ResourceStore;
import io.weft.api.routing.RouteSink;
import io.weft.api.routing.RouteSource;
import io.weft.api.routing.RouteUpdate;
import io.weft.api.status.AgentNodeStatus;
import io.weft.api.status.ComponentStatus;
import io.weft.api.status.Health;
import io.weft.api.status.StatusContributor;
import io.weft.netlink.FdbEntry;
import io.weft.netlink.Link;
import io.weft.netlink.NetlinkException;
import io.weft.netlink.Neighbour;
import io.weft.netlink.Route;
import io.weft.netlink.RtNetlink;
import io.weft.netlink.Subscription;
import io.weft.netlink.Sysctl;

/**
 * Calico's Felix role for one node. Watches nodes, pools, IPAM blocks and workload endpoints;
 * on every change recalculates the desired dataplane ({@link DataplaneCalculator}) and applies
 * only the differences; every {@code resyncInterval} (and soon after the kernel reports that
 * something the agent owns was removed) it re-reads the kernel and repairs drift.
 *
 * <p>All work runs on one thread, so the calculation, the providers and the reconcilers never
 * race; watches and netlink notifications only mark work as due. Encapsulation providers may come
 * and go at runtime: while one is missing its remote blocks keep the routes it last gave, and
 * the status says which provider to install.
 */
@Component(service = {StatusContributor.class, RouteSink.class, RouteSource.class, PodNetworkSettings.class},
        configurationPid = AgentConfig.PID, immediate = true)
@Designate(ocd = AgentConfig.class)
public class DataplaneAgent implements StatusContributor, RouteSink, RouteSource, PodNetworkSettings {

    private static final Logger LOG = LoggerFactory.getLogger(DataplaneAgent.class);
    /** Route notifications come back this long after a burst's last learned pass, if no more came. */
    static final long QUIET_MS = 1000;
    /** Wait this long after a kernel notification so a burst (a device deleted) costs one repair. */
    private static final long REPAIR_DELAY_MS = 20;
    private static final long RETRY_DELAY_MS = 2000;
    /**
     * How long a tunnel device outlives the last pool that needed it. Other nodes switch modes at
     * slightly different moments; until they have, their encapsulated packets still arrive here
     * and need the device to be decapsulated.
     */
    static final long TEARDOWN_GRACE_MS = 5000;
    /** Liveness fails when the agent's thread has not come round for this long (a pass stuck in the kernel). */
    private static final long LIVENESS_SECONDS = 60;
    /** After a datastore swap, give the resource store this long to rebind before watching again. */
    static final long DATASTORE_SETTLE_MS = 200;

    private final AgentSettings settings;
    /** The store the agent reads and writes; replaced at runtime when the store or its datastore is swapped. */
    private volatile ResourceStore store;
    /** Set when the store or its datastore changed: the loop thread re-opens its watches. */
    private final AtomicBoolean resubscribeQueued = new AtomicBoolean();
    /** The store the current watches were opened on (loop thread). */
    private volatile ResourceStore watchedStore;
    /** The datastore bound when the current watches were opened (loop thread). */
    private Datastore watchedDatastore;
    private final DataplaneCalculator calculator;
    private final ScheduledExecutorService loop;
    private final ClusterView view;
    private final Map<Encapsulation, EncapsulationProvider> providers = new ConcurrentHashMap<>();

    private final AtomicBoolean syncQueued = new AtomicBoolean();
    private final AtomicBoolean repairQueued = new AtomicBoolean();
    private volatile boolean fullResyncDue = true;
    private volatile boolean closed;
    /** Read by the notification thread: whether a tunnel device of ours should exist. */
    private volatile boolean tunnelsProgrammed;

    // owned by the loop thread
    private RtNetlink netlink;
    private RouteReconciler routes;
    private WorkloadArpReconciler arp;
    private NatOutgoingReconciler nat;
    /** BGP-learned routes: folded in and sent to the kernel by their own passes, between the agent's. */
    private final LearnedRouteInstaller learned = new LearnedRouteInstaller();
    private final AtomicBoolean learnedPassQueued = new AtomicBoolean();
    private final AtomicBoolean learnedRepairQueued = new AtomicBoolean();
    private final AtomicBoolean resumeQueued = new AtomicBoolean();
    private volatile int learnedInstalled;
    private volatile int learnedPending;
    private volatile long learnedFootprint;
    private List<String> lastLearnedErrors = List.of();
    private final List<RouteSink> exportSinks = new java.util.concurrent.CopyOnWriteArrayList<>();
    private List<Cidr> exported = List.of();
    private Subscription subscription;
    /** Route notifications, on a socket of their own so a large learned burst can go without them. */
    private Subscription routeSubscription;
    /** The learned-route install path has been warmed up (once per agent, after its first pass). */
    private volatile boolean learnedWarm;
    /** A learned burst is going in: route notifications are paused (loop thread). */
    private boolean routeEventsPaused;
    private final List<Watch> watches = new ArrayList<>();
    private final Map<Encapsulation, EncapsulationTarget> reconciled = new EnumMap<>(Encapsulation.class);
    private final Map<Encapsulation, EncapsulationProvider> reconciledBy = new EnumMap<>(Encapsulation.class);
    private final Map<Encapsulation, List<Route>> lastProviderRoutes = new EnumMap<>(Encapsulation.class);
    private final Map<Encapsulation, Long> unneededSince = new EnumMap<>(Encapsulation.class);
    private final Set<String> configuredInterfaces = ConcurrentHashMap.newKeySet();
    private final Set<String> lastProblems = new HashSet<>();
    private final Set<String> lastErrors = new HashSet<>();

    // read by status() and the health endpoint
    private volatile NodeIdentity identity;
    private volatile Datastore boundDatastore;
    /** What the CNI handler gives pods when their network configuration has no mtu; 0 until the first pass. */
    private volatile int podMtu;
    /** This node's status in the datastore, under /weft/runtime/agents/ (loop thread). */
    private final NodeStatusPublisher statusPublisher;
    private final AtomicBoolean statusRetryQueued = new AtomicBoolean();
    private Instant lastFullSync;
    private Set<Encapsulation> encapsulationsInUse = Set.of();
    /** How many times the watches were moved to a swapped store or datastore. */
    private volatile int storeSwaps;
    private volatile long heartbeat = System.nanoTime();
    private HealthEndpoint health;
    private volatile AgentReport report = AgentReport.starting();

    /**
     * The DS constructor. The store is bound afterwards through {@link #bindStore} (a dynamic
     * reference, so a swapped store or datastore does not restart the agent); start-up waits for it.
     */
    @Activate
    public DataplaneAgent(AgentConfig config) {
        this(AgentSettings.from(config, System.getenv()), null);
        start();
    }

    /** Builds the agent without starting it (tests bind providers first, then {@link #start()}). */
    public DataplaneAgent(AgentSettings settings, ResourceStore store) {
        this.settings = settings;
        this.store = store;
        this.calculator = new DataplaneCalculator(settings.routeProtocol());
        this.view = new ClusterView(this::requestSync);
        this.statusPublisher = new NodeStatusPublisher(settings.nodeName());
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "weft-agent-" + settings.nodeName());
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts in the background: identity, Node resource, watches, notifications, periodic resync. */
    public void start() {
        loop.execute(this::startup);
        long period = settings.resyncInterval().toMillis();
        loop.scheduleWithFixedDelay(() -> requestSync(true), period, period, TimeUnit.MILLISECONDS);
        long keepAlive = NodeStatusPublisher.TTL.toMillis() / 3;
        loop.scheduleWithFixedDelay(statusPublisher::keepAlive, keepAlive, keepAlive, TimeUnit.MILLISECONDS);
        // the loop's pulse: liveness fails when the agent's thread stops getting here
        loop.scheduleWithFixedDelay(() -> heartbeat = System.nanoTime(), 1, 1, TimeUnit.SECONDS);
        if (settings.healthPort() > 0) {
            try {
                health = HealthEndpoint.start(settings.healthHost(), settings.healthPort(), new HealthEndpoint.Source() {
                    @Override
                    public AgentReport report() {
                        return report;
                    }

                    @Override
                    public boolean alive() {
                        return !closed && System.nanoTime() - heartbeat < TimeUnit.SECONDS.toNanos(LIVENESS_SECONDS);
                    }

                    @Override
                    public String nodeName() {
                        return settings.nodeName();
                    }
                });
                LOG.info("node {}: health and metrics on http://{}:{}/ (readiness, liveness, metrics)",
                        settings.nodeName(), settings.healthHost(), health.port());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.warn("node {}: health endpoint cannot listen on {}:{}: {} (set healthPort in {}; 0 turns it off)",
                        settings.nodeName(), settings.healthHost(), settings.healthPort(), e.toString(), AgentConfig.PID);
            }
        }
    }

    /** The health endpoint's port, or 0 when there is none. */
    int healthPort() {
        return health == null ? 0 : health.port();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void bindProvider(EncapsulationProvider provider) {
        EncapsulationProvider previous = providers.put(provider.encapsulation(), provider);
        LOG.info("node {}: {} encapsulation provider {} bound{}", settings.nodeName(), provider.encapsulation(),
                provider.getClass().getSimpleName(), previous == null ? "" : " (replacing " + previous.getClass().getSimpleName() + ")");
        requestSync(false);
    }

    public void unbindProvider(EncapsulationProvider provider) {
        if (providers.remove(provider.encapsulation(), provider)) {
            LOG.info("node {}: {} encapsulation provider went away; its routes stay until a replacement comes",
                    settings.nodeName(), provider.encapsulation());
            requestSync(false);
        }
    }

    /**
     * The resource store. Mandatory, but dynamic and greedy: when the store is replaced (another
     * provider, or a higher-ranked one), DS binds the new one before unbinding the old, and the
     * agent moves its watches over without restarting, so the kernel is not touched where it is
     * still right.
     */
    @Reference(name = "store", service = ResourceStore.class, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindStore")
    public void bindStore(ResourceStore replacement) {
        ResourceStore previous = store;
        store = replacement;
        if (previous != null && previous != replacement) {
            LOG.info("node {}: resource store replaced; moving the watches to the new one", settings.nodeName());
        }
        // at once, not behind a datastore bind's settle delay: at activation this starts the agent
        requestResubscribe(0);
    }

    public void unbindStore(ResourceStore departed) {
        // DS binds a replacement first; if none comes the component is deactivated anyway
        if (store == departed) {
            LOG.info("node {}: resource store went away; the kernel keeps its state until one is bound",
                    settings.nodeName());
        }
    }

    /**
     * The datastore beneath the resource store. Core's {@code ResourceStore} stays the same
     * service when its datastore is swapped (embedded to etcd, say), but the watches the agent
     * opened through it stay on the old datastore; this reference only tells the agent when to
     * watch again. The re-watch waits {@link #DATASTORE_SETTLE_MS} so the resource store, which
     * gets the same service event, has rebound first.
     */
    @Reference(name = "datastore", service = Datastore.class, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindDatastore")
    public void bindDatastore(Datastore datastore) {
        if (boundDatastore != null && boundDatastore != datastore) {
            LOG.info("node {}: datastore swapped; watching the new one", settings.nodeName());
        }
        boolean swapped = boundDatastore != null && boundDatastore != datastore || watchedStore != null;
        boundDatastore = datastore;
        if (swapped) {
            requestResubscribe(DATASTORE_SETTLE_MS); // at activation the store bind starts the agent
        }
        try {
            loop.execute(this::publishStatus); // the status belongs in whichever datastore is bound now
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down
        }
    }

    public void unbindDatastore(Datastore datastore) {
        if (boundDatastore == datastore) {
            boundDatastore = null;
        }
    }

    /**
     * Asks the loop thread to re-open the watches on the bound store (after a swap). Delayed
     * requests collapse into one; an immediate one always runs (re-subscribing when nothing moved
     * does nothing).
     */
    void requestResubscribe(long delayMs) {
        if (closed) {
            return;
        }
        if (delayMs <= 0) {
            try {
                loop.execute(this::resubscribe);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // shutting down
            }
            return;
        }
        if (!resubscribeQueued.compareAndSet(false, true)) {
            return;
        }
        try {
            loop.schedule(() -> {
                resubscribeQueued.set(false);
                resubscribe();
            }, delayMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down
        }
    }

    @Deactivate
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (health != null) {
            health.close();
        }
        loop.execute(() -> {
            statusPublisher.withdraw();
            watches.forEach(Watch::close);
            watches.clear();
            if (subscription != null) {
                subscription.close();
            }
            if (routeSubscription != null) {
                routeSubscription.close();
            }
            if (netlink != null) {
                learned.settle(); // no batch may be left sending on a closed socket
                netlink.close();
            }
        });
        loop.shutdown();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Asks for a recalculation; bursts of requests collapse into one pass. */
    void requestSync(boolean full) {
        if (full) {
            fullResyncDue = true;
        }
        if (!closed && syncQueued.compareAndSet(false, true)) {
            try {
                loop.execute(this::sync);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // shutting down
            }
        }
    }

    /** A kernel notification says something we own changed: repair soon, once per burst. */
    private void requestRepair() {
        if (!closed && repairQueued.compareAndSet(false, true)) {
            try {
                loop.schedule(() -> {
                    repairQueued.set(false);
                    requestSync(true);
                }, REPAIR_DELAY_MS, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // shutting down
            }
        }
    }

    // ------------------------------------------------------------------ start-up

    private void startup() {
        if (closed || subscription != null) {
            return; // already started (a store bind and a retry may both ask)
        }
        if (store == null) {
            report = report.failed("waiting for a resource store (install feature weft-core with a datastore)");
            return; // bindStore starts us
        }
        try {
            if (netlink == null) {
                netlink = RtNetlink.open(settings.netns());
                routes = new RouteReconciler(netlink, settings.routeProtocol());
                arp = new WorkloadArpReconciler(netlink, settings.workloadPrefix());
                nat = new NatOutgoingReconciler(settings.netns());
            }
            ResourceStore current = store;
            identity = detectIdentity();
            NodeResourceUpdater.ensure(current, identity);
            Sysctl.write(settings.netns(), "net/ipv4/ip_forward", "1");
            subscription = Subscription.open(settings.netns(), EnumSet.of(Subscription.Kind.LINK,
                    Subscription.Kind.NEIGHBOUR), this::onKernelEvent);
            routeSubscription = Subscription.open(settings.netns(), EnumSet.of(Subscription.Kind.ROUTE),
                    this::onKernelEvent);
            routeEventsPaused = false;
            openWatches(current);
            LOG.info("node {}: agent started, address {} on {} (MTU {}), resync every {} s", identity.name(),
                    identity.address(), identity.uplink(), identity.hostMtu(), settings.resyncInterval().toSeconds());
            loop.execute(this::warmUpLearnedRoutes); // after the first pass, which is queued already
        } catch (Exception e) {
            LOG.warn("node {}: agent cannot start yet: {} (retrying in {} s)", settings.nodeName(), e.getMessage(),
                    RETRY_DELAY_MS / 1000);
            report = report.failed("cannot start: " + e.getMessage());
            watches.forEach(Watch::close);
            watches.clear();
            if (subscription != null) {
                subscription.close();
                subscription = null;
            }
            if (routeSubscription != null) {
                routeSubscription.close();
                routeSubscription = null;
            }
            if (!closed) {
                loop.schedule(this::startup, RETRY_DELAY_MS, TimeUnit.MILLISECONDS);
            }
        }
    }

    private void openWatches(ResourceStore on) throws Exception {
        ClusterView.Listeners listeners = view.open();
        watchedStore = on;
        watchedDatastore = boundDatastore;
        watches.add(on.watch(ResourceKind.NODE, listeners.nodes()));
        watches.add(on.watch(ResourceKind.IP_POOL, listeners.pools()));
        watches.add(on.watch(ResourceKind.IPAM_BLOCK, listeners.blocks()));
        watches.add(on.watch(ResourceKind.WORKLOAD_ENDPOINT, listeners.endpoints()));
    }

    /**
     * After a store or datastore swap: closes the watches on the old one and opens new ones. The
     * view keeps the old store's state until the new one delivered every snapshot, then the agent
     * makes a full pass, which by diff touches only what the new store wants differently.
     */
    private void resubscribe() {
        if (closed) {
            return;
        }
        if (subscription == null) {
            startup(); // not started yet (or waiting for a store): start-up watches what is bound now
            return;
        }
        ResourceStore current = store;
        if (current == null || current == watchedStore && boundDatastore == watchedDatastore) {
            return; // nothing moved (the first binds at activation)
        }
        watches.forEach(Watch::close);
        watches.clear();
        try {
            NodeResourceUpdater.ensure(current, identity);
            openWatches(current);
            storeSwaps++;
            LOG.info("node {}: watching the {} store; keeping the kernel as it is until its snapshot is in",
                    settings.nodeName(), current == watchedStore ? "swapped" : "new");
        } catch (Exception e) {
            watches.forEach(Watch::close);
            watches.clear();
            LOG.warn("node {}: cannot watch the new datastore yet: {} (retrying in {} s; the kernel keeps its state)",
                    settings.nodeName(), e.getMessage(), RETRY_DELAY_MS / 1000);
            report = report.failed("cannot watch the new datastore: " + e.getMessage());
            requestResubscribe(RETRY_DELAY_MS);
        }
    }

    /** How many times the agent moved its watches to a swapped store or datastore. */
    public int storeSwaps() {
        return storeSwaps;
    }

    private NodeIdentity detectIdentity() throws Exception {
        AddressAutodetection.Detected found = settings.autodetection().choose(netlink.addresses(),
                destination -> {
                    try {
                        return settings.netns().call(() -> {
                            try (DatagramSocket s = new DatagramSocket()) {
                                s.connect(InetAddress.getByName(destination), 9);
                                return s.getLocalAddress();
                            }
                        });
                    } catch (NetlinkException e) {
                        throw new IOException(e.getMessage(), e);
                    }
                });
        int mtu = netlink.link(found.device()).map(Link::mtu).orElse(1500);
        return new NodeIdentity(settings.nodeName(), found.address(), found.device(), mtu);
    }

    // ------------------------------------------------------------------ kernel notifications

    private void onKernelEvent(Subscription.Event e) {
        switch (e.kind()) {
            case OVERFLOW -> requestRepair();
            case ROUTE -> {
                if (e.deleted() && e.subject() instanceof Route r && r.table() == Route.MAIN_TABLE && routes != null) {
                    if (r.protocol() == settings.routeProtocol() && routes.owns(r.destination())) {
                        requestRepair();
                    } else if (r.protocol() == LearnedRouteInstaller.PROTOCOL) {
                        // our own withdrawals come back here too: the installer tells them apart
                        // and puts back only what someone else deleted
                        learned.kernelDeleted(r.destination());
                        requestLearnedRepair();
                    }
                }
            }
            case LINK -> {
                if (e.subject() instanceof Link l && l.name() != null) {
                    boolean tunnel = l.name().equals("vxlan.calico") || l.name().equals("tunl0");
                    if (e.deleted() && tunnel && tunnelsProgrammed) {
                        requestRepair();
                    } else if (!e.deleted() && l.name().startsWith(settings.workloadPrefix())
                            && !configuredInterfaces.contains(l.name())) {
                        requestSync(false); // a pod's veth appeared: its route may be waiting for it
                    }
                }
            }
            case NEIGHBOUR -> {
                if (!e.deleted()) {
                    return;
                }
                // a deletion notice carries the entry's new state (not PERMANENT any more), so
                // any deletion on a device whose permanent entries we own is worth a look
                if (e.subject() instanceof Neighbour n && n.device() != null
                        && (n.device().equals("vxlan.calico") || n.device().startsWith(settings.workloadPrefix()))) {
                    requestRepair();
                } else if (e.subject() instanceof FdbEntry f && "vxlan.calico".equals(f.device())) {
                    requestRepair();
                }
            }
            default -> {
            }
        }
    }

    // ------------------------------------------------------------------ the pass

    private void sync() {
        syncQueued.set(false);
        if (closed || identity == null || !view.inSync()) {
            return;
        }
        boolean full = fullResyncDue || routes.needsResync();
        fullResyncDue = false;
        long started = System.nanoTime();
        List<String> errors = new ArrayList<>();
        try {
            if (full) {
                refreshIdentity();
            }
            ClusterState state = view.state();
            DesiredDataplane desired = calculator.calculate(identity, state);
            logProblems(desired.problems());
            updatePodMtu(encapsulationsOfPools(state, desired.targets().keySet()));
            encapsulationsInUse = Set.copyOf(desired.targets().keySet());
            Map<Cidr, Route> wanted = new HashMap<>(desired.routes());
            Map<String, String> missing = new LinkedHashMap<>();
            for (Map.Entry<Encapsulation, EncapsulationTarget> t : desired.targets().entrySet()) {
                for (Route r : providerRoutes(t.getKey(), t.getValue(), full, missing, errors)) {
                    wanted.putIfAbsent(r.destination(), r);
                }
            }
            // proxy ARP before the route: a pod must find its gateway as soon as it is routable
            configureInterfaces(desired.workloadInterfaces(), full);
            // learned batches still with the kernel land first: one queued earlier must not replace
            // a route the agent writes now, nor race the dump below
            learned.settle();
            List<Route> kernelRoutes = full ? netlink.routes() : null; // one dump for both route owners
            RouteReconciler.Outcome outcome = full ? routes.resync(wanted, kernelRoutes) : routes.apply(wanted);
            errors.addAll(outcome.errors());
            // only now that the new routes replaced the old ones may an unused tunnel go: deleting
            // its device first would leave remote blocks unrouted for a moment
            tearDownUnused(desired.targets().keySet(), errors);
            tunnelsProgrammed = !reconciled.isEmpty();
            errors.addAll(full ? arp.resync(desired.workloadNeighbours()) : arp.apply(desired.workloadNeighbours()));
            errors.addAll(nat.apply(desired.allPools(), desired.natOutgoingPools(), full));
            learned.own(wanted.keySet());
            if (full) {
                errors.addAll(learned.resync(netlink, kernelRoutes));
            }
            errors.addAll(learned.errors());
            requestLearnedPass();
            export(desired.exported());
            logErrors(errors);
            long micros = (System.nanoTime() - started) / 1000;
            Instant now = Instant.now();
            report = report.synced(now, micros, full, routes.size(), outcome, missing, errors,
                    desired.problems());
            if (full) {
                lastFullSync = now;
            }
            publishStatus();
            if (outcome.replaced() + outcome.deleted() > 0) {
                LOG.debug("node {}: {} pass: {} routes replaced, {} deleted in {} µs", identity.name(),
                        full ? "resync" : "delta", outcome.replaced(), outcome.deleted(), micros);
            }
        } catch (NetlinkException | RuntimeException e) {
            LOG.warn("node {}: dataplane pass failed: {}", settings.nodeName(), e.getMessage(), e);
            report = report.failed(e.getMessage());
            publishStatus();
            fullResyncDue = true;
            loop.schedule(() -> requestSync(true), RETRY_DELAY_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** Writes this node's status to the bound datastore when it says something new (loop thread). */
    private void publishStatus() {
        if (closed) {
            return;
        }
        ComponentStatus own = report.toStatus(settings.nodeName(), identity);
        AgentReport r = report;
        List<String> problems = new ArrayList<>(r.errors());
        problems.addAll(r.problems());
        if (problems.size() > 10) {
            int more = problems.size() - 9;
            problems = new ArrayList<>(problems.subList(0, 9));
            problems.add("… and " + more + " more (weft:status -v on the node)");
        }
        NodeIdentity id = identity;
        AgentNodeStatus status = new AgentNodeStatus(settings.nodeName(),
                id == null ? "" : id.address() + " on " + id.uplink(), own.health(), own.message(), lastFullSync,
                r.lastSync(), r.routes(), podMtu,
                encapsulationsInUse.stream().map(Encapsulation::providerName).sorted().toList(),
                List.copyOf(new java.util.TreeSet<>(r.missingProviders().keySet())), problems, Instant.now());
        long again = statusPublisher.publish(boundDatastore, status);
        if (again > 0 && statusRetryQueued.compareAndSet(false, true)) {
            loop.schedule(() -> {
                statusRetryQueued.set(false);
                publishStatus();
            }, again, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The encapsulations the pools use, whether or not a remote block needs them yet: the first
     * node of a VXLAN cluster has no peers, but its pods must already fit the tunnel the second
     * node will bring (Felix likewise looks at the pools' modes).
     */
    private static Set<Encapsulation> encapsulationsOfPools(ClusterState state, Set<Encapsulation> targeted) {
        Set<Encapsulation> out = EnumSet.noneOf(Encapsulation.class);
        out.addAll(targeted);
        for (io.weft.api.model.IPPool pool : state.pools()) {
            io.weft.api.model.IPPoolSpec spec = pool.spec();
            if (spec == null || spec.disabled() || spec.cidr() == null || spec.cidr().contains(":")) {
                continue;
            }
            if (spec.vxlanMode() != null && spec.vxlanMode() != io.weft.api.model.EncapsulationMode.NEVER) {
                out.add(Encapsulation.VXLAN);
            }
            if (spec.ipipMode() != null && spec.ipipMode() != io.weft.api.model.EncapsulationMode.NEVER) {
                out.add(Encapsulation.IPIP);
            }
        }
        return out;
    }

    /**
     * The pod MTU: the host uplink's, less the largest overhead among the encapsulations the pools
     * need. A provider answers for its own encapsulation; while one is missing, the agent assumes
     * the usual overhead (VXLAN 50, IPIP 20), so pods started meanwhile still fit once it binds.
     */
    private void updatePodMtu(Set<Encapsulation> inUse) {
        int hostMtu = identity.hostMtu();
        int mtu = hostMtu;
        for (Encapsulation e : inUse) {
            EncapsulationProvider provider = providers.get(e);
            int forThis = provider != null ? provider.podMtu(hostMtu) : hostMtu - switch (e) {
                case VXLAN -> 50;
                case IPIP -> 20;
                case NONE -> 0;
            };
            mtu = Math.min(mtu, forThis);
        }
        if (mtu != podMtu) {
            LOG.info("node {}: pod MTU {} (host {} on {}, encapsulations {})", settings.nodeName(), mtu, hostMtu,
                    identity.uplink(), inUse.isEmpty() ? "none" : inUse);
            podMtu = mtu;
        }
    }

    /** {@inheritDoc} Here: from the last pass; 0 before it. */
    @Override
    public int podMtu() {
        return podMtu;
    }

    private List<Route> providerRoutes(Encapsulation encapsulation, EncapsulationTarget target, boolean full,
            Map<String, String> missing, List<String> errors) {
        EncapsulationProvider provider = providers.get(encapsulation);
        if (provider == null) {
            List<Route> kept = lastProviderRoutes.getOrDefault(encapsulation, List.of());
            missing.put(encapsulation.providerName(), target.remoteBlocks().size() + " remote blocks need it; install"
                    + " feature weft-encap-" + encapsulation.providerName()
                    + (kept.isEmpty() ? "" : " (keeping the " + kept.size() + " routes it programmed)"));
            return kept;
        }
        boolean changed = provider != reconciledBy.get(encapsulation) || !target.equals(reconciled.get(encapsulation));
        if (full || changed) {
            try {
                provider.reconcile(target);
                reconciled.put(encapsulation, target);
                reconciledBy.put(encapsulation, provider);
            } catch (DataplaneException | RuntimeException e) {
                reconciled.remove(encapsulation);
                errors.add(e.getMessage());
                return List.of();
            }
        }
        List<Route> out = new ArrayList<>();
        for (BlockRoute r : provider.routes(target)) {
            out.add(calculator.kernelRoute(r));
        }
        lastProviderRoutes.put(encapsulation, out);
        return out;
    }

    private void tearDownUnused(Set<Encapsulation> needed, List<String> errors) {
        unneededSince.keySet().retainAll(reconciled.keySet());
        for (Encapsulation e : List.copyOf(reconciled.keySet())) {
            if (needed.contains(e)) {
                unneededSince.remove(e);
                continue;
            }
            long now = System.nanoTime();
            Long since = unneededSince.putIfAbsent(e, now);
            if (since == null) {
                loop.schedule(() -> requestSync(false), TEARDOWN_GRACE_MS + 10, TimeUnit.MILLISECONDS);
                continue;
            }
            if (now - since < TimeUnit.MILLISECONDS.toNanos(TEARDOWN_GRACE_MS)) {
                continue;
            }
            EncapsulationProvider provider = providers.get(e);
            try {
                if (provider != null) {
                    provider.teardown();
                }
                reconciled.remove(e);
                reconciledBy.remove(e);
                lastProviderRoutes.remove(e);
                unneededSince.remove(e);
                LOG.info("node {}: no pool uses {} any more; removed its device", identity.name(), e.providerName());
            } catch (DataplaneException | RuntimeException ex) {
                errors.add(ex.getMessage());
            }
        }
    }

    /** The node address may change (DHCP, a new uplink): follow it, and tell the cluster. */
    private void refreshIdentity() {
        try {
            NodeIdentity now = detectIdentity();
            if (!now.equals(identity)) {
                LOG.info("node {}: address changed from {} on {} to {} on {}", now.name(), identity.address(),
                        identity.uplink(), now.address(), now.uplink());
                identity = now;
            }
            ResourceStore current = store;
            if (current != null) {
                NodeResourceUpdater.ensure(current, identity);
            }
        } catch (Exception e) {
            LOG.warn("node {}: keeping address {}: {}", settings.nodeName(), identity.address(), e.getMessage());
        }
    }

    /** Host side of each pod veth: proxy ARP answers the pod's 169.254.1.1 gateway, forwarding on. */
    private void configureInterfaces(Set<String> interfaces, boolean full) {
        configuredInterfaces.retainAll(interfaces);
        List<String> todo = interfaces.stream().filter(n -> full || !configuredInterfaces.contains(n)).toList();
        if (todo.isEmpty() && !full) {
            return;
        }
        try {
            // one trip into the namespace for all of them: entering it costs a thread each time
            List<String> done = settings.netns().call(() -> {
                if (full) {
                    ensureSysctl("net/ipv4/ip_forward", "1"); // someone may have turned routing off
                }
                List<String> ok = new ArrayList<>();
                for (String name : todo) {
                    try {
                        ensureSysctl("net/ipv4/conf/" + name + "/proxy_arp", "1");
                        ensureSysctl("net/ipv4/neigh/" + name + "/proxy_delay", "0");
                        ensureSysctl("net/ipv4/conf/" + name + "/forwarding", "1");
                        ok.add(name);
                    } catch (java.nio.file.NoSuchFileException e) {
                        // the veth is not there yet; the LINK notification brings us back
                    }
                }
                return ok;
            });
            configuredInterfaces.addAll(done);
        } catch (NetlinkException e) {
            LOG.warn("node {}: cannot set workload interface sysctls: {}", settings.nodeName(), e.getMessage());
        }
    }

    /** Writes a sysctl only when it differs; runs on a thread inside the agent's namespace. */
    private static void ensureSysctl(String key, String value) throws IOException {
        java.nio.file.Path file = java.nio.file.Path.of("/proc/sys", key);
        if (!value.equals(java.nio.file.Files.readString(file).trim())) {
            java.nio.file.Files.writeString(file, value);
        }
    }

    /** Each distinct error once while it lasts, so a failing provider does not flood the log. */
    private void logErrors(List<String> errors) {
        for (String e : errors) {
            if (lastErrors.add(e)) {
                LOG.warn("node {}: {}", settings.nodeName(), e);
            }
        }
        lastErrors.retainAll(errors);
    }

    private void logProblems(List<String> problems) {
        for (String p : problems) {
            if (lastProblems.add(p)) {
                LOG.warn("node {}: {}", settings.nodeName(), p);
            }
        }
        lastProblems.retainAll(problems);
    }

    // ------------------------------------------------------------------ routing engines

    /**
     * Best paths from a routing engine (the BGP speaker): programmed with protocol bird (12). Only
     * queued here (the speaker's thread goes straight back to its sessions); the agent's thread
     * folds the updates in and sends the kernel only what they change.
     */
    @Override
    public void accept(RouteUpdate update) {
        learned.offer(update);
        requestLearnedPass();
    }

    /** Asks for a learned-route pass; requests collapse into one while one is queued. */
    private void requestLearnedPass() {
        if (!closed && learnedPassQueued.compareAndSet(false, true)) {
            try {
                loop.execute(this::learnedPass);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // shutting down
            }
        }
    }

    /** A learned route was deleted in the kernel: look soon, once per burst. */
    private void requestLearnedRepair() {
        if (!closed && learnedRepairQueued.compareAndSet(false, true)) {
            try {
                loop.schedule(() -> {
                    learnedRepairQueued.set(false);
                    requestLearnedPass();
                }, REPAIR_DELAY_MS, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // shutting down
            }
        }
    }

    /**
     * One slice of learned-route work (loop thread). A large burst takes several, each queued
     * behind whatever else the loop has to do, so a pod's route does not wait for a million.
     */
    private void learnedPass() {
        learnedPassQueued.set(false);
        if (closed || netlink == null) {
            return;
        }
        try {
            // a learned burst (LearnedRouteInstaller.BURST) goes in without route notifications;
            // smaller backlogs, the usual deltas, keep them
            LearnedRouteInstaller.Outcome o = learned.pass(netlink, this::stopRouteEvents);
            learnedInstalled = learned.installedCount();
            learnedPending = learned.pending();
            learnedFootprint = learned.footprint();
            if (!o.errors().isEmpty() && !o.errors().equals(lastLearnedErrors)) {
                LOG.warn("node {}: learned routes: {}", settings.nodeName(), String.join("; ", o.errors()));
            }
            lastLearnedErrors = o.errors();
            if (o.moreToDo()) {
                requestLearnedPass();
            } else if (routeEventsPaused && resumeQueued.compareAndSet(false, true)) {
                // not at once: a speaker hands a table over in several updates, and the installer
                // may catch up between two of them; each resumption costs a full pass
                loop.schedule(this::resumeRouteEvents, QUIET_MS, TimeUnit.MILLISECONDS);
            }
        } catch (NetlinkException | RuntimeException e) {
            LOG.warn("node {}: learned-route pass failed: {}", settings.nodeName(), e.getMessage(), e);
            fullResyncDue = true;
            loop.schedule(() -> requestSync(true), RETRY_DELAY_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * While a burst of learned routes goes in, every route the agent writes comes back as a
     * notification: a million of them cost the agent's notification thread about 3 s of CPU,
     * which the kernel install (on a small node) needs. So the agent stops listening to route
     * notifications for a burst and afterwards makes a full pass, which compares the whole kernel
     * table and repairs whatever was deleted meanwhile, as a notification would have had it done.
     */
    private void stopRouteEvents() {
        if (routeSubscription != null && !routeEventsPaused) {
            try {
                routeSubscription.pause();
                routeEventsPaused = true;
                LOG.debug("node {}: learned-route burst of {} prefixes: route notifications off until it is in",
                        settings.nodeName(), learned.pending());
            } catch (NetlinkException e) {
                // the burst goes in with notifications; slower, nothing lost
                LOG.debug("node {}: cannot pause route notifications: {}", settings.nodeName(), e.getMessage());
            }
        }
    }

    private void resumeRouteEvents() {
        resumeQueued.set(false);
        if (!routeEventsPaused || routeSubscription == null || closed) {
            return;
        }
        if (learned.pending() > 0 || learnedPassQueued.get()) {
            return; // the burst goes on; its last pass asks again
        }
        try {
            routeSubscription.resume();
            routeEventsPaused = false;
            requestSync(true);
        } catch (NetlinkException e) {
            LOG.warn("node {}: cannot listen to route notifications again: {} (retrying in {} s)", settings.nodeName(),
                    e.getMessage(), RETRY_DELAY_MS / 1000);
            if (resumeQueued.compareAndSet(false, true)) {
                loop.schedule(this::resumeRouteEvents, RETRY_DELAY_MS, TimeUnit.MILLISECONDS);
            }
        }
    }

    /**
     * Once per agent, after its first pass: the learned-route install path compiled before a
     * peer's first table needs it (see {@link LearnedRouteInstaller#warmUp}); costs a fraction of
     * a second of the loop thread, nothing reaches the kernel.
     */
    private void warmUpLearnedRoutes() {
        if (learnedWarm || closed || netlink == null) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            LearnedRouteInstaller.warmUp(netlink, LearnedRouteInstaller.WARMUP_ROUTES);
            LOG.debug("node {}: learned-route warm-up ({} routes) in {} ms", settings.nodeName(),
                    LearnedRouteInstaller.WARMUP_ROUTES, (System.nanoTime() - t0) / 1_000_000);
        } catch (NetlinkException | RuntimeException e) {
            LOG.debug("node {}: learned-route warm-up skipped: {}", settings.nodeName(), e.getMessage());
        }
        learnedWarm = true;
    }

    /** The learned-route warm-up is over, for benchmarks. */
    boolean learnedRoutesWarm() {
        return learnedWarm;
    }

    /** Learned routes the kernel holds (as far as the agent knows), for tests and benchmarks. */
    int learnedRoutesInstalled() {
        return learnedInstalled;
    }

    /** Bytes the learned-route tables hold, for benchmarks. */
    long learnedRoutesFootprint() {
        return learnedFootprint;
    }

    /** Learned updates and prefixes not yet compared with the kernel, for tests and benchmarks. */
    int learnedRoutesPending() {
        return learnedPending;
    }

    @Override
    public String name() {
        return "agent";
    }

    /** Offers this node's affine blocks and borrowed addresses: the full table now, then deltas. */
    @Override
    public AutoCloseable subscribe(RouteSink sink) {
        loop.execute(() -> {
            exportSinks.add(sink);
            sink.accept(new RouteUpdate("agent", true, originated(exported), List.of()));
        });
        return () -> exportSinks.remove(sink);
    }

    private void export(List<Cidr> now) {
        if (now.equals(exported)) {
            return;
        }
        Set<Cidr> before = new HashSet<>(exported);
        Set<Cidr> after = new HashSet<>(now);
        List<Cidr> added = now.stream().filter(c -> !before.contains(c)).toList();
        List<Cidr> removed = exported.stream().filter(c -> !after.contains(c)).toList();
        exported = now;
        RouteUpdate delta = new RouteUpdate("agent", false, originated(added), removed);
        for (RouteSink sink : exportSinks) {
            try {
                sink.accept(delta);
            } catch (RuntimeException e) {
                LOG.warn("node {}: route export to {} failed: {}", settings.nodeName(), sink, e.toString());
            }
        }
    }

    private static List<io.weft.api.routing.Route> originated(List<Cidr> prefixes) {
        return prefixes.stream().map(c -> new io.weft.api.routing.Route(c, List.of(), Map.of())).toList();
    }

    // ------------------------------------------------------------------ status

    /** This node's identity once detected, else {@code null}. */
    public NodeIdentity identity() {
        return identity;
    }

    /** The last pass's figures, for status, tests and benchmarks. */
    public AgentReport report() {
        return report;
    }

    @Override
    public ComponentStatus status() {
        return report.toStatus(settings.nodeName(), identity);
    }
}
