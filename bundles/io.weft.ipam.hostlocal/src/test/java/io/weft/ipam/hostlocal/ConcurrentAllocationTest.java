package io.weft.ipam.hostlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.weft.api.ipam.AssignRequest;
import io.weft.api.ipam.IpamException;
import io.weft.api.ipam.IpamException.Reason;
import io.weft.api.net.Cidr;
import io.weft.api.resource.ResourceStore;

/**
 * Eight threads as four nodes (two each, every thread its own provider instance, as separate
 * processes would be) start at once, so they race for ranges (the pool has exactly four, and
 * the names' hashes collide) and then assign and release at random until ranges run out. No
 * address may ever be held twice, and at the end the store holds exactly what the threads hold.
 */
class ConcurrentAllocationTest {

    private static final String POOL = "10.244.0.0/26";
    private static final int NODES = 4;
    private static final int THREADS_PER_NODE = 2;
    private static final long RUN_MILLIS = 3_000;

    @Test
    void noAddressIsEverHeldTwice() throws Exception {
        ResourceStore store = Fixture.memoryStore();
        store.create(Fixture.pool("small", POOL));
        Map<InetAddress, String> owners = new ConcurrentHashMap<>();
        List<String> failures = new CopyOnWriteArrayList<>();
        AtomicLong assigned = new AtomicLong();
        AtomicLong released = new AtomicLong();
        AtomicLong exhausted = new AtomicLong();
        AtomicLong conflicts = new AtomicLong();
        CyclicBarrier start = new CyclicBarrier(NODES * THREADS_PER_NODE);
        long deadline = System.nanoTime() + RUN_MILLIS * 1_000_000L;

        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < NODES * THREADS_PER_NODE; t++) {
            String node = "node-" + (t % NODES);
            String me = "t" + t;
            HostLocalIpam ipam = new HostLocalIpam(store, "", 28);
            threads.add(new Thread(() -> {
                List<String> mine = new ArrayList<>();
                int seq = 0;
                try {
                    start.await();
                    while (System.nanoTime() < deadline) {
                        ThreadLocalRandom rnd = ThreadLocalRandom.current();
                        if (mine.isEmpty() || rnd.nextInt(10) < 6) {
                            String handle = me + "-" + seq++;
                            try {
                                InetAddress a = ipam.assign(AssignRequest.podIpv4(handle, node, Map.of("pod", handle)))
                                        .addresses().get(0).address();
                                String before = owners.putIfAbsent(a, handle);
                                if (before != null) {
                                    failures.add(Cidr.format(a) + " handed to " + handle + " while " + before
                                            + " holds it");
                                }
                                mine.add(handle);
                                assigned.incrementAndGet();
                            } catch (IpamException e) {
                                if (e.reason() == Reason.EXHAUSTED) {
                                    exhausted.incrementAndGet();
                                    release(ipam, mine, owners, rnd, conflicts, failures);
                                    released.incrementAndGet();
                                } else if (e.reason() == Reason.CONFLICT) {
                                    conflicts.incrementAndGet();
                                } else {
                                    failures.add(handle + ": " + e);
                                }
                            }
                        } else {
                            release(ipam, mine, owners, rnd, conflicts, failures);
                            released.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    failures.add(me + ": " + e);
                }
            }, "allocator-" + me));
        }
        long t0 = System.nanoTime();
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("host-local: %d assigned, %d released, %d exhausted, %d CAS give-ups in %.1f s"
                + " (%.0f assignments/s, %d threads, %d nodes)%n", assigned.get(), released.get(), exhausted.get(),
                conflicts.get(), seconds, assigned.get() / seconds, threads.size(), NODES);

        assertEquals(List.of(), failures);
        assertTrue(exhausted.get() > 0, "the ranges ran out at least once");
        assertTrue(conflicts.get() * 100 <= assigned.get(), "give-ups stay rare: " + conflicts + " of " + assigned);

        // the store holds exactly what the threads hold, each node one range of its own
        RangeBook book = new RangeBook(store, RangeSettings.DEFAULTS);
        Map<InetAddress, String> stored = new HashMap<>();
        Set<Cidr> ranges = new HashSet<>();
        for (NodeRecord rec : book.records()) {
            assertTrue(ranges.add(rec.range()), "range " + rec.range() + " given twice");
            rec.allocations().forEach((ip, a) -> {
                stored.put(ip, a.handleId());
                assertTrue(rec.range().contains(ip));
            });
        }
        assertEquals(NODES, ranges.size());
        assertEquals(new HashMap<>(owners), stored);
        Map<Cidr, String> claimed = new HashMap<>();
        for (RangeClaim c : book.claims()) {
            if (!c.free()) {
                claimed.put(c.range(), c.owner());
            }
        }
        assertEquals(ranges, claimed.keySet(), "no range claimed but unused");

        // everything released: each node gets all 14 addresses of its range again
        HostLocalIpam ipam = new HostLocalIpam(store, "", 28);
        assertEquals(owners.size(), ipam.releaseAddresses(new ArrayList<>(owners.keySet())).size());
        for (int n = 0; n < NODES; n++) {
            Set<InetAddress> got = new HashSet<>();
            for (int i = 0; i < 14; i++) {
                got.add(ipam.assign(AssignRequest.podIpv4("again-" + n + "-" + i, "node-" + n, Map.of()))
                        .addresses().get(0).address());
            }
            assertEquals(14, got.size());
        }
    }

    private static void release(HostLocalIpam ipam, List<String> mine, Map<InetAddress, String> owners,
            ThreadLocalRandom rnd, AtomicLong conflicts, List<String> failures) {
        if (mine.isEmpty()) {
            return;
        }
        String handle = mine.remove(rnd.nextInt(mine.size()));
        // forget the address before the store frees it: another thread may get it at once
        List<InetAddress> held = new ArrayList<>();
        owners.forEach((a, h) -> {
            if (h.equals(handle)) {
                held.add(a);
            }
        });
        held.forEach(owners::remove);
        try {
            List<InetAddress> freed = rnd.nextBoolean() ? ipam.releaseHandle(handle) : ipam.releaseAddresses(held);
            if (!freed.equals(held)) {
                failures.add("release of " + handle + " freed " + freed + ", expected " + held);
            }
        } catch (IpamException e) {
            held.forEach(a -> owners.put(a, handle));
            mine.add(handle);
            if (e.reason() == Reason.CONFLICT) {
                conflicts.incrementAndGet();
            } else {
                failures.add("release " + handle + ": " + e);
            }
        }
    }
}
