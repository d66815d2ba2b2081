package io.weft.ipam.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.weft.api.ipam.AssignRequest;
import io.weft.api.ipam.Assignment;
import io.weft.api.ipam.IpamException;
import io.weft.api.ipam.IpamException.Reason;
import io.weft.api.model.IPAMBlock;
import io.weft.api.model.ResourceKind;
import io.weft.api.resource.ResourceStore;
import io.weft.datastore.embedded.EmbeddedDatastore;

/**
 * Property-style: eight threads acting as four nodes (two CNI requests in flight per node, each
 * node with its own {@link BlockIpam}) assign and release at random against one datastore, in a
 * pool small enough to run out, so that blocks fill, nodes hit their block limit and borrow.
 * Live: no address is handed to two holders at once. Afterwards: the blocks agree with what
 * the threads think they hold, {@link IpamCheck} is clean, and after releasing everything every
 * address of the pool can be assigned again.
 */
class ConcurrentAllocationTest {

    private static final int THREADS = 8;
    private static final String[] NODES = {"n1", "n2", "n3", "n4"};
    /** 10.244.0.0/24 in /28 blocks: 16 blocks of 16; one address reserved. */
    private static final int USABLE = 255;

    @Test
    void memoryDatastore() throws Exception {
        exercise(Fixture.memoryStore(), Duration.ofSeconds(4), "memory");
    }

    @Test
    void embeddedDatastore(@TempDir Path dir) throws Exception {
        EmbeddedDatastore datastore = Fixture.embedded(dir);
        try {
            exercise(Fixture.over(datastore), Duration.ofSeconds(2), "embedded");
        } finally {
            datastore.close();
        }
    }

    private record Held(String handle, List<InetAddress> addresses) {
    }

