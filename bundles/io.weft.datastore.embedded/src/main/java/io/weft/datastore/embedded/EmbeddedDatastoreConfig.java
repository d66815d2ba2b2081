package io.weft.datastore.embedded;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration PID {@value #PID} ({@code etc/io.weft.datastore.embedded.cfg}). */
@ObjectClassDefinition(name = "Weft embedded datastore",
        description = "The default single-machine datastore: a write-ahead journal plus snapshots in one directory.")
public @interface EmbeddedDatastoreConfig {
    String PID = "io.weft.datastore.embedded";

    @AttributeDefinition(name = "Data directory",
            description = "Where the journal and snapshot live. Empty: ${karaf.data}/weft/datastore inside Karaf, "
                    + "else ${weft.data}/datastore, else ./data/weft/datastore.")
    String dataDir() default "";

    @AttributeDefinition(name = "Flush to disk before acknowledging",
            description = "true (default): a write is acknowledged only once flushed to disk (group commit: one "
                    + "flush covers every concurrent writer), so it survives a power cut. false: acknowledged once "
                    + "in the operating system's page cache, which survives the node runtime being killed "
                    + "(kill -9) but not a power cut.")
    boolean fsync() default true;

    @AttributeDefinition(name = "Journal size that triggers a snapshot (MiB)")
    int snapshotThresholdMiB() default 64;

    @AttributeDefinition(name = "Zeros kept written ahead of the journal's records (MiB)",
            description = "A background thread keeps this much of the journal file written with zeros (and "
                    + "flushed) ahead of the records, so that a flush does not also have to record a larger file "
                    + "size: about 20-45 % less time per fsync. Costs this much disk space beyond the records. "
                    + "0 turns it off.")
    int journalPreallocateMiB() default 8;
}
