package io.weft.datastore.embedded;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import io.weft.api.datastore.KeyValue;
import io.weft.api.datastore.Snapshot;
import io.weft.api.datastore.WatchEvent;
import io.weft.datastore.kv.Journal;

/**
 * The on-disk form of the embedded datastore: {@code snapshot.dat} (the whole state at one
 * revision, replaced atomically by rename) and {@code journal.wal} (every change after it).
 *
 * <p>Each journal record is {@code [length][crc32c][payload]}. A process killed mid-append leaves
 * at most one torn record at the tail; recovery detects it by length or checksum and cuts it
 * off. Such a write was never acknowledged, so nothing acknowledged is lost.
 *
 * <p>With preallocation a background thread keeps zeros written (and flushed) ahead of the
 * records: a flush of a write that does not change the file's size does not have to commit the
 * inode too, which made each fdatasync 20–45 % cheaper on this machine's disk. Zeros are only
 * ever written past {@code allocatedEnd}, records only before it. A length of zero ends the
 * records (no record is empty). Recovery keeps an all-zero tail and cuts anything else after
 * the last good record, so a torn record, or whole records of a batch behind it, can never be
 * read as data once new records are written over the start of that tail.
 */
final class JournalFile implements Journal {

    static final String JOURNAL = "journal.wal";
    static final String SNAPSHOT = "snapshot.dat";
    private static final long SNAPSHOT_MAGIC = 0x57454654534e4150L; // "WEFTSNAP"
    private static final byte PUT = 1;
    private static final byte DELETE = 2;
    private static final int MAX_RECORD = 64 * 1024 * 1024;

    private final Path dir;
    private final boolean fsync;
    /** How many bytes of zeros to keep ahead of the records; 0: the file ends with the last record. */
    private final long preallocateAhead;
    /**
     * Zeros are written in pieces of this size (256 KiB at most), each flushed on its own: a
     * writer's flush waits for a piece being written back, so pieces are kept small (a paired
     * probe of 8 KB writes with fdatasync beside the zeroing thread: 1 MiB pieces cost more in
     * the tail than 256 KiB ones; 32 KiB ones cost more flushes).
     */
    private final int zeroChunk;
    private FileChannel channel;
    private FileChannel lockChannel;
    /** Length of the journal up to the end of its last complete record (read by the compactor). */
    private volatile long end;
    /** The file's size: from {@link #end} to here it holds zeros. Changed under extendLock only. */
    private volatile long allocatedEnd;
    private final Object extendLock = new Object();
    private ByteBuffer zeros;
    /** The thread writing zeros ahead, and whether a request for it is pending or running. */
    private java.util.concurrent.ExecutorService extender;
    /** The zero writer's own handle on the journal (see {@link #recover()}). */
    private FileChannel zeroChannel;
    private final java.util.concurrent.atomic.AtomicBoolean extending = new java.util.concurrent.atomic.AtomicBoolean();
    /** Bytes ever appended (never reset) and how many of them are flushed: group commit's counters. */
    private volatile long appended;
    private long durable;
    private boolean syncing;
    private final Object syncLock = new Object();
    /** Records appended but not yet written, and the buffer the last batch was written from. */
    private final Object pendingLock = new Object();
    private ByteBuffer pending = ByteBuffer.allocate(64 * 1024);
    private ByteBuffer spare = ByteBuffer.allocate(64 * 1024);
    private final java.util.concurrent.atomic.AtomicLong flushes = new java.util.concurrent.atomic.AtomicLong();
    /**
     * Writers (one per acknowledged change, whatever its number of records) waiting on the
     * pending batch, and on the last batch taken; the end of the journal that batch took; all
     * under pendingLock.
     */
    private int pendingWriters;
    private int lastBatchWriters;
    private long takenUpTo;
    /** A leader waiting for the batch to fill ({@link #gather}), and how many writers it waits for. */
    private Thread gatherer;
    private int gatherTarget;
    /** Longest a leader waits for more records before it flushes what it has. */
    private static final long MAX_GATHER_NANOS = 150_000;

    long flushes() {
        return flushes.get();
    }
    /** Set when a batch could not be written: the disk no longer holds what memory does. */
    private volatile IOException damaged;

    /** What recovery found. */
    record Recovered(List<KeyValue> entries, long revision, long journalRecords, long tornBytes) {
    }

