package io.weft.datastore.embedded;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.weft.api.datastore.Datastore;
import io.weft.api.datastore.DatastoreException;
import io.weft.api.provider.WeftProvider;
import io.weft.datastore.kv.RevisionedStore;

/**
 * The default datastore: the in-memory engine made durable by a write-ahead journal and
 * periodic snapshots in one directory. One process owns the directory; clusters of more than
 * one machine use etcd.
 *
 * <p>Leases do not survive a restart: keys written on a lease (runtime registrations, status)
 * belong to a process that is gone, so recovery deletes them, as if their TTL had run out.
 */
@Component(service = Datastore.class, configurationPid = EmbeddedDatastoreConfig.PID)
@Designate(ocd = EmbeddedDatastoreConfig.class)
@WeftProvider("embedded")
public class EmbeddedDatastore extends RevisionedStore {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatastore.class);

    private final JournalFile journal;
    private final long snapshotThresholdBytes;
    private final ScheduledExecutorService compactor;

    @Activate
    public EmbeddedDatastore(EmbeddedDatastoreConfig config) throws IOException, DatastoreException {
        this(new JournalFile(dataDir(config.dataDir()), config.fsync(), preallocation(config)),
                dataDir(config.dataDir()), config.snapshotThresholdMiB() * 1024L * 1024L);
    }

    private static long preallocation(EmbeddedDatastoreConfig config) {
        if (config.journalPreallocateMiB() < 0) {
            throw new IllegalArgumentException("journalPreallocateMiB " + config.journalPreallocateMiB()
                    + " must not be negative; 0 turns journal preallocation off, the default is 8");
        }
        return config.journalPreallocateMiB() * 1024L * 1024L;
    }

    EmbeddedDatastore(Path dir, long snapshotThresholdBytes) throws IOException, DatastoreException {
        this(new JournalFile(dir, false), dir, snapshotThresholdBytes);
    }

    /** A store that flushes to disk before acknowledging, journal preallocated (the production default). */
    static EmbeddedDatastore durable(Path dir) throws IOException, DatastoreException {
        return durable(dir, 64L << 20, DEFAULT_PREALLOCATION);
    }

    /** Flushing before acknowledging, with the given snapshot threshold and journal preallocation. */
    static EmbeddedDatastore durable(Path dir, long snapshotThresholdBytes, long preallocateBytes)
            throws IOException, DatastoreException {
        return new EmbeddedDatastore(new JournalFile(dir, true, preallocateBytes), dir, snapshotThresholdBytes);
    }

    static final long DEFAULT_PREALLOCATION = 8L << 20;

    /** Bytes of records in the journal, and the file's length (zeros written ahead included). */
    long journalBytes() {
        return journal.journalSize();
    }

    long journalFileBytes() throws IOException {
        return journal.fileSize();
    }

    /** How many disk flushes the journal has done (group commit makes this far fewer than writes). */
    long journalFlushes() {
        return journal.flushes();
    }

    /** For tests: a short watch history and a lease clock the test moves. */
    EmbeddedDatastore(Path dir, long snapshotThresholdBytes, int historyLimit, LongSupplier nanoClock)
            throws IOException, DatastoreException {
        this(new JournalFile(dir, false), dir, snapshotThresholdBytes, historyLimit, nanoClock);
    }

    /** For tests: as above, flushing before acknowledging, with zeros written ahead of the journal. */
    EmbeddedDatastore(Path dir, long snapshotThresholdBytes, int historyLimit, LongSupplier nanoClock,
            long preallocateBytes) throws IOException, DatastoreException {
        this(new JournalFile(dir, true, preallocateBytes), dir, snapshotThresholdBytes, historyLimit, nanoClock);
    }

    private EmbeddedDatastore(JournalFile journal, Path dir, long snapshotThresholdBytes)
            throws IOException, DatastoreException {
        this(journal, dir, snapshotThresholdBytes, DEFAULT_HISTORY, System::nanoTime);
    }

    private EmbeddedDatastore(JournalFile journal, Path dir, long snapshotThresholdBytes, int historyLimit,
            LongSupplier nanoClock) throws IOException, DatastoreException {
        super("embedded:" + dir, journal, historyLimit, nanoClock);
        this.journal = journal;
        this.snapshotThresholdBytes = Math.max(1024, snapshotThresholdBytes);
        try {
            recover(dir);
        } catch (IOException | DatastoreException | RuntimeException e) {
            // the engine already runs threads and the journal may be open: a failed start
            // (corrupt snapshot, unreadable directory) must not leak them on every retry
            close();
            throw e;
        }
        this.compactor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "weft-datastore-compactor");
            t.setDaemon(true);
            return t;
        });
        compactor.scheduleWithFixedDelay(this::compactIfDue, 5, 5, TimeUnit.SECONDS);
    }

    private void recover(Path dir) throws IOException, DatastoreException {
        long started = System.nanoTime();
        JournalFile.Recovered recovered = journal.recover();
        restore(recovered.entries(), recovered.revision());
        if (recovered.tornBytes() > 0) {
            LOG.warn("embedded datastore {}: cut {} bytes of an interrupted write from the journal tail "
                    + "(a write that was never acknowledged)", dir, recovered.tornBytes());
        }
        int expired = deleteLeasedKeys();
        LOG.info("embedded datastore {}: recovered {} keys at revision {} ({} journal records) in {} ms{}", dir,
                recovered.entries().size(), recovered.revision(), recovered.journalRecords(),
                (System.nanoTime() - started) / 1_000_000,
                expired > 0 ? "; dropped " + expired + " keys of leases from the previous run" : "");
    }

    /** Resolves the data directory: configured, else inside Karaf's data, else beside the runtime. */
    static Path dataDir(String configured) {
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.trim());
        }
        String karafData = System.getProperty("karaf.data");
        if (karafData != null) {
            return Path.of(karafData, "weft", "datastore");
        }
        String weftData = System.getProperty("weft.data");
        if (weftData != null) {
            return Path.of(weftData, "datastore");
        }
        return Path.of("data", "weft", "datastore");
    }

    /** Snapshots the state and empties the journal once the journal has grown past the threshold. */
    void compactIfDue() {
        try {
            if (journal.journalSize() < snapshotThresholdBytes) {
                return;
            }
            long started = System.nanoTime();
            long[] at = new long[2];
            whileWritesPaused(state -> {
                journal.compact(state);
                at[0] = state.revision();
                at[1] = state.entries().size();
            });
            LOG.info("embedded datastore {}: snapshot of {} keys at revision {} in {} ms", describe(), at[1], at[0],
                    (System.nanoTime() - started) / 1_000_000);
        } catch (IOException | RuntimeException e) {
            LOG.warn("embedded datastore {}: snapshot failed, journal keeps growing: {}", describe(), e.toString());
        }
    }

    @Deactivate
    void deactivate() {
        close();
    }

    /** Stops the compactor too: closing only the engine left it running against a closed journal. */
    @Override
    public void close() {
        if (compactor != null) { // null when recovery failed in the constructor
            compactor.shutdownNow();
        }
        super.close();
    }
}
