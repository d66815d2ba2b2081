package io.weft.api.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Node name resolution in calico/node's order: configured, then NODENAME, then the host name. */
class NodeNamesTest {

    private static final Map<String, String> NODENAME = Map.of("NODENAME", "node-from-env");

    @Test
    void aConfiguredNameWinsOverNodenameAndIsTrimmed() {
        assertEquals("node-1", NodeNames.resolve("  node-1 ", NODENAME));
    }

    @Test
    void withoutAConfiguredNameNodenameIsUsedTrimmed() {
        assertEquals("node-from-env", NodeNames.resolve(null, NODENAME));
        assertEquals("node-from-env", NodeNames.resolve("", NODENAME));
        assertEquals("node-from-env", NodeNames.resolve(" \t", NODENAME));
        assertEquals("worker-7", NodeNames.resolve("", Map.of("NODENAME", " worker-7\n")));
    }

    @Test
    void withNeitherTheHostNameIsUsed() throws Exception {
        Path proc = Path.of("/proc/sys/kernel/hostname");
        String host = Files.isReadable(proc) ? Files.readString(proc).trim() : InetAddress.getLocalHost().getHostName();

        assertEquals(host, NodeNames.resolve(null, Map.of()));
        assertEquals(host, NodeNames.resolve("  ", Map.of("NODENAME", "  ")));
        assertFalse(host.isBlank());
    }
}
