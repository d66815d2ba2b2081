package io.weft.agent;

import static io.weft.agent.Lab.await;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.weft.encap.none.PlainRoutingProvider;
import io.weft.netlink.Netns;

/** As DS does it: the agent is constructed and started, and only then are its store and datastore bound. */
class LateStoreLabTest {

    private Cluster cluster;
    private DataplaneAgent agent;

    @AfterEach
    void tearDown() {
        if (agent != null) {
            agent.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void anAgentStartedBeforeItsStoreIsBoundStartsWhenItIs() throws Exception {
        cluster = new Cluster("wls");
        cluster.node("n1", "a", "11");
        agent = new DataplaneAgent(new AgentSettings("n1", Netns.named(cluster.ns("n1")),
                AddressAutodetection.parse("interface=eth0"), Duration.ofMinutes(10), 80, "cali", "127.0.0.1", 0), null);
        agent.bindProvider(new PlainRoutingProvider());
        agent.start();
        await(5_000, true, () -> agent.status().message().contains("waiting for a resource store"));
        agent.bindDatastore(cluster.datastore());
        agent.bindStore(cluster.store);
        await(10_000, true, () -> agent.report().passes() >= 1);
    }
}
