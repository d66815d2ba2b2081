package io.weft.agent;

import static io.weft.agent.Lab.agentRoutes;
import static io.weft.agent.Lab.await;
import static io.weft.agent.Lab.pings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.weft.api.datastore.KeyValue;
import io.weft.api.model.EncapsulationMode;
import io.weft.api.model.ResourceKind;
import io.weft.api.net.Cidr;
import io.weft.api.resource.ResourceStore;
import io.weft.api.status.Health;
import io.weft.codec.internal.JacksonResourceCodec;
import io.weft.core.DatastoreResourceStore;
import io.weft.datastore.memory.MemoryDatastore;
import io.weft.netlink.Netns;
import io.weft.netlink.Route;
import io.weft.netlink.Subscription;

/**
 * The datastore swapped under a running agent, as {@code feature:install weft-datastore-etcd}
 * then {@code feature:uninstall weft-datastore-embedded} does: the agent drops its watches on the
 * old store, takes the new one's snapshot, and changes in the kernel only what the new store wants
 * differently. Two real in-memory datastores with the typed store over each; the old one is
 * still written to after the swap, and nothing of that reaches the kernel.
 */
class DatastoreSwapLabTest {

    private static final Duration NO_PERIODIC_RESYNC = Duration.ofMinutes(10);
    private Cluster cluster;
    private MemoryDatastore newDatastore;

