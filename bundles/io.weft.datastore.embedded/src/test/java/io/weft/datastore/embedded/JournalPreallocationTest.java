package io.weft.datastore.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.weft.api.datastore.Datastore;
import io.weft.api.datastore.KeyValue;
import io.weft.api.datastore.Snapshot;

/**
 * The journal with zeros written ahead of its records (fsync on, as in production): recovery
 * finds the end of the records in the zeros, keeps the zeros, and cuts anything else that
 * follows the last good record, so that no torn or stale record is ever read as data.
 */
class JournalPreallocationTest {

    private static final long AHEAD = 64 * 1024;
    private static final long BIG_THRESHOLD = 64L << 20;

    @TempDir
    Path dir;

    private final List<EmbeddedDatastore> opened = new ArrayList<>();

    private EmbeddedDatastore open(long snapshotThreshold) throws Exception {
        EmbeddedDatastore store = EmbeddedDatastore.durable(dir, snapshotThreshold, AHEAD);
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

    private static void putNumbered(Datastore store, int from, int to) throws Exception {
        for (int i = from; i <= to; i++) {
            store.put("/k/" + i, bytes("v" + i), Datastore.NO_LEASE);
        }
    }

    private static List<String> numbered(Datastore store) throws Exception {
        List<String> out = new ArrayList<>();
        for (KeyValue kv : store.list("/k/").entries()) {
            out.add(kv.key() + "=" + kv.valueAsString() + "@" + kv.modRevision());
        }
        out.sort((a, b) -> Integer.compare(Integer.parseInt(a.substring(3, a.indexOf('='))),
                Integer.parseInt(b.substring(3, b.indexOf('=')))));
        return out;
    }

    private static List<String> expected(int count) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            out.add("/k/" + i + "=v" + i + "@" + i);
        }
        return out;
    }

    /** The background thread writes the zeros: polls until the file is at least {@code bytes} long. */
    private static void awaitFileSize(EmbeddedDatastore store, long bytes) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (store.journalFileBytes() < bytes) {
            assertTrue(System.nanoTime() - deadline < 0, "the journal file stayed at " + store.journalFileBytes()
                    + " bytes, expected zeros ahead of the records up to " + bytes);
            Thread.sleep(5);
        }
    }

    @Test
    void zerosAheadOfTheRecordsSurviveAReopenAndTheRecordsEndBeforeThem() throws Exception {
        EmbeddedDatastore first = open(BIG_THRESHOLD);
        putNumbered(first, 1, 10);
        long records = first.journalBytes();
        awaitFileSize(first, AHEAD);
        first.close();
        long fileSize = Files.size(journal());
        byte[] tail = Arrays.copyOfRange(Files.readAllBytes(journal()), (int) records, (int) fileSize);
        assertEquals(fileSize - records, countZeros(tail), "everything after the records is zeros");

        EmbeddedDatastore second = open(BIG_THRESHOLD);

        assertEquals(expected(10), numbered(second));
        assertEquals(10, second.revision());
        assertEquals(records, second.journalBytes());
        assertTrue(Files.size(journal()) >= fileSize, "the zeros are kept, not cut");
        // the zero writer tops the file up to AHEAD past the records (it may already have): once it
        // has, a record written over the zeros leaves the file's size alone
        awaitFileSize(second, records + AHEAD);
        long settled = Files.size(journal());
        assertEquals(11, second.put("/k/11", bytes("v11"), Datastore.NO_LEASE).modRevision());
        assertEquals(settled, Files.size(journal()), "a record over zeros does not grow the file");
        second.close();
        assertEquals(expected(11), numbered(open(BIG_THRESHOLD)));
    }

    private static long countZeros(byte[] bytes) {
        long n = 0;
        for (byte b : bytes) {
            if (b == 0) {
                n++;
            }
        }
        return n;
    }

    /**
     * The worst leftover of a crash: the batch's first record never landed (zeros where its header
     * should be), a later one of the same batch did, whole and with a valid checksum. Recovery
     * must stop at the zeros and cut the stale record: else, once a new record of just the
     * right length fills the gap, it would be read as the next change, inventing a write.
     */
    @Test
    void aValidRecordBeyondTheEndIsCutSoNoLaterWriteCanMakeItReadable(@TempDir Path elsewhere) throws Exception {
        byte[] stale = recordOfAnotherStore(elsewhere);
        EmbeddedDatastore first = open(BIG_THRESHOLD);
        putNumbered(first, 1, 10);
        long records = first.journalBytes();
        first.put("/k/11", bytes("v11"), Datastore.NO_LEASE);
        long recordLength = first.journalBytes() - records; // what the next put of /k/11 writes again
        first.close();
        try (FileChannel file = FileChannel.open(journal(), StandardOpenOption.WRITE)) {
            file.write(ByteBuffer.allocate((int) recordLength), records); // /k/11's record never landed
            file.write(ByteBuffer.wrap(stale), records + recordLength); // the batch's next one did
            file.force(true);
        }

        EmbeddedDatastore second = open(BIG_THRESHOLD);
        assertEquals(expected(10), numbered(second));
        assertEquals(records, second.journalBytes());
        assertEquals(11, second.put("/k/11", bytes("v11"), Datastore.NO_LEASE).modRevision());
        assertEquals(records + recordLength, second.journalBytes(), "the same length as the record lost");
        second.close();

        EmbeddedDatastore third = open(BIG_THRESHOLD);
        assertEquals(expected(11), numbered(third), "the stale /k/12 must not come back");
        assertEquals(11, third.revision());
        assertEquals(Optional.empty(), third.get("/k/12"));
    }

    /** The bytes of the journal record that puts /k/12 = stale at revision 12, written by another store. */
    private static byte[] recordOfAnotherStore(Path elsewhere) throws Exception {
        try (EmbeddedDatastore other = new EmbeddedDatastore(elsewhere, BIG_THRESHOLD)) {
            putNumbered(other, 1, 11);
            long before = other.journalBytes();
            other.put("/k/12", bytes("stale"), Datastore.NO_LEASE);
            byte[] all = Files.readAllBytes(elsewhere.resolve(JournalFile.JOURNAL));
            return Arrays.copyOfRange(all, (int) before, all.length);
        }
    }

    @Test
    void aTornRecordInTheZerosIsCutAndTheWritesBeforeItKept() throws Exception {
        EmbeddedDatastore first = open(BIG_THRESHOLD);
        putNumbered(first, 1, 10);
        long records = first.journalBytes();
        first.close();
        try (FileChannel file = FileChannel.open(journal(), StandardOpenOption.WRITE)) {
            // a header promising 40 bytes, then only part of them: a write cut short
            file.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 40, 1, 2, 3, 4, 9, 9, 9}), records);
        }

        EmbeddedDatastore second = open(BIG_THRESHOLD);

        assertEquals(expected(10), numbered(second));
        assertEquals(records, second.journalBytes());
        putNumbered(second, 11, 20);
        second.close();
        assertEquals(expected(20), numbered(open(BIG_THRESHOLD)));
    }

    @Test
    void aSnapshotEmptiesThePreallocatedJournalAndWritesGoOnAfterIt() throws Exception {
        EmbeddedDatastore first = open(1024);
        putNumbered(first, 1, 40);
        assertTrue(first.journalBytes() >= 1024);
        Snapshot before = first.list("");

        first.compactIfDue();

        assertTrue(Files.exists(dir.resolve(JournalFile.SNAPSHOT)));
        assertEquals(0, first.journalBytes());
        putNumbered(first, 41, 45);
        awaitFileSize(first, AHEAD);
        first.close();

        EmbeddedDatastore second = open(1024);
        assertEquals(expected(45), numbered(second));
        assertEquals(before.revision() + 5, second.revision());
    }

    @Test
    void writersThatOutrunTheBackgroundZerosExtendTheFileThemselves() throws Exception {
        EmbeddedDatastore first = open(BIG_THRESHOLD);
        byte[] big = new byte[40 * 1024]; // more than half the zeros ahead per write
        Arrays.fill(big, (byte) 'x');
        for (int i = 1; i <= 20; i++) {
            first.put("/big/" + i, big, Datastore.NO_LEASE);
        }
        assertTrue(first.journalFileBytes() >= first.journalBytes());
        first.close();

        EmbeddedDatastore second = open(BIG_THRESHOLD);
        assertEquals(20, second.list("/big/").entries().size());
        for (KeyValue kv : second.list("/big/").entries()) {
            assertTrue(Arrays.equals(big, kv.value()), kv.key());
        }
        assertEquals(20, second.revision());
    }
}
