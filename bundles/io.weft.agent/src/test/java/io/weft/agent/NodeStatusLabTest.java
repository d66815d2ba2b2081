package io.weft.agent;

import static io.weft.agent.Lab.agentRoutes;
import static io.weft.agent.Lab.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.weft.api.model.EncapsulationMode;
import io.weft.api.status.AgentNodeStatus;
import io.weft.api.status.Health;
import io.weft.encap.none.PlainRoutingProvider;
import io.weft.encap.vxlan.VxlanProvider;
import io.weft.netlink.Netns;

/**
 * The agent's status in the datastore, where every node's console and tools read it: a node whose
 * VXLAN provider is missing says so (DEGRADED, the provider named), recovers when it binds, and
 * drops out when its agent stops. Read back from the real datastore the agent writes to.
 */
class NodeStatusLabTest {

    private Cluster cluster;
    private VxlanProvider vxlan;

    @BeforeEach
    void setUp() throws Exception {
        cluster = new Cluster("wns");
        cluster.node("n1", "a", "11");
        cluster.node("n2", "a", "12");
    }

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
        if (vxlan != null) {
            vxlan.close();
        }
    }

    private Optional<AgentNodeStatus> published(String node) {
        try {
            return cluster.datastore().get(AgentNodeStatus.KEY_PREFIX + node).map(kv -> AgentNodeStatus.decode(kv.value()));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theAgentPublishesItsStatusReportsAMissingProviderRecoversAndWithdrawsOnStop() throws Exception {
        cluster.pool("default-ipv4-ippool", "10.244.0.0/16", 26, EncapsulationMode.ALWAYS, null);
        cluster.vxlanTunnel("n1");
        cluster.vxlanTunnel("n2");
        cluster.pod("n1", "pod-a");
        cluster.agent("n2", Duration.ofMinutes(10)); // writes n2's address, so n2's block is routable
        await(10_000, true, () -> {
            try {
                var n2 = cluster.store.get(io.weft.api.model.ResourceKind.NODE, null, "n2").orElseThrow();
                return n2.spec().bgp() != null && n2.spec().bgp().ipv4Address() != null;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        Instant before = Instant.now();
        DataplaneAgent agent = cluster.agent("n1", Duration.ofMinutes(10), new PlainRoutingProvider());
        agent.bindDatastore(cluster.datastore());
        String ns = cluster.ns("n1");

        await(10_000, Health.DEGRADED, () -> published("n1").map(AgentNodeStatus::health).orElse(null));
        AgentNodeStatus degraded = published("n1").orElseThrow();
        assertEquals("10.0.0.11/24 on eth0", degraded.address());
        assertEquals(List.of("vxlan"), degraded.encapsulations());
        assertEquals(List.of("vxlan"), degraded.missingProviders());
        assertTrue(degraded.summary().contains("install feature(s) weft-encap-vxlan"), degraded.summary());
        assertEquals(1450, degraded.podMtu());
        assertNotNull(degraded.lastFullSync());
        assertTrue(!degraded.lastFullSync().isBefore(before.minusSeconds(1)), degraded.lastFullSync().toString());
        // without the provider: the blackhole and the pod's route, no remote block
        assertEquals(agentRoutes(ns).size(), degraded.routes());
        assertEquals(2, degraded.routes());

        vxlan = new VxlanProvider(Netns.named(ns));
        agent.bindProvider(vxlan);
        await(10_000, Health.UP, () -> published("n1").map(AgentNodeStatus::health).orElse(null));
        AgentNodeStatus up = published("n1").orElseThrow();
        assertEquals(List.of(), up.missingProviders());
        assertEquals(List.of(), up.errors());
        assertEquals(3, up.routes(), "blackhole, pod-a and n2's block through vxlan.calico: " + agentRoutes(ns));
        assertEquals("3 routes programmed", up.summary());

        agent.close();
        await(5_000, Optional.empty(), () -> published("n1"));
    }
}