    @BeforeEach
    void setUp() throws Exception {
        cluster = new Cluster("wds");
        cluster.node("n1", "a", "11");
        cluster.node("n2", "a", "12");
        newDatastore = new MemoryDatastore();
    }

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
        if (newDatastore != null) {
            newDatastore.close();
        }
    }

    /** Core's case: one ResourceStore service whose datastore is rebound underneath it. */
    @Test
    void datastoreSwappedBeneathTheStoreIsWatchedAgainAndTheKernelFollowsIt() throws Exception {
        AtomicReference<ResourceStore> beneath = new AtomicReference<>(cluster.store);
        ResourceStore rebinding = delegatingTo(beneath);
        swapAndCheck(rebinding, (agent, replacement) -> {
            beneath.set(replacement);
            agent.bindDatastore(newDatastore);
        });
    }

    /** A different ResourceStore service replaces the bound one (greedy rebinding). */
    @Test
    void replacedStoreIsWatchedAndTheKernelFollowsIt() throws Exception {
        swapAndCheck(cluster.store, (agent, replacement) -> {
            agent.bindStore(replacement);
            agent.unbindStore(cluster.store);
        });
    }

    interface Swap {
        void swap(DataplaneAgent agent, ResourceStore replacement) throws Exception;
    }

    private void swapAndCheck(ResourceStore agentStore, Swap swap) throws Exception {
        cluster.pool("default-ipv4-ippool", "10.244.0.0/16", 26, EncapsulationMode.ALWAYS, null);
        String t1 = cluster.vxlanTunnel("n1");
        String t2 = cluster.vxlanTunnel("n2");
        Cluster.Pod a = cluster.pod("n1", "pod-a");
        Cluster.Pod b = cluster.pod("n1", "pod-b");
        Cluster.Pod c = cluster.pod("n2", "pod-c");
        String ns = cluster.ns("n1");
        DataplaneAgent agent = agentOn("n1", agentStore);
        cluster.agent("n2", NO_PERIODIC_RESYNC);
        String ownBlock = "blackhole " + block(t1) + " proto 80";
        String remoteBlock = block(t2) + " via " + t2 + " dev vxlan.calico proto 80 onlink";
        await(10_000, sorted(ownBlock, local(a), local(b), remoteBlock), () -> agentRoutes(ns));

        // the new datastore: everything migrated (as an operator copies embedded to etcd), then
        // pod-b deleted there and pod-e added there only
        for (KeyValue kv : cluster.datastore().list("/weft/").entries()) {
            newDatastore.put(kv.key(), kv.value(), io.weft.api.datastore.Datastore.NO_LEASE);
        }
        ResourceStore replacement = new DatastoreResourceStore(newDatastore, new JacksonResourceCodec(), Clock.systemUTC());
        replacement.delete(ResourceKind.WORKLOAD_ENDPOINT, "default", b.endpoint());
        String base = block(t1).substring(0, block(t1).lastIndexOf('.') + 1);
        int last = Integer.parseInt(block(t1).substring(block(t1).lastIndexOf('.') + 1, block(t1).indexOf('/')));
        Cluster.Pod e = cluster.podWithAddress(replacement, "n1", "pod-e", base + (last + 40));

        List<Subscription.Event> changes = new CopyOnWriteArrayList<>();
        try (Subscription watch = Subscription.open(Netns.named(ns), EnumSet.of(Subscription.Kind.ROUTE,
                Subscription.Kind.LINK), changes::add)) {
            Thread.sleep(300); // pod-e's veth appearing is not the agent's doing
            changes.clear();
            swap.swap(agent, replacement);
            await(10_000, sorted(ownBlock, local(a), local(e), remoteBlock), () -> agentRoutes(ns));
            await(5_000, 1, agent::storeSwaps);
            Thread.sleep(200); // late notifications
            // only pod-b's route went and pod-e's came: what both stores agree on was not touched
            List<String> touched = changes.stream()
                    .filter(ev -> ev.kind() == Subscription.Kind.LINK
                            ? !((io.weft.netlink.Link) ev.subject()).name().startsWith("cali")
                            : ((Route) ev.subject()).protocol() == 80)
                    .map(ev -> ev.kind() == Subscription.Kind.LINK ? "link " + ((io.weft.netlink.Link) ev.subject()).name()
                            : (ev.deleted() ? "deleted " : "added ") + ((Route) ev.subject()).destination())
                    .sorted().toList();
            assertEquals(List.of("added " + e.ip() + "/32", "deleted " + b.ip() + "/32"), touched,
                    "kernel changes made by the swap");
        }
        assertEquals(Health.UP, agent.status().health(), agent.status().toString());

        // the old store is no longer watched: a pod written there is not programmed...
        Cluster.Pod f = cluster.podWithAddress(cluster.store, "n1", "pod-f", base + (last + 41));
        // ...and one written to the new store is
        Cluster.Pod g = cluster.podWithAddress(replacement, "n1", "pod-g", base + (last + 42));
        await(10_000, sorted(ownBlock, local(a), local(e), local(g), remoteBlock), () -> agentRoutes(ns));
        Thread.sleep(300);
        assertEquals(sorted(ownBlock, local(a), local(e), local(g), remoteBlock), agentRoutes(ns),
                "pod-f exists only in the old store: " + f.ip());
        assertTrue(pings(a.ns(), c.ip()), "pod-a still reaches pod-c on n2 after the swap");
    }

    private DataplaneAgent agentOn(String node, ResourceStore store) {
        DataplaneAgent agent = new DataplaneAgent(new AgentSettings(node, Netns.named(cluster.ns(node)),
                AddressAutodetection.parse("interface=eth0"), NO_PERIODIC_RESYNC, 80, "cali", "127.0.0.1", 0), null);
        cluster.adopt(node, agent, store);
        return agent;
    }

    /** A ResourceStore that forwards to whatever store {@code target} holds, as core's does to its datastore. */
    private static ResourceStore delegatingTo(AtomicReference<ResourceStore> target) {
        return (ResourceStore) Proxy.newProxyInstance(ResourceStore.class.getClassLoader(),
                new Class<?>[] {ResourceStore.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return switch (method.getName()) {
                            case "equals" -> proxy == args[0];
                            case "hashCode" -> System.identityHashCode(proxy);
                            default -> "delegating store";
                        };
                    }
                    try {
                        return method.invoke(target.get(), args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static String block(String address) {
        return new Cidr(Cidr.parseAddress(address), 26).toString();
    }

    private static String local(Cluster.Pod p) {
        return p.ip() + " dev " + p.hostIf() + " proto 80 scope link";
    }

    private static List<String> sorted(String... lines) {
        return Stream.of(lines).sorted().toList();
    }
}
