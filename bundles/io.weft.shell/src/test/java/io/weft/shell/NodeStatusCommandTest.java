package io.weft.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.weft.api.bgp.BgpNodeStatus;
import io.weft.api.bgp.BgpSession;
import io.weft.cli.ResourceCommands;
import io.weft.datastore.memory.MemoryDatastore;

/**
 * {@code weft:node-status} over a real (in-memory) datastore: another node's published status as
 * calicoctl's table, and what it says without BGP or without a datastore. The table itself is
 * golden-tested in io.weft.cli ({@code NodeStatusTableTest}).
 */
class NodeStatusCommandTest {

    @Test
    void showsAnyNodesPublishedSessions() throws Exception {
        try (MemoryDatastore datastore = new MemoryDatastore()) {
            BgpNodeStatus status = new BgpNodeStatus("worker-3", "10.0.0.13", 64512, List.of(new BgpNodeStatus.Peer(
                    "Node_fd00::1", "fd00::1", BgpSession.Kind.NODE, 65000, "OpenSent", Instant.now(), "", 0, 0, 0, 0, "")),
                    Instant.now());
            datastore.put(status.key(), status.encode(), datastore.grantLease(Duration.ofSeconds(30)));
            NodeStatusCommand command = new NodeStatusCommand();
            command.node = "worker-3";
            ResourceCommands.Outcome shown = command.run(datastore);
            assertEquals(0, shown.exitCode(), shown.err());
            assertTrue(shown.out().startsWith("Weft process is running.\n\nIPv4 BGP status\nNo IPv4 peers found.\n\n"
                    + "IPv6 BGP status\n"), shown.out());
            assertTrue(shown.out().contains("| fd00::1      | node specific | start |"), shown.out());
            assertTrue(shown.out().endsWith(" | OpenSent |\n+--------------+---------------+-------+----------+----------+\n\n"),
                    shown.out());

            command.node = "worker-4";
            ResourceCommands.Outcome missing = command.run(datastore);
            assertEquals(1, missing.exitCode());
            assertTrue(missing.err().startsWith("BGP is not running on node worker-4"), missing.err());
            assertTrue(missing.err().contains("install feature weft-bgp"), missing.err());
            assertTrue(missing.err().endsWith("Nodes running BGP: worker-3 (--node NAME shows one).\n"), missing.err());
        }
        NodeStatusCommand command = new NodeStatusCommand();
        assertTrue(command.run(null).err().startsWith("node status reads the BGP status from the datastore"));
    }
}
