package io.weft.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.weft.api.datastore.Datastore;
import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.DatastoreUnavailableException;
import io.weft.api.datastore.KeyExistsException;
import io.weft.api.datastore.KeyNotFoundException;
import io.weft.api.datastore.KeyValue;
import io.weft.api.datastore.RevisionConflictException;
import io.weft.api.datastore.Snapshot;

/**
 * Copies a cluster's resources from one datastore to another, e.g. from the embedded store of a
 * first node to the etcd a growing cluster moves to.
 *
 * <p>Only the resources ({@value #PREFIX}) move. Node registrations under {@code /weft/runtime/}
 * are leased to the store they were written to; each node writes its own again once it is bound to
 * the new store. The source is read through one {@link Datastore#list list}, so the copy is the
 * source as it stood at one revision. Nothing is ever deleted on either side: a key the target
 * already holds with the same bytes counts as there; with different bytes it is a conflict, left
 * as it is unless the caller asks to overwrite. Copied keys carry no lease (lease ids belong to the
 * store that granted them; resources have none).
 */
public final class DatastoreMigration {

    /** Where resources live; everything under it is copied. */
    public static final String PREFIX = "/weft/v3/";

    private static final Logger LOG = LoggerFactory.getLogger(DatastoreMigration.class);
    /** A key that keeps changing under a concurrent writer is reported as failed after this many tries. */
    private static final int WRITE_ATTEMPTS = 5;
    private static final int PROGRESS_EVERY = 1000;

    /** A key that could not be copied, and why. */
    public record Failure(String key, String message) {
    }

    /**
     * What a migration did.
     *
     * @param sourceRevision the source's revision the copy was read at
     * @param sourceKeys     how many keys the source holds under {@value DatastoreMigration#PREFIX}
     * @param copied         keys created on the target
     * @param identical      keys the target already held with the same bytes
     * @param conflicts      keys the target holds with other bytes, left as they are
     * @param overwritten    keys whose different value on the target was replaced (overwrite only)
     * @param failures       keys that could not be written
     * @param notAttempted   keys not tried because the target became unavailable
     */
    public record Result(long sourceRevision, int sourceKeys, int copied, int identical, List<String> conflicts,
            List<String> overwritten, List<Failure> failures, int notAttempted) {

        public Result {
            conflicts = List.copyOf(conflicts);
            overwritten = List.copyOf(overwritten);
            failures = List.copyOf(failures);
        }

        /** True when the target now holds every source key with the source's bytes. */
        public boolean complete() {
            return conflicts.isEmpty() && failures.isEmpty() && notAttempted == 0;
        }

        /**
         * One line, e.g. {@code Copied 12 keys from embedded (revision 40) to etcd: 10 new, 2 identical,
         * 0 conflicts}; overwritten, failed and unattempted keys are added when there are any.
         */
        public String summary(String from, String to) {
            StringBuilder line = new StringBuilder("Copied ").append(sourceKeys)
                    .append(sourceKeys == 1 ? " key" : " keys").append(" from ").append(from)
                    .append(" (revision ").append(sourceRevision).append(") to ").append(to).append(": ")
                    .append(copied).append(" new, ").append(identical).append(" identical, ")
                    .append(conflicts.size()).append(conflicts.size() == 1 ? " conflict" : " conflicts");
            if (!overwritten.isEmpty()) {
                line.append(", ").append(overwritten.size()).append(" overwritten");
            }
            if (!failures.isEmpty()) {
                line.append(", ").append(failures.size()).append(" failed");
            }
            if (notAttempted > 0) {
                line.append(", ").append(notAttempted).append(" not attempted");
            }
            return line.append('\n').toString();
        }

        /** One line per key that was replaced on the target. */
        public String overwrittenLines(String to) {
            StringBuilder out = new StringBuilder();
            for (String key : overwritten) {
                out.append("Overwritten on ").append(to).append(": ").append(key).append('\n');
            }
            return out.toString();
        }

        /** One line per key the target does not hold as the source does, with what to do about it. */
        public String problemLines(String to) {
            StringBuilder out = new StringBuilder();
            for (String key : conflicts) {
                out.append("Conflict: ").append(key).append(" differs on ").append(to)
                        .append("; kept ").append(to).append("'s value (--overwrite replaces it)\n");
            }
            for (Failure failure : failures) {
                out.append("Failed: ").append(failure.key()).append(": ").append(failure.message()).append('\n');
            }
            if (notAttempted > 0) {
                out.append("Stopped: ").append(to).append(" became unavailable; ").append(notAttempted)
                        .append(notAttempted == 1 ? " key was" : " keys were")
                        .append(" not attempted. Running the migration again copies them and counts the rest as identical\n");
            }
            return out.toString();
        }
    }