    /**
     * The whole property run on {@code store}, which must be empty; shared with the etcd variant.
     * Churns for {@code duration}, longer (up to three times) until the pool has run out and 50
     * releases were made.
     */
    static void exercise(ResourceStore store, Duration duration, String label) throws Exception {
        store.create(Fixture.pool("default-ipv4", "10.244.0.0/24", 28));
        Fixture.ipamConfig(store, false, 3);
        Fixture.reservation(store, "gateway", "10.244.0.200");
        Fixture.nodes(store, NODES);
        Map<String, BlockIpam> perNode = new HashMap<>();
        for (String n : NODES) {
            perNode.put(n, new BlockIpam(store));
        }

        Map<InetAddress, String> owner = new ConcurrentHashMap<>();
        List<String> violations = new CopyOnWriteArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Held> stillHeld = new CopyOnWriteArrayList<>();
        AtomicLong assigned = new AtomicLong();
        AtomicLong released = new AtomicLong();
        AtomicLong exhausted = new AtomicLong();
        AtomicLong conflicts = new AtomicLong();
        long deadline = System.nanoTime() + duration.toNanos();
        // on a slow store (etcd on a busy machine) keep going until the pool has run out and
        // releases have raced with assignments
        long hardDeadline = System.nanoTime() + 3 * duration.toNanos();

        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int id = t;
            String node = NODES[t % NODES.length];
            BlockIpam ipam = perNode.get(node);
            threads.add(new Thread(() -> {
                Random random = new Random(1000 + id);
                List<Held> held = new ArrayList<>();
                int seq = 0;
                boolean full = false;
                try {
                    while (System.nanoTime() < deadline
                            || ((exhausted.get() == 0 || released.get() < 50) && System.nanoTime() < hardDeadline)) {
                        // fill up first so the pool runs out early, then churn at the limit
                        boolean filling = !full && held.size() < 30;
                        if (held.isEmpty() || filling || (random.nextInt(100) < 55 && held.size() < 40)) {
                            String handle = "k8s-pod-network.t" + id + "-" + seq++;
                            try {
                                Assignment a = ipam.assign(AssignRequest.podIpv4(handle, node,
                                        Map.of("pod", handle, "namespace", "default")));
                                for (InetAddress address : a.ipv4()) {
                                    String previous = owner.putIfAbsent(address, handle);
                                    if (previous != null) {
                                        violations.add(address + " given to " + handle + " while " + previous
                                                + " holds it");
                                    }
                                }
                                held.add(new Held(handle, a.ipv4()));
                                assigned.incrementAndGet();
                            } catch (IpamException e) {
                                if (e.reason() == Reason.EXHAUSTED) {
                                    exhausted.incrementAndGet();
                                    full = true;
                                } else if (e.reason() == Reason.CONFLICT) {
                                    conflicts.incrementAndGet();
                                } else {
                                    throw e;
                                }
                            }
                        } else {
                            Held h = held.remove(random.nextInt(held.size()));
                            // forget ownership first: once released, another thread may get it at once
                            h.addresses().forEach(a -> owner.remove(a, h.handle()));
                            try {
                                List<InetAddress> freed = random.nextBoolean() ? ipam.releaseHandle(h.handle())
                                        : ipam.releaseAddresses(h.addresses());
                                if (!freed.equals(h.addresses())) {
                                    violations.add("release of " + h + " freed " + freed);
                                }
                                released.incrementAndGet();
                            } catch (IpamException e) {
                                if (e.reason() != Reason.CONFLICT) {
                                    throw e;
                                }
                                conflicts.incrementAndGet();
                                h.addresses().forEach(a -> owner.put(a, h.handle()));
                                held.add(h);
                            }
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                } finally {
                    stillHeld.addAll(held);
                }
            }, "ipam-" + node + "-" + id));
        }
        long start = System.nanoTime();
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("[%s] %d assigns + %d releases in %.1f s = %.0f allocations/s (%.0f operations/s);"
                + " %d exhausted, %d conflicts past the retry limit%n", label, assigned.get(), released.get(),
                seconds, assigned.get() / seconds, (assigned.get() + released.get()) / seconds, exhausted.get(),
                conflicts.get());

        assertEquals(List.of(), failures.stream().map(Throwable::toString).toList());
        assertEquals(List.of(), violations);
        assertTrue(assigned.get() > 100, "too few assignments to mean anything: " + assigned.get());
        assertTrue(exhausted.get() > 0, "the pool never ran out: the test did not reach borrowing");

        // the blocks hold exactly what the threads think they hold, under the right handles
        Map<InetAddress, String> inBlocks = new HashMap<>();
        int borrowed = 0;
        for (IPAMBlock b : store.list(ResourceKind.IPAM_BLOCK, null)) {
            for (Integer index : b.spec().allocations()) {
                if (index != null && !b.spec().affineHost().orElse("").equals(
                        b.spec().attributes().get(index).secondary().get("node"))) {
                    borrowed++;
                }
            }
            BlockState s = BlockState.of(b.spec());
            assertEquals(List.of(), s.selfCheck(), b.metadata().name());
            assertEquals(s.size(), b.spec().unallocated().size() + s.inUse(), "unallocated + allocated = size");
            for (int i = 0; i < s.size(); i++) {
                if (s.allocated(i)) {
                    assertTrue(inBlocks.put(s.address(i), s.handleAt(i)) == null);
                }
            }
        }
        assertEquals(owner, inBlocks);
        System.out.printf("[%s] at the end %d addresses in use, %d of them borrowed from another node's block%n",
                label, inBlocks.size(), borrowed);
        IpamCheck check = IpamCheck.run(store);
        assertTrue(check.clean(), () -> "ipam check: " + check);
        BlockIpam admin = new BlockIpam(store);
        for (Held h : stillHeld.subList(0, Math.min(20, stillHeld.size()))) {
            assertEquals(new HashSet<>(h.addresses()), new HashSet<>(admin.addressesOf(h.handle())));
        }
        assertTrue(IpamUsage.read(store).pools().get(0).blocks().stream()
                .anyMatch(b -> b.affinity() != null), "blocks were claimed by nodes");

        // release everything: nothing stays allocated, no handle remains
        for (Held h : stillHeld) {
            assertEquals(h.addresses(), admin.releaseHandle(h.handle()));
        }
        assertEquals(0, IpamUsage.read(store).pools().get(0).inUse());
        assertEquals(List.of(), store.list(ResourceKind.IPAM_HANDLE, null));

        // every freed address can be handed out again: one node takes the whole pool
        Fixture.ipamConfig(store, false, 16);
        Set<InetAddress> again = new HashSet<>();
        for (int i = 0; ; i++) {
            try {
                again.addAll(admin.assign(AssignRequest.podIpv4("refill-" + i, "n1", Map.of())).ipv4());
            } catch (IpamException e) {
                assertEquals(Reason.EXHAUSTED, e.reason(), e.getMessage());
                break;
            }
        }
        assertEquals(USABLE, again.size());
        assertTrue(!again.contains(Fixture.ip("10.244.0.200")), "the reserved address stayed out");
        assertTrue(IpamCheck.run(store).clean());
    }
}
