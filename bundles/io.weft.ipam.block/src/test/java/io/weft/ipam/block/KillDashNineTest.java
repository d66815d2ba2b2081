package io.weft.ipam.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.weft.api.model.IPAMHandle;
import io.weft.api.model.ResourceKind;
import io.weft.api.resource.ResourceStore;
import io.weft.datastore.embedded.EmbeddedDatastore;

/**
 * A real allocating process (a child JVM, {@link AllocatingNode}) is killed with SIGKILL at
 * random moments, five times, each time restarted on the same embedded store; then a fresh
 * process repairs. No acknowledged allocation may be lost, no address may be held twice, and
 * {@code ipam check} must be clean.
 */
class KillDashNineTest {

    private static final Pattern ASSIGNED = Pattern.compile("A (\\S+) (\\S+) ok");
    private static final Pattern RELEASED = Pattern.compile("R (\\S+) ok");
    private static final Pattern RELEASING = Pattern.compile("releasing (\\S+)");
    private static final int KILLS = 5;

    @TempDir
    Path dir;

    @Test
    void killingTheAllocatorAtRandomMomentsLosesAndDuplicatesNothing() throws Exception {
        Path data = dir.resolve("datastore");
        try (EmbeddedDatastore setup = Fixture.embedded(data)) {
            ResourceStore store = Fixture.over(setup);
            // small blocks: claims (three writes each) happen often, so kills land in them too
            store.create(Fixture.pool("default-ipv4", "10.0.0.0/22", 29));
            Fixture.nodes(store, "n1", "n2");
        }
        Random random = new Random(20261122L);
        Map<String, String> acknowledged = new LinkedHashMap<>(); // live handle -> address
        // a release the kill interrupted may or may not have happened: held fully or not at all
        Map<String, String> releaseInterrupted = new LinkedHashMap<>();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        int lines = 0;
        for (int run = 0; run < KILLS; run++) {
            // a file, not a pipe: a killed child's pipe loses what it held, a file keeps every line
            Path out = dir.resolve("run-" + run + ".out");
            Path err = dir.resolve("run-" + run + ".err");
            Process child = new ProcessBuilder(java.toString(), "-XX:TieredStopAtLevel=1", "-cp",
                    System.getProperty("java.class.path"), AllocatingNode.class.getName(), data.toString(),
                    "r" + run, Long.toString(random.nextLong())).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (child.isAlive() && Files.size(out) == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                Thread.sleep(100 + random.nextInt(500)); // somewhere in the middle of its work
                assertTrue(child.isAlive(), () -> "the allocator died on its own: " + read(err));
            } finally {
                child.destroyForcibly(); // SIGKILL
            }
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            String releasing = null;
            for (String line : Files.readAllLines(out)) {
                Matcher a = ASSIGNED.matcher(line);
                Matcher r = RELEASED.matcher(line);
                Matcher started = RELEASING.matcher(line);
                if (started.matches()) {
                    releasing = started.group(1);
                    continue;
                }
                releasing = null;
                if (a.matches()) {
                    acknowledged.put(a.group(1), a.group(2));
                    lines++;
                } else if (r.matches()) {
                    acknowledged.remove(r.group(1));
                    lines++;
                }
            }
            if (releasing != null && acknowledged.containsKey(releasing)) {
                releaseInterrupted.put(releasing, acknowledged.remove(releasing));
            }
        }
        assertTrue(lines > 100, "the allocator acknowledged only " + lines + " requests in " + KILLS + " runs");

        try (EmbeddedDatastore reopened = Fixture.embedded(data)) {
            ResourceStore store = Fixture.over(reopened);
            BlockIpam ipam = new BlockIpam(store);
            IpamCheck repaired = ipam.repair();
            assertTrue(repaired.clean(), repaired::toString);

            // every acknowledged, unreleased pod still holds exactly its address
            for (Map.Entry<String, String> e : acknowledged.entrySet()) {
                assertEquals(List.of(InetAddress.getByName(e.getValue())), ipam.addressesOf(e.getKey()),
                        "acknowledged pod " + e.getKey() + " lost its address");
            }
            for (Map.Entry<String, String> e : releaseInterrupted.entrySet()) {
                List<InetAddress> held = ipam.addressesOf(e.getKey());
                assertTrue(held.isEmpty() || held.equals(List.of(InetAddress.getByName(e.getValue()))),
                        e.getKey() + ", released when killed, holds " + held);
            }
            // no address held by two handles; pods whose start was cut short hold at most one
            Map<InetAddress, String> owner = new HashMap<>();
            for (IPAMHandle h : store.list(ResourceKind.IPAM_HANDLE, null)) {
                String id = Inventory.handleId(h);
                List<InetAddress> held = ipam.addressesOf(id);
                assertTrue(held.size() <= 1, id + " holds " + held);
                for (InetAddress a : held) {
                    String before = owner.put(a, id);
                    assertEquals(null, before, a + " is held by " + before + " and " + id);
                }
            }
            // the unacknowledged leftovers are releasable like any pod (a retried CNI DEL)
            for (IPAMHandle h : store.list(ResourceKind.IPAM_HANDLE, null)) {
                String id = Inventory.handleId(h);
                if (!acknowledged.containsKey(id)) {
                    ipam.releaseHandle(id);
                }
            }
            IpamCheck end = ipam.check();
            assertTrue(end.clean(), end::toString);
            assertEquals(acknowledged.size(), store.list(ResourceKind.IPAM_HANDLE, null).size());
            long inUse = 0;
            for (var b : store.list(ResourceKind.IPAM_BLOCK, null)) {
                inUse += BlockState.of(b.spec()).inUse();
            }
            assertEquals(acknowledged.size(), inUse, "addresses in use = acknowledged live pods");
            ipam.close();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