    private enum Written { CREATED, IDENTICAL, CONFLICT, OVERWRITTEN }

    /**
     * Copies every key under {@value #PREFIX} of {@code from} to {@code to}.
     *
     * @param overwrite replace keys whose value on the target differs, instead of reporting them
     * @throws DatastoreException when the source cannot be read (nothing was written then)
     */
    public Result migrate(Datastore from, Datastore to, boolean overwrite) throws DatastoreException {
        if (from == to) {
            throw new IllegalArgumentException("source and target are the same datastore (" + from.describe() + ")");
        }
        Snapshot source = from.list(PREFIX);
        List<KeyValue> entries = source.entries();
        LOG.info("migrating {} keys under {} from {} (revision {}) to {}{}", entries.size(), PREFIX,
                from.describe(), source.revision(), to.describe(), overwrite ? ", overwriting conflicts" : "");
        int copied = 0;
        int identical = 0;
        List<String> conflicts = new ArrayList<>();
        List<String> overwritten = new ArrayList<>();
        List<Failure> failures = new ArrayList<>();
        int notAttempted = 0;
        for (int i = 0; i < entries.size(); i++) {
            KeyValue kv = entries.get(i);
            try {
                switch (write(to, kv, overwrite)) {
                    case CREATED -> copied++;
                    case IDENTICAL -> identical++;
                    case CONFLICT -> conflicts.add(kv.key());
                    case OVERWRITTEN -> overwritten.add(kv.key());
                }
            } catch (DatastoreUnavailableException e) {
                // every further write would wait out the same timeout: stop, say how far we got
                failures.add(new Failure(kv.key(), e.getMessage()));
                notAttempted = entries.size() - i - 1;
                LOG.warn("migration stopped at {}: {}", kv.key(), e.getMessage());
                break;
            } catch (DatastoreException | RuntimeException e) {
                failures.add(new Failure(kv.key(), e.getMessage()));
                LOG.warn("migration could not copy {}: {}", kv.key(), e.getMessage());
            }
            if ((i + 1) % PROGRESS_EVERY == 0) {
                LOG.info("migration: {} of {} keys done", i + 1, entries.size());
            }
        }
        Result result = new Result(source.revision(), entries.size(), copied, identical, conflicts, overwritten,
                failures, notAttempted);
        LOG.info("migration from {} to {} done: {} new, {} identical, {} conflicts, {} overwritten, {} failed, {} not attempted",
                from.describe(), to.describe(), copied, identical, conflicts.size(), overwritten.size(),
                failures.size(), notAttempted);
        return result;
    }

    private static Written write(Datastore to, KeyValue kv, boolean overwrite) throws DatastoreException {
        for (int attempt = 1;; attempt++) {
            if (attempt > WRITE_ATTEMPTS) {
                throw new DatastoreException("key " + kv.key() + " keeps changing on the target (another writer?); "
                        + "gave up after " + WRITE_ATTEMPTS + " attempts");
            }
            KeyValue existing;
            try {
                to.create(kv.key(), kv.value(), Datastore.NO_LEASE);
                return Written.CREATED;
            } catch (KeyExistsException e) {
                existing = e.existing() != null ? e.existing() : to.get(kv.key()).orElse(null);
            }
            if (existing == null) {
                continue; // deleted on the target meanwhile: create it after all
            }
            if (Arrays.equals(existing.value(), kv.value())) {
                return Written.IDENTICAL;
            }
            if (!overwrite) {
                return Written.CONFLICT;
            }
            try {
                to.update(kv.key(), kv.value(), existing.modRevision());
                return Written.OVERWRITTEN;
            } catch (RevisionConflictException | KeyNotFoundException e) {
                // changed or deleted since we read it: look again
            }
        }
    }
}
