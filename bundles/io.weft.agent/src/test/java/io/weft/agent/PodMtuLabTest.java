package io.weft.agent;

import static io.weft.agent.Lab.agentRoutes;
import static io.weft.agent.Lab.await;
import static io.weft.agent.Lab.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.weft.api.cni.CniCommand;
import io.weft.api.cni.CniRequest;
import io.weft.api.cni.CniResponse;
import io.weft.api.model.EncapsulationMode;
import io.weft.cni.WeftCniHandler;
import io.weft.netlink.Netns;

/**
 * The pod MTU the agent hands the CNI handler: a pod added with no {@code mtu} in its network
 * configuration gets the host uplink's MTU less the encapsulation's overhead, as Calico's pods do
 * (VXLAN: 50). Real CNI ADDs through the handler into a pod namespace on a node running its agent.
 */
class PodMtuLabTest {

    private static final Duration NO_PERIODIC_RESYNC = Duration.ofMinutes(10);
    private Cluster cluster;

    @BeforeEach
    void setUp() throws Exception {
        cluster = new Cluster("wmt");
        cluster.node("n1", "a", "11");
        cluster.node("n2", "a", "12");
        // not 1500, so the answer can only come from the host's uplink
        ip(cluster.ns("n1"), "link", "set", "eth0", "mtu", "1480");
    }

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private final Map<String, String> sandboxes = new java.util.HashMap<>();

    private CniResponse add(WeftCniHandler handler, String pod, String mtuField) {
        String sandbox = sandboxes.computeIfAbsent(pod, cluster.lab::netns);
        String config = "{\"cniVersion\":\"1.0.0\",\"name\":\"k8s-pod-network\",\"type\":\"weft\"," + mtuField
                + "\"ipam\":{\"type\":\"weft\"}}";
        return handler.handle(new CniRequest(CniCommand.ADD, "cid-" + pod, "/var/run/netns/" + sandbox, "eth0",
                Map.of("K8S_POD_NAMESPACE", "default", "K8S_POD_NAME", pod), "/opt/cni/bin",
                config.getBytes(StandardCharsets.UTF_8)));
    }

    private static String podMtu(String sandbox) {
        String link = ip(sandbox, "link", "show", "eth0");
        return link.replaceAll("(?s).*\\bmtu (\\d+).*", "$1");
    }

    @Test
    void aPodWithoutAnMtuUnderAVxlanPoolGetsTheHostMtuLessFifty() throws Exception {
        cluster.pool("default-ipv4-ippool", "10.244.0.0/16", 26, EncapsulationMode.ALWAYS, null);
        cluster.vxlanTunnel("n1");
        cluster.vxlanTunnel("n2");
        DataplaneAgent agent = cluster.agent("n1", NO_PERIODIC_RESYNC);
        await(10_000, 1430, agent::podMtu);
        WeftCniHandler handler = new WeftCniHandler(cluster.store, cluster.ipam, agent, Netns.named(cluster.ns("n1")), "n1");

        CniResponse r = add(handler, "pod-a", "");
        assertEquals(0, r.exitCode(), new String(r.stdout(), StandardCharsets.UTF_8));
        String sandbox = sandboxes.get("pod-a");
        assertEquals("1430", podMtu(sandbox), "pod eth0 MTU: host eth0 1480 less VXLAN's 50");
        // the agent programs the pod CNI wired, and the device MTU agrees with the pod's
        await(10_000, true, () -> agentRoutes(cluster.ns("n1")).stream().anyMatch(l -> l.contains(" dev cali")));
        assertTrue(ip(cluster.ns("n1"), "link", "show", "vxlan.calico").contains("mtu 1430"));

        // an mtu in the network configuration still wins
        CniResponse explicit = add(handler, "pod-b", "\"mtu\":1300,");
        assertEquals(0, explicit.exitCode(), new String(explicit.stdout(), StandardCharsets.UTF_8));
        assertEquals("1300", podMtu(sandboxes.get("pod-b")));
    }

    @Test
    void theFirstNodeOfAVxlanClusterAlreadyGivesPodsTheTunnelMtu() throws Exception {
        // no other node has a block yet, so nothing is routed through vxlan.calico; pods started
        // now must still fit the tunnel once the second node's block appears
        cluster.pool("default-ipv4-ippool", "10.244.0.0/16", 26, EncapsulationMode.CROSS_SUBNET, null);
        DataplaneAgent agent = cluster.agent("n1", NO_PERIODIC_RESYNC);
        await(10_000, 1430, agent::podMtu);
        WeftCniHandler handler = new WeftCniHandler(cluster.store, cluster.ipam, agent, Netns.named(cluster.ns("n1")), "n1");
        CniResponse r = add(handler, "pod-d", "");
        assertEquals(0, r.exitCode(), new String(r.stdout(), StandardCharsets.UTF_8));
        assertEquals("1430", podMtu(sandboxes.get("pod-d")));
    }

    @Test
    void aPlainPoolLeavesPodsTheHostMtu() throws Exception {
        cluster.pool("default-ipv4-ippool", "10.244.0.0/16", 26, EncapsulationMode.NEVER, EncapsulationMode.NEVER);
        DataplaneAgent agent = cluster.agent("n1", NO_PERIODIC_RESYNC);
        await(10_000, 1480, agent::podMtu);
        WeftCniHandler handler = new WeftCniHandler(cluster.store, cluster.ipam, agent, Netns.named(cluster.ns("n1")), "n1");
        CniResponse r = add(handler, "pod-c", "");
        assertEquals(0, r.exitCode(), new String(r.stdout(), StandardCharsets.UTF_8));
        assertEquals("1480", podMtu(sandboxes.get("pod-c")));
    }
}
