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

    @AttributeDefinition(name = "fsync every write",
            description = "false (default): a write is acknowledged once it is in the operating system's page cache, "
                    + "which survives the node runtime being killed (kill -9) but not a power cut. "
                    + "true: also survive power loss, at the cost of one disk flush per write.")
    boolean fsync() default false;

    @AttributeDefinition(name = "Journal size that triggers a snapshot (MiB)")
    int snapshotThresholdMiB() default 64;
}
