package io.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.weft.codec.internal.JacksonResourceCodec;
import io.weft.core.DatastoreResourceStore;
import io.weft.datastore.memory.MemoryDatastore;

/**
 * The verbs as a user meets them: the seeds' resources applied, listed in calicoctl's tables,
 * and every kind of bad input answered with calicoctl's message and nothing changed.
 */
class ResourceCommandsTest {

    static final String SEED_POOL = """
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata:
              name: default-ipv4-ippool
            spec:
              blockSize: 26
              cidr: 10.244.0.0/16
              ipipMode: Always
              natOutgoing: true
              nodeSelector: all()
              vxlanMode: Never
            """;

    private MemoryDatastore datastore;
    private ResourceCommands commands;

    @BeforeEach
    void setUp() {
        datastore = new MemoryDatastore();
        commands = new ResourceCommands(new DatastoreResourceStore(datastore, new JacksonResourceCodec(), Clock.systemUTC()),
                new JacksonResourceCodec());
    }

    @AfterEach
    void tearDown() {
        datastore.close();
    }

    @Test
    void appliedPoolShowsAsInTheSeeds() {
        ResourceCommands.Outcome applied = commands.apply(SEED_POOL);
        assertEquals("Successfully applied 1 'IPPool' resource(s)\n", applied.out());
        assertEquals(0, applied.exitCode());
        assertEquals("""
                NAME                  CIDR            NAT    IPIPMODE   VXLANMODE   DISABLED   DISABLEBGPEXPORT   SELECTOR
                default-ipv4-ippool   10.244.0.0/16   true   Always     Never       false      false              all()
                """, commands.get("ippool", List.of(), null, false, "wide").out());
        assertEquals("""
                NAME                  CIDR            SELECTOR
                default-ipv4-ippool   10.244.0.0/16   all()
                """, commands.get("ippools", List.of(), null, false, null).out());
    }

    @Test
    void patchAndLabelChangeWhatTheySayAndKeepTheRest() {
        commands.apply(SEED_POOL);
        ResourceCommands.Outcome patched = commands.patch("ippool", "default-ipv4-ippool", null,
                "{\"spec\":{\"ipipMode\":\"Never\",\"vxlanMode\":\"Always\"}}");
        assertEquals("Successfully patched 1 'IPPool' resource\n", patched.out(), patched.err());
        assertTrue(commands.get("ippool", List.of(), null, false, "wide").out()
                .contains("default-ipv4-ippool   10.244.0.0/16   true   Never      Always      false"));
        assertEquals("Successfully set label rack on ippool default-ipv4-ippool\n",
                commands.label("ippool", "default-ipv4-ippool", null, "rack=r1", false, false).out());
        ResourceCommands.Outcome again = commands.label("ippool", "default-ipv4-ippool", null, "rack=r2", false, false);
        assertEquals(1, again.exitCode());
        assertTrue(again.err().contains("use --overwrite"), again.err());
        String yaml = commands.get("ippool", List.of("default-ipv4-ippool"), null, false, "yaml").out();
        assertTrue(yaml.contains("rack: r1"), yaml);
        assertTrue(yaml.contains("cidr: 10.244.0.0/16"), yaml);
    }

    @Test
    void badInputGetsCalicoctlsErrorsAndChangesNothing() throws Exception {
        commands.apply(SEED_POOL);
        long revision = datastore.revision();

        ResourceCommands.Outcome dup = commands.create(SEED_POOL, false);
        assertEquals(1, dup.exitCode());
        assertEquals("Failed to create 'IPPool' resource: [resource already exists: IPPool(default-ipv4-ippool)]\n", dup.err());

        ResourceCommands.Outcome missing = commands.replace(SEED_POOL.replace("default-ipv4-ippool", "nosuchpool"));
        assertEquals(1, missing.exitCode());
        assertEquals("Failed to replace 'IPPool' resource: [resource does not exist: IPPool(nosuchpool)]\n", missing.err());

        ResourceCommands.Outcome badBlock = commands.apply(SEED_POOL.replace("blockSize: 26", "blockSize: 33"));
        assertEquals(1, badBlock.exitCode());
        assertTrue(badBlock.err().contains("blockSize"), badBlock.err());

        ResourceCommands.Outcome typo = commands.apply(SEED_POOL.replace("natOutgoing", "natOutgoinng"));
        assertEquals(1, typo.exitCode());
        assertTrue(typo.err().contains("natOutgoinng"), typo.err());

        ResourceCommands.Outcome kind = commands.get("ipoool", List.of(), null, false, null);
        assertEquals(1, kind.exitCode());
        assertTrue(kind.err().contains("resource type 'ipoool' is not supported"), kind.err());

        ResourceCommands.Outcome notThere = commands.get("ippool", List.of("nosuchpool"), null, false, null);
        assertEquals("Failed to get resources: resource does not exist: IPPool(nosuchpool)\n", notThere.err());

        ResourceCommands.Outcome badPatch = commands.patch("ippool", "default-ipv4-ippool", null, "{\"spec\":{\"blockSize\":40}}");
        assertEquals(1, badPatch.exitCode());

        assertEquals(revision, datastore.revision(), "no failed command wrote anything");
    }

    @Test
    void deleteByNameAndByFile() {
        commands.apply(SEED_POOL);
        assertEquals("Successfully deleted 1 'IPPool' resource(s)\n",
                commands.delete("ippool", List.of("default-ipv4-ippool"), null, false).out());
        ResourceCommands.Outcome gone = commands.deleteFromText(SEED_POOL, false);
        assertEquals("Failed to delete 'IPPool' resource: [resource does not exist: IPPool(default-ipv4-ippool)]\n", gone.err());
        assertEquals(0, commands.deleteFromText(SEED_POOL, true).exitCode());
    }
}
