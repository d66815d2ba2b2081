package io.weft.datastore.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.weft.api.datastore.Datastore;
import io.weft.api.datastore.KeyValue;
import io.weft.api.datastore.Snapshot;
import io.weft.datastore.kv.WatchRecorder;

/** What the embedded store brings back from its directory after a stop, a crash or a torn write. */
class EmbeddedRecoveryTest {

    private static final long BIG_THRESHOLD = 64L * 1024 * 1024;

    @TempDir
    Path dir;

    private final List<EmbeddedDatastore> opened = new ArrayList<>();

    private EmbeddedDatastore open() throws Exception {
        return open(BIG_THRESHOLD);
    }

    private EmbeddedDatastore open(long snapshotThreshold) throws Exception {
        EmbeddedDatastore store = new EmbeddedDatastore(dir, snapshotThreshold);
        opened.add(store);
        return store;
    }

    private EmbeddedDatastore track(EmbeddedDatastore store) {
        opened.add(store);
        return store;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(EmbeddedDatastore::close);
    }

    private Path journal() {
        return dir.resolve(JournalFile.JOURNAL);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String valueOf(Datastore store, String key) throws Exception {
        return store.get(key).map(KeyValue::valueAsString).orElse(null);
    }

    /** Puts /k/1../k/count = v1..; returns the journal size after each put (index 0: before any). */
    private List<Long> writeNumbered(Datastore store, int count) throws Exception {
        List<Long> sizes = new ArrayList<>();
        sizes.add(Files.size(journal()));
        for (int i = 1; i <= count; i++) {
            store.put("/k/" + i, bytes("v" + i), Datastore.NO_LEASE);
            sizes.add(Files.size(journal()));
        }
        return sizes;
    }

    private static void assertNumbered(Datastore store, int count) throws Exception {
        List<String> expected = new ArrayList<>();
        List<String> actual = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            expected.add("/k/" + i + "=v" + i + " @" + i);
        }
        for (KeyValue kv : store.list("/k/").entries()) {
            actual.add(kv.key() + "=" + kv.valueAsString() + " @" + kv.modRevision());
        }
        actual.sort((a, b) -> Integer.compare(number(a), number(b)));
        assertEquals(expected, actual);
        assertEquals(count, store.revision());
    }

    private static int number(String line) {
        return Integer.parseInt(line.substring(3, line.indexOf('=')));
    }

    // ---- clean restarts -----------------------------------------------------------------

    @Test
    void stateAndRevisionsSurviveCloseAndReopen() throws Exception {
        EmbeddedDatastore first = open();
        KeyValue a = first.create("/a", bytes("1"), Datastore.NO_LEASE); // 1
        KeyValue b = first.put("/b", bytes("x"), Datastore.NO_LEASE); // 2
        KeyValue a2 = first.update("/a", bytes("2"), a.modRevision()); // 3
        first.delete("/b", b.modRevision()); // 4
        KeyValue c = first.put("/c", bytes("gone and back"), Datastore.NO_LEASE); // 5
        first.close();

        EmbeddedDatastore second = open();
        assertEquals(5, second.revision());
        assertEquals(Optional.of(a2), second.get("/a"));
        assertEquals(new KeyValue("/a", bytes("2"), 1, 3, 2, Datastore.NO_LEASE), a2);
        assertEquals(Optional.empty(), second.get("/b"));
        assertEquals(Optional.of(c), second.get("/c"));
        assertEquals(6, second.put("/d", bytes("next"), Datastore.NO_LEASE).modRevision());

        // the change history is not on disk: a watcher resuming from before the restart re-syncs
        WatchRecorder watcher = new WatchRecorder();
        second.watch("/", 3, watcher);
        Snapshot snapshot = watcher.nextSnapshot();
        assertEquals(6, snapshot.revision());
        assertEquals(List.of("/a", "/c", "/d"), snapshot.entries().stream().map(KeyValue::key).toList());
    }

