package io.weft.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.weft.api.status.ComponentStatus;
import io.weft.api.status.Health;
import io.weft.api.status.ProviderInfo;
import io.weft.api.status.RuntimeReport;
import io.weft.api.status.SpiStatus;

/** {@code weft:status} output, compared line for line with the golden files beside this class. */
class StatusFormatterTest {

    private static final Instant STARTED = Instant.parse("2026-05-01T09:58:12Z");
    private static final String VERSION = "0.1.0.SNAPSHOT";

    private static String golden(String name) throws IOException {
        try (InputStream in = StatusFormatterTest.class.getResourceAsStream(name)) {
            assertNotNull(in, "golden file " + name + " is missing");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Details in the order given, as contributors build them. */
    private static Map<String, String> details(String... keysAndValues) {
        Map<String, String> details = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            details.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return details;
    }

    private static ProviderInfo provider(String name, String bundle) {
        return new ProviderInfo(name, bundle, VERSION);
    }

    /** A node with two datastores installed (embedded ranks first), no IPAM yet, one degraded component. */
    private static RuntimeReport degradedNode() {
        return new RuntimeReport("0.1.0", "node-a", STARTED,
                List.of(new SpiStatus("datastore", true, List.of(
                                provider("embedded", "io.weft.datastore.embedded"),
                                provider("memory", "io.weft.datastore.memory"))),
                        new SpiStatus("resource-codec", false, List.of(provider("json", "io.weft.resource.json"))),
                        new SpiStatus("ipam", false, List.of()),
                        new SpiStatus("encapsulation", false, List.of(provider("vxlan", "io.weft.encap.vxlan")))),
                List.of(new ComponentStatus("agent", Health.DEGRADED, "3 of 4 routes programmed", details(
                                "routesProgrammed", "3",
                                "lastError", "route 10.244.3.0/26 via 192.168.1.13: No route to host")),
                        new ComponentStatus("datastore", Health.UP, "embedded datastore, node registered", details(
                                "provider", "embedded",
                                "location", "embedded:/var/lib/weft/datastore",
                                "registration", "/weft/runtime/nodes/node-a",
                                "registeredRevision", "42"))));
    }

    @Test
    void statusShowsEachSpiWithItsProvidersAndEachComponentsHealth() throws IOException {
        assertEquals(golden("status.txt"), StatusFormatter.format(degradedNode(), false));
    }

    @Test
    void verboseStatusAddsEachComponentsDetailsInOrder() throws IOException {
        assertEquals(golden("status-verbose.txt"), StatusFormatter.format(degradedNode(), true));
    }

    @Test
    void aMissingRequiredDatastoreShowsAsMissingAndTheNodeDown() throws IOException {
        RuntimeReport report = new RuntimeReport("0.1.0", "node-a", STARTED,
                List.of(new SpiStatus("datastore", true, List.of()),
                        new SpiStatus("resource-codec", false, List.of(provider("json", "io.weft.resource.json"))),
                        new SpiStatus("ipam", false, List.of())),
                List.of(new ComponentStatus("datastore", Health.DOWN,
                        "no datastore provider: install feature weft-datastore-embedded (or weft-datastore-memory)",
                        null)));

        assertEquals(golden("status-missing-datastore.txt"), StatusFormatter.format(report, false));
        assertEquals(golden("status-missing-datastore.txt"), StatusFormatter.format(report, true),
                "a component without details looks the same in verbose mode");
    }

    @Test
    void withoutComponentsThereIsNoComponentTable() {
        RuntimeReport report = new RuntimeReport("0.1.0", "node-b", STARTED,
                List.of(new SpiStatus("datastore", true, List.of(provider("memory", "io.weft.datastore.memory")))),
                List.of());

        assertEquals("""
                Weft 0.1.0 on node node-b: UP
                Started 2026-05-01T09:58:12Z

                SPI        PROVIDER  BUNDLE
                datastore  memory    io.weft.datastore.memory 0.1.0.SNAPSHOT
                """, StatusFormatter.format(report, true));
    }
}