    JournalFile(Path dir, boolean fsync) {
        this(dir, fsync, 0);
    }

    JournalFile(Path dir, boolean fsync, long preallocateAhead) {
        if (preallocateAhead < 0) {
            throw new IllegalArgumentException("journal preallocation " + preallocateAhead
                    + " bytes must not be negative (0 turns preallocation off)");
        }
        this.dir = dir;
        this.fsync = fsync;
        this.preallocateAhead = preallocateAhead;
        this.zeroChunk = (int) Math.min(256 << 10, Math.max(4096, preallocateAhead));
    }

    /** Reads the snapshot and the journal, cuts a torn tail, and opens the journal for appending. */
    Recovered recover() throws IOException {
        Files.createDirectories(dir);
        lockDirectory();
        java.util.TreeMap<String, KeyValue> state = new java.util.TreeMap<>();
        long revision = readSnapshot(state);
        Path journal = dir.resolve(JOURNAL);
        long records = 0;
        long torn = 0;
        try (FileChannel in = FileChannel.open(journal, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            long size = in.size();
            if (size > Integer.MAX_VALUE - 8) {
                // reading only the first 2 GiB would cut every later (acknowledged) record as "torn"
                throw new IOException(journal + " is " + size + " bytes, more than recovery can read; "
                        + "snapshots have been failing (see the log), move the directory away and restore a backup");
            }
            ByteBuffer all = ByteBuffer.allocate((int) size);
            while (all.hasRemaining() && in.read(all) >= 0) {
                // read fully
            }
            all.flip();
            long good = 0;
            while (all.remaining() >= 8) {
                int length = all.getInt();
                int crc = all.getInt();
                // length 0: the zeros of a preallocated tail (or a record whose header never landed)
                if (length <= 0 || length > MAX_RECORD || length > all.remaining()) {
                    break;
                }
                byte[] payload = new byte[length];
                all.get(payload);
                if (crc32c(payload) != crc) {
                    break;
                }
                WatchEvent event = decode(ByteBuffer.wrap(payload));
                if (event.revision() > revision) {
                    if (event.type() == WatchEvent.Type.PUT) {
                        state.put(event.key(), event.current());
                    } else {
                        state.remove(event.key());
                    }
                    revision = event.revision();
                }
                records++;
                good = all.position();
            }
            boolean zeroTail = allZero(all, (int) good);
            torn = zeroTail ? 0 : size - good;
            if (good < size && (!zeroTail || preallocateAhead == 0)) {
                // anything but zeros after the last good record goes: new records will be written
                // from here, and what they do not overwrite must never be read as records
                in.truncate(good);
                in.force(true);
                size = good;
            }
            end = good;
            allocatedEnd = size;
        }
        // positional writes at end, not O_APPEND: with preallocation the file is longer than the records
        channel = FileChannel.open(journal, StandardOpenOption.WRITE);
        if (preallocateAhead > 0) {
            // its own file description: a writeback error is reported once per description, so the
            // zero writer's flush cannot take the error that the writers' own flush must see
            zeroChannel = FileChannel.open(journal, StandardOpenOption.WRITE);
            extender = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "weft-journal-preallocate");
                t.setDaemon(true);
                return t;
            });
            extendInBackground();
        }
        return new Recovered(new ArrayList<>(state.values()), revision, records, torn);
    }

    private static boolean allZero(ByteBuffer all, int from) {
        for (int i = from; i < all.limit(); i++) {
            if (all.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    private long readSnapshot(java.util.Map<String, KeyValue> state) throws IOException {
        Path snapshot = dir.resolve(SNAPSHOT);
        if (!Files.exists(snapshot)) {
            return 0;
        }
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(snapshot));
        if (buf.remaining() < 24 || buf.getLong() != SNAPSHOT_MAGIC) {
            throw new IOException(snapshot + " is not a Weft snapshot; move it away to start from the journal alone");
        }
        int crc = buf.getInt();
        ByteBuffer body = buf.slice();
        byte[] bytes = new byte[body.remaining()];
        body.duplicate().get(bytes);
        if (crc32c(bytes) != crc) {
            // snapshots are written to a temporary file and renamed, so this is disk corruption
            throw new IOException(snapshot + " fails its checksum (disk corruption?); restore it from a backup");
        }
        long revision = body.getLong();
        int count = body.getInt();
        for (int i = 0; i < count; i++) {
            KeyValue kv = decodeKeyValue(body);
            state.put(kv.key(), kv);
        }
        return revision;
    }

    /**
     * Encodes the record into the pending batch; no system call. The writer that leads the next
     * group commit writes the whole batch with one write and flushes it ({@link #awaitDurable}),
     * so eight concurrent writers cost one write and one fsync per group, not eight writes.
     */
    @Override
    public void append(WatchEvent event) throws IOException {
        if (damaged != null) {
            throw new IOException(dir.resolve(JOURNAL) + " could not be written (" + damaged.getMessage()
                    + "); restart the node runtime so recovery reads what is on disk", damaged);
        }
        KeyValue kv = event.current();
        byte[] key = kv.key().getBytes(StandardCharsets.UTF_8);
        int length = 1 + keyValueLength(key, kv);
        synchronized (pendingLock) {
            // encoded straight into the batch: a stored IPAM block is kilobytes, and staging it
            // in two temporary arrays first cost as much as the checksum and the write
            ensurePending(8 + length);
            int start = pending.position();
            pending.putInt(length).putInt(0); // the checksum follows once the payload is in place
            pending.put(event.type() == WatchEvent.Type.PUT ? PUT : DELETE);
            putKeyValue(pending, key, kv);
            CRC32C crc = new CRC32C();
            crc.update(pending.array(), pending.arrayOffset() + start + 8, length);
            pending.putInt(start + 4, (int) crc.getValue());
            appended += 8 + length;
        }
    }

    private void ensurePending(int more) {
        if (pending.remaining() < more) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(pending.capacity() * 2, pending.position() + more));
            pending.flip();
            bigger.put(pending);
            pending = bigger;
        }
    }

    /**
     * Group commit: the first writer to arrive writes the pending batch and flushes it (with
     * fsync on); writers that arrive meanwhile wait for that flush or lead the next one. One
     * write and one fsync thus acknowledge every writer whose record the batch held. A change is
     * acknowledged only after this returns, so with fsync off it has at least reached the
     * operating system (it survives {@code kill -9}).
     */
    @Override
    public void awaitDurable() throws IOException {
        long target;
        synchronized (pendingLock) {
            target = appended;
            if (target > takenUpTo) { // this writer's records wait in the pending batch
                pendingWriters++;
                if (gatherer != null && pendingWriters >= gatherTarget) {
                    java.util.concurrent.locks.LockSupport.unpark(gatherer);
                }
            }
        }
        while (true) {
            long upTo;
            synchronized (syncLock) {
                while (durable < target && syncing) {
                    try {
                        syncLock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException("interrupted waiting for the journal flush");
                    }
                }
                if (durable >= target) {
                    return;
                }
                if (damaged != null) {
                    throw new IOException("the journal could not be written: " + damaged.getMessage(), damaged);
                }
                syncing = true;
            }
            IOException failure = null;
            ByteBuffer batch;
            gather();
            synchronized (pendingLock) {
                upTo = appended;
                takenUpTo = upTo;
                lastBatchWriters = pendingWriters;
                pendingWriters = 0;
                batch = pending;
                batch.flip();
                pending = spare.clear();
                spare = batch;
            }
            try {
                int length = batch.remaining();
                long at = end;
                if (preallocateAhead > 0) {
                    if (at + length > allocatedEnd) {
                        extendTo(at + length); // the background thread fell behind: zeros up to the batch's end
                    }
                    if (allocatedEnd - (at + length) < preallocateAhead / 2) {
                        extendInBackground();
                    }
                }
                while (batch.hasRemaining()) {
                    channel.write(batch, at + batch.position());
                }
                end = at + length;
                if (fsync) {
                    flushes.incrementAndGet();
                    channel.force(false);
                }
            } catch (IOException e) {
                // Records of this batch were applied in memory but are not on disk: none of them
                // is acknowledged, and a partial record must not stay (recovery stops at the
                // first bad one). The store refuses further writes; a restart recovers the disk.
                failure = e;
                try {
                    synchronized (extendLock) {
                        channel.truncate(end);
                        allocatedEnd = end;
                    }
                } catch (IOException again) {
                    e.addSuppressed(again);
                }
                damaged = e;
            }
            synchronized (syncLock) {
                if (failure == null && damaged == null) { // damaged meanwhile: the zero writer's flush failed
                    durable = Math.max(durable, upTo);
                }
                syncing = false;
                syncLock.notifyAll();
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    /**
     * Lets the batch fill before the leader flushes it. Writers acknowledged by the last flush
     * come straight back with their next change; without this the leader would flush the one or
     * two records that arrived first and leave the rest for another fsync, so eight writers would
     * share a flush in small alternating groups. The leader waits until as many writers wait on
     * the pending batch as the last batch acknowledged, or at most {@link #MAX_GATHER_NANOS}; a
     * lone writer (last batch of one) never waits, however many records its changes have.
     */
    private void gather() {
        long deadline = System.nanoTime() + MAX_GATHER_NANOS;
        synchronized (pendingLock) {
            if (lastBatchWriters <= 1 || pendingWriters >= lastBatchWriters) {
                return;
            }
            gatherTarget = lastBatchWriters;
            gatherer = Thread.currentThread();
        }
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                synchronized (pendingLock) {
                    if (left <= 0 || pendingWriters >= gatherTarget) {
                        return;
                    }
                }
                java.util.concurrent.locks.LockSupport.parkNanos(this, left);
            }
        } finally {
            synchronized (pendingLock) {
                gatherer = null;
            }
        }
    }

    /**
     * Extends the file with zeros to at least {@code needed}, one piece at a time past
     * {@code allocatedEnd}. A crash leaves records, then zeros or nothing, so recovery sees the end.
     */
    private void extendTo(long needed) throws IOException {
        synchronized (extendLock) {
            while (allocatedEnd < needed) {
                appendZeroChunk(channel);
            }
        }
    }

    private void appendZeroChunk(FileChannel channel) throws IOException {
        if (zeros == null) {
            zeros = ByteBuffer.allocateDirect(zeroChunk);
        }
        long at = allocatedEnd;
        zeros.clear();
        while (zeros.hasRemaining()) {
            channel.write(zeros, at + zeros.position());
        }
        allocatedEnd = at + zeroChunk;
    }

    /** Asks the background thread to bring the zeros ahead of the records back to {@link #preallocateAhead}. */
    private void extendInBackground() {
        if (extender != null && extending.compareAndSet(false, true)) {
            try {
                extender.execute(this::extendAhead);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                extending.set(false);
            }
        }
    }

    private void extendAhead() {
        try {
            while (true) {
                synchronized (extendLock) {
                    if (!channel.isOpen() || damaged != null || allocatedEnd >= end + preallocateAhead) {
                        return;
                    }
                    appendZeroChunk(zeroChannel);
                }
                if (fsync) {
                    // flushed here, one piece at a time, so that a writer's flush does not carry them
                    zeroChannel.force(false);
                }
            }
        } catch (IOException e) {
            // fatal: this thread's force flushes the writers' pages too, and the kernel reports a
            // writeback error once per file, so a writer's own later flush could succeed over
            // records that never reached the disk
            org.slf4j.LoggerFactory.getLogger(JournalFile.class).error("{}: preallocating the journal failed: {}; "
                    + "the store refuses writes until the node runtime restarts", dir.resolve(JOURNAL), e.toString());
            markDamaged(e);
        } finally {
            extending.set(false);
        }
    }

    /** From now on every flush fails: what is on disk is unknown until a restart's recovery reads it. */
    private void markDamaged(IOException e) {
        synchronized (syncLock) {
            if (damaged == null) {
                damaged = e;
            }
            syncLock.notifyAll();
        }
    }

    /** Bytes of records in the journal (a preallocated file is longer). */
    long journalSize() {
        return end;
    }

    /** The file's length, zeros ahead of the records included. */
    long fileSize() throws IOException {
        return channel.size();
    }

    /**
     * Writes {@code state} as the new snapshot, then empties the journal. Writes must be paused;
     * a flush already under way (it runs outside the engine's lock) is waited for, since it
     * writes at the end this resets.
     */
    void compact(Snapshot state) throws IOException {
        synchronized (syncLock) {
            while (syncing) {
                try {
                    syncLock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted waiting for the journal flush");
                }
            }
            syncing = true;
        }
        try {
            compactExclusively(state);
        } finally {
            synchronized (syncLock) {
                syncing = false;
                syncLock.notifyAll();
            }
        }
    }

    private void compactExclusively(Snapshot state) throws IOException {
        int size = 8 + 4 + 8 + 4;
        List<byte[]> encoded = new ArrayList<>(state.entries().size());
        for (KeyValue kv : state.entries()) {
            byte[] e = encodeKeyValue(kv);
            encoded.add(e);
            size += e.length;
        }
        ByteBuffer body = ByteBuffer.allocate(size - 12);
        body.putLong(state.revision()).putInt(encoded.size());
        for (byte[] e : encoded) {
            body.put(e);
        }
        byte[] bodyBytes = body.array();
        ByteBuffer file = ByteBuffer.allocate(size);
        file.putLong(SNAPSHOT_MAGIC).putInt(crc32c(bodyBytes)).put(bodyBytes).flip();
        Path tmp = dir.resolve(SNAPSHOT + ".tmp");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (file.hasRemaining()) {
                out.write(file);
            }
            out.force(true);
        }
        Files.move(tmp, dir.resolve(SNAPSHOT), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        // the snapshot now holds everything the journal does; recovery skips journal records at
        // or below its revision, so a crash before this truncate is harmless
        // the whole file, preallocated zeros too; then zeros ahead again from 0
        try {
            synchronized (extendLock) {
                channel.truncate(0);
                // before the force: positional writes must start at 0 even if it fails
                end = 0;
                allocatedEnd = 0;
                channel.force(true);
            }
        } catch (IOException e) {
            // the snapshot is in place but the journal's state on disk is unknown: refuse writes,
            // and a restart recovers from the snapshot and whatever the journal holds
            markDamaged(e);
            throw e;
        }
        extendInBackground();
        synchronized (syncLock) {
            // the snapshot was forced to disk: everything appended so far is durable
            durable = Math.max(durable, appended);
            syncLock.notifyAll();
        }
    }

    @Override
    public void close() throws IOException {
        if (extender != null) {
            // not shutdownNow: an interrupt during its write would close the channel under the writers
            extender.shutdown();
            try {
                extender.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (zeroChannel != null) {
            zeroChannel.close();
        }
        if (channel != null) {
            if (channel.isOpen() && damaged == null) {
                awaitDurable(); // whatever a writer appended and nobody flushed yet (lease expiry)
            }
            channel.close();
        }
        if (lockChannel != null) {
            lockChannel.close(); // releases the lock
            lockChannel = null;
        }
    }

    /**
     * One process owns a data directory: a second writer would interleave journal records and
     * corrupt it. The lock is the operating system's, so it goes away with a killed process.
     */
    private void lockDirectory() throws IOException {
        FileChannel lockFile = FileChannel.open(dir.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        java.nio.channels.FileLock lock;
        try {
            lock = lockFile.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockFile.close();
            throw new IOException("the datastore directory " + dir + " is in use by another process or store "
                    + "(a running Weft node?); stop it, or administer through its console (weft:get …)");
        }
        lockChannel = lockFile;
    }

    private static WatchEvent decode(ByteBuffer buf) throws IOException {
        byte type = buf.get();
        KeyValue kv = decodeKeyValue(buf);
        return switch (type) {
            case PUT -> new WatchEvent(WatchEvent.Type.PUT, kv, null);
            case DELETE -> new WatchEvent(WatchEvent.Type.DELETE, kv, null);
            default -> throw new IOException("unknown journal record type " + type);
        };
    }

    private static byte[] encodeKeyValue(KeyValue kv) {
        byte[] key = kv.key().getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(keyValueLength(key, kv));
        putKeyValue(buf, key, kv);
        return buf.array();
    }

    private static int keyValueLength(byte[] key, KeyValue kv) {
        return 8 * 4 + 4 + key.length + 4 + kv.value().length;
    }

    private static void putKeyValue(ByteBuffer buf, byte[] key, KeyValue kv) {
        buf.putLong(kv.createRevision()).putLong(kv.modRevision()).putLong(kv.version()).putLong(kv.leaseId());
        buf.putInt(key.length).put(key).putInt(kv.value().length).put(kv.value());
    }

    private static KeyValue decodeKeyValue(ByteBuffer buf) {
        long create = buf.getLong();
        long mod = buf.getLong();
        long version = buf.getLong();
        long lease = buf.getLong();
        byte[] key = new byte[buf.getInt()];
        buf.get(key);
        byte[] value = new byte[buf.getInt()];
        buf.get(value);
        return new KeyValue(new String(key, StandardCharsets.UTF_8), value, create, mod, version, lease);
    }

    private static int crc32c(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return (int) crc.getValue();
    }
}
