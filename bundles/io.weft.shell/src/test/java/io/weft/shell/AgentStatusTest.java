package io.weft.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.weft.api.datastore.Datastore;
import io.weft.api.status.AgentNodeStatus;
import io.weft.api.status.Health;
import io.weft.datastore.memory.MemoryDatastore;

/**
 * The node agents' part of {@code weft:status}: what the agents published in a real (in-memory)
 * datastore, read back and printed; values that cannot be read are named.
 */
class AgentStatusTest {

    private static final Instant NOW = Instant.parse("2026-05-01T10:00:00Z");

    private static AgentNodeStatus worker1() {
        return new AgentNodeStatus("worker1", "10.0.0.11/24 on eth0", Health.UP, "5 routes programmed",
                Instant.parse("2026-05-01T09:59:30Z"), Instant.parse("2026-05-01T09:59:58Z"), 5, 1450, List.of("vxlan"),
                List.of(), List.of(), NOW);
    }

    private static AgentNodeStatus worker2() {
        return new AgentNodeStatus("worker2", "10.0.1.13/24 on eth0", Health.DEGRADED,
                "missing encapsulation provider(s) ipip: install feature(s) weft-encap-ipip",
                Instant.parse("2026-05-01T09:40:00Z"), null, 2, 1480, List.of("ipip", "none"), List.of("ipip"),
                List.of("IPIP: kernel has no ipip support | or so it says", "second\nline"), NOW);
    }

    @Test
    void publishedStatusesAreListedPerNodeWithErrorsWhenVerbose() throws Exception {
        try (MemoryDatastore datastore = new MemoryDatastore()) {
            for (AgentNodeStatus s : List.of(worker2(), worker1())) {
                datastore.put(s.key(), s.encode(), Datastore.NO_LEASE);
            }
            datastore.put(AgentNodeStatus.KEY_PREFIX + "broken", "node=broken\nroutesProgrammed=many\n"
                    .getBytes(StandardCharsets.UTF_8), Datastore.NO_LEASE);
            StatusCommand command = new StatusCommand();
            command.verbose = true;
            String out = command.agents(datastore);
            String expected = """

                    Node agents (from the datastore, /weft/runtime/agents/):
                    NODE     HEALTH    ADDRESS               ROUTES  POD MTU  ENCAP      LAST FULL SYNC                  MESSAGE
                    worker1  UP        10.0.0.11/24 on eth0  5       1450     vxlan      2026-05-01T09:59:30Z (30s ago)  5 routes programmed
                    worker2  DEGRADED  10.0.1.13/24 on eth0  2       1480     ipip,none  2026-05-01T09:40:00Z (20m ago)  missing encapsulation provider(s) ipip: install feature(s) weft-encap-ipip
                                                                                                                           IPIP: kernel has no ipip support / or so it says
                                                                                                                           second line
                    /weft/runtime/agents/broken: cannot be read: agent status of broken: routesProgrammed=many is not a number
                    """;
            // "30s ago" is relative to now in the command; compare with the formatter at a fixed time
            assertTrue(out.contains("worker1  UP"), out);
            List<AgentNodeStatus> read = List.of(
                    AgentNodeStatus.decode(datastore.get(worker1().key()).orElseThrow().value()),
                    AgentNodeStatus.decode(datastore.get(worker2().key()).orElseThrow().value()));
            assertEquals(expected, StatusFormatter.formatAgents(read,
                    List.of("/weft/runtime/agents/broken: cannot be read: agent status of broken: routesProgrammed=many is not a number"),
                    NOW, true));
            assertTrue(out.endsWith("/weft/runtime/agents/broken: cannot be read: agent status of broken: routesProgrammed=many is not a number\n"), out);
        }
    }

    @Test
    void storedValuesRoundTripAndBadOnesNameTheField() {
        assertEquals(worker1(), AgentNodeStatus.decode(worker1().encode()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AgentNodeStatus.decode("node=x\nhealth=FINE\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals("agent status of x: health=FINE is not one of [UP, DEGRADED, DOWN]", e.getMessage());
        assertEquals("agent status has no node= line",
                assertThrows(IllegalArgumentException.class, () -> AgentNodeStatus.decode(new byte[0])).getMessage());
    }

    @Test
    void noPublishedStatusSaysSo() throws Exception {
        try (MemoryDatastore datastore = new MemoryDatastore()) {
            assertEquals("\nNode agents (from the datastore, /weft/runtime/agents/):\n"
                    + "none published (is weft-agent installed and running on the nodes?)\n",
                    new StatusCommand().agents(datastore));
        }
    }
}