    @Test
    void leasedKeysAreGoneAfterReopen() throws Exception {
        EmbeddedDatastore first = open();
        long lease = first.grantLease(Duration.ofMinutes(10));
        first.put("/weft/runtime/nodes/node-1", bytes("up"), lease); // 1
        first.put("/weft/v3/ippools/default", bytes("{}"), Datastore.NO_LEASE); // 2
        first.close();

        EmbeddedDatastore second = open();
        assertEquals(Optional.empty(), second.get("/weft/runtime/nodes/node-1"));
        assertEquals("{}", valueOf(second, "/weft/v3/ippools/default"));
        assertEquals(3, second.revision(), "the recovery deletion is a change like any other");
        second.close();

        // the deletion was journaled: a second restart does not bring the key back or move on
        EmbeddedDatastore third = open();
        assertEquals(Optional.empty(), third.get("/weft/runtime/nodes/node-1"));
        assertEquals(3, third.revision());
        assertEquals(4, third.put("/x", bytes("x"), Datastore.NO_LEASE).modRevision());
    }

    // ---- torn and corrupt journal tails -------------------------------------------------

    static Stream<Arguments> garbageTails() {
        return Stream.of(
                Arguments.of("one zero byte", new byte[] {0}),
                Arguments.of("half a record header", new byte[] {0, 0, 0, 40, 1}),
                Arguments.of("a header promising more than follows", new byte[] {0, 0, 0, 40, 1, 2, 3, 4, 9, 9, 9}),
                Arguments.of("a length far past the file", new byte[] {0x7f, -1, -1, -1, 0, 0, 0, 0, 1, 2, 3}),
                Arguments.of("a negative length", new byte[] {-1, -1, -1, -1, 0, 0, 0, 0}),
                Arguments.of("a whole record with a wrong checksum",
                        new byte[] {0, 0, 0, 4, 0x12, 0x34, 0x56, 0x78, 1, 2, 3, 4}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("garbageTails")
    void garbageAfterTheLastRecordIsCutOffAndEveryWriteBeforeItKept(String what, byte[] garbage) throws Exception {
        EmbeddedDatastore first = open();
        List<Long> sizes = writeNumbered(first, 10);
        first.close();
        Files.write(journal(), garbage, StandardOpenOption.APPEND);

        EmbeddedDatastore second = open();

        assertNumbered(second, 10);
        assertEquals(sizes.get(10), Files.size(journal()), "the garbage is cut from the file");
        assertEquals(11, second.put("/k/11", bytes("v11"), Datastore.NO_LEASE).modRevision());
        second.close();
        assertNumbered(open(), 11);
    }

    @Test
    void aRecordCutOffMidWayIsDroppedAndItsRevisionReused() throws Exception {
        EmbeddedDatastore first = open();
        List<Long> sizes = writeNumbered(first, 10);
        first.close();
        long lastRecordStart = sizes.get(9);
        try (RandomAccessFile file = new RandomAccessFile(journal().toFile(), "rw")) {
            file.setLength(lastRecordStart + (sizes.get(10) - lastRecordStart) / 2);
        }

        EmbeddedDatastore second = open();

        assertNumbered(second, 9);
        assertEquals(lastRecordStart, Files.size(journal()));
        KeyValue next = second.put("/k/10", bytes("v10 again"), Datastore.NO_LEASE);
        assertEquals(new KeyValue("/k/10", bytes("v10 again"), 10, 10, 1, Datastore.NO_LEASE), next);
        second.close();
        assertEquals("v10 again", valueOf(open(), "/k/10"));
    }

    @Test
    void aLastRecordThatFailsItsChecksumIsDropped() throws Exception {
        EmbeddedDatastore first = open();
        List<Long> sizes = writeNumbered(first, 10);
        first.close();
        try (RandomAccessFile file = new RandomAccessFile(journal().toFile(), "rw")) {
            long lastByte = sizes.get(10) - 1; // inside the value of /k/10
            file.seek(lastByte);
            int b = file.read();
            file.seek(lastByte);
            file.write(b ^ 0x01);
        }

        EmbeddedDatastore second = open();

        assertNumbered(second, 9);
        assertEquals(sizes.get(9), Files.size(journal()));
        assertEquals(10, second.put("/k/10", bytes("v10"), Datastore.NO_LEASE).modRevision());
        second.close();
        assertNumbered(open(), 10);
    }

    // ---- snapshots ----------------------------------------------------------------------

    /** Enough changes (puts, updates, deletes) to grow the journal past the 1 KiB minimum threshold. */
    private static void churn(Datastore store) throws Exception {
        for (int i = 0; i < 30; i++) {
            store.put("/churn/" + i, bytes("value number " + i + " with some padding"), Datastore.NO_LEASE);
        }
        for (int i = 0; i < 30; i += 3) {
            KeyValue kv = store.get("/churn/" + i).orElseThrow();
            store.update("/churn/" + i, bytes("updated " + i), kv.modRevision());
        }
        for (int i = 1; i < 30; i += 3) {
            store.delete("/churn/" + i, store.get("/churn/" + i).orElseThrow().modRevision());
        }
    }

    @Test
    void compactionWritesASnapshotEmptiesTheJournalAndReopenRestoresEverything() throws Exception {
        EmbeddedDatastore first = open(1024);
        first.put("/small", bytes("x"), Datastore.NO_LEASE);
        first.compactIfDue();
        assertFalse(Files.exists(dir.resolve(JournalFile.SNAPSHOT)), "no snapshot while the journal is small");

        churn(first);
        Snapshot before = first.list("");
        assertTrue(Files.size(journal()) >= 1024);

        first.compactIfDue();

        assertTrue(Files.exists(dir.resolve(JournalFile.SNAPSHOT)));
        assertFalse(Files.exists(dir.resolve(JournalFile.SNAPSHOT + ".tmp")));
        assertEquals(0, Files.size(journal()));
        KeyValue after = first.put("/after-snapshot", bytes("y"), Datastore.NO_LEASE);
        assertEquals(before.revision() + 1, after.modRevision());
        assertTrue(Files.size(journal()) > 0, "changes after the snapshot go to the journal");
        first.close();

        EmbeddedDatastore second = open(1024);
        List<KeyValue> expected = new ArrayList<>(before.entries());
        expected.add(0, after); // "/after-snapshot" sorts first
        assertEquals(expected, second.list("").entries());
        assertEquals(before.revision() + 1, second.revision());
        assertEquals(before.revision() + 2, second.put("/next", bytes("z"), Datastore.NO_LEASE).modRevision());
    }

    @Test
    void aCrashBetweenSnapshotRenameAndJournalTruncationNeitherDuplicatesNorRegresses() throws Exception {
        EmbeddedDatastore first = open(1024);
        churn(first);
        Snapshot before = first.list("");
        Path oldJournal = dir.resolve("journal-before-snapshot.copy"); // recovery ignores other files
        Files.copy(journal(), oldJournal);
        first.compactIfDue();
        assertEquals(0, Files.size(journal()));
        first.close();
        // as if the process died after the rename, before the journal was emptied
        Files.copy(oldJournal, journal(), StandardCopyOption.REPLACE_EXISTING);

        EmbeddedDatastore second = open(1024);
        assertEquals(before.entries(), second.list("").entries());
        assertEquals(before.revision(), second.revision());
        KeyValue next = second.put("/churn/0", bytes("after the crash"), Datastore.NO_LEASE);
        assertEquals(before.revision() + 1, next.modRevision());
        second.close();

        EmbeddedDatastore third = open(1024);
        assertEquals(before.revision() + 1, third.revision());
        assertEquals(Optional.of(next), third.get("/churn/0"));
        TreeMap<String, KeyValue> expected = new TreeMap<>();
        before.entries().forEach(kv -> expected.put(kv.key(), kv));
        expected.put(next.key(), next);
        assertEquals(List.copyOf(expected.values()), third.list("").entries());

        third.compactIfDue(); // the stale records are folded away for good
        assertEquals(0, Files.size(journal()));
        third.close();
        assertEquals(List.copyOf(expected.values()), open(1024).list("").entries());
    }

    @Test
    void aSnapshotThatIsNotOneFailsTheStartNamingTheFile() throws Exception {
        Files.write(dir.resolve(JournalFile.SNAPSHOT), bytes("this is not a snapshot, it is a text file"));
        long leaseThreads = liveThreads("weft-datastore-leases-");

        IOException e = assertThrows(IOException.class, this::open);

        assertEquals(dir.resolve(JournalFile.SNAPSHOT)
                + " is not a Weft snapshot; move it away to start from the journal alone", e.getMessage());
        assertTrue(awaitThreads("weft-datastore-leases-", leaseThreads),
                "a failed start must not leave the engine's threads running");
    }

    @Test
    void closeStopsTheCompactor() throws Exception {
        long before = liveThreads("weft-datastore-compactor");
        EmbeddedDatastore store = open();
        assertEquals(before + 1, liveThreads("weft-datastore-compactor"));

        store.close();

        assertTrue(awaitThreads("weft-datastore-compactor", before), "compactor still running after close()");
    }

    private static long liveThreads(String namePrefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(namePrefix))
                .count();
    }

    private static boolean awaitThreads(String namePrefix, long count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (liveThreads(namePrefix) != count) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    // ---- kill -9 ------------------------------------------------------------------------

    private static final Pattern ACK = Pattern.compile("ack (\\d+) (\\d+) ok");

    @Test
    void killDashNineLosesNoAcknowledgedWrite(@TempDir Path scratch) throws Exception {
        killMidStormAndCheck(scratch, "page-cache", 3000);
    }

    /**
     * fsync on and zeros written ahead of the records, as in production; the kill lands after a
     * random number of writes, while records go over zeros, zeros are appended, or a snapshot runs.
     */
    @Test
    void killDashNineWithAPreallocatedJournalLosesNoAcknowledgedWriteAndInventsNone(@TempDir Path scratch)
            throws Exception {
        killMidStormAndCheck(scratch, "durable", 2000 + new java.util.Random().nextInt(3000));
    }

    private void killMidStormAndCheck(Path scratch, String mode, int killAfter) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // stdout goes to a file, not a pipe: the JDK closes a killed child's pipes, losing the
        // acknowledgements still in them, while a file keeps every line the child wrote
        Path acks = scratch.resolve("child-stdout.txt");
        Path errors = scratch.resolve("child-stderr.txt");
        Process child = new ProcessBuilder(java.toString(), "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), StormWriter.class.getName(), dir.toString(), mode)
                .redirectOutput(acks.toFile())
                .redirectError(errors.toFile())
                .start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (child.isAlive() && Files.size(acks) < killAfter * 20L && System.nanoTime() - deadline < 0) {
                Thread.sleep(10);
            }
            assertTrue(child.isAlive(), () -> "the storm writer died on its own: " + read(errors));
        } finally {
            child.destroyForcibly(); // SIGKILL, mid-storm: the child is writing as fast as it can
        }
        assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        TreeMap<Long, Long> acked = new TreeMap<>(); // n -> revision
        for (String line : Files.readAllLines(acks)) {
            Matcher m = ACK.matcher(line);
            if (m.matches()) { // a line the kill cut short lacks its "ok": not acknowledged
                acked.put(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
            }
        }
        assertTrue(acked.size() >= Math.min(killAfter, 3000) / 2, "the child (" + mode + ") acknowledged only "
                + acked.size() + " writes in 60 s");

        EmbeddedDatastore reopened = mode.equals("durable") ? track(EmbeddedDatastore.durable(dir, BIG_THRESHOLD, 32 * 1024))
                : open();

        for (var ack : acked.entrySet()) {
            String key = "/storm/" + ack.getKey();
            KeyValue kv = reopened.get(key).orElseThrow(() -> new AssertionError("acknowledged " + key + " is lost"));
            assertEquals("value-" + ack.getKey(), kv.valueAsString());
            assertEquals(ack.getValue(), kv.modRevision(), key);
        }
        // writes are sequential: what survived is /storm/0../storm/m with no hole
        List<KeyValue> all = reopened.list("/storm/").entries();
        long survivors = all.size();
        assertTrue(survivors >= acked.lastKey() + 1);
        for (long n = 0; n < survivors; n++) {
            Optional<KeyValue> kv = reopened.get("/storm/" + n);
            assertTrue(kv.isPresent(), "/storm/" + n + " missing among " + survivors);
            assertEquals("value-" + n, kv.get().valueAsString(), "nothing but what the child wrote");
            assertEquals(n + 1, kv.get().modRevision());
        }
        assertEquals(survivors, reopened.revision());
        assertEquals(survivors + 1, reopened.put("/after", bytes("x"), Datastore.NO_LEASE).modRevision());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
