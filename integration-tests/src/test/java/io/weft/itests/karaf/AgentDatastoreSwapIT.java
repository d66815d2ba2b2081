package io.weft.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.regex.Matcher;

import org.apache.karaf.features.FeaturesService;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import io.weft.api.datastore.Datastore;
import io.weft.api.datastore.KeyValue;
import io.weft.api.ipam.IpamService;
import io.weft.api.resource.ResourceStore;
import io.weft.api.status.AgentNodeStatus;

/**
 * The datastore swapped under the real distribution's running agent as operators migrate: install
 * the new provider, {@code weft:datastore-migrate}, uninstall the old one. The agent is not
 * re-created; it watches the new store and the kernel follows what that store says (here the
 * new store lacks the remote node's block, so its route goes), and the node's status and Node
 * resource are written to the new store.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AgentDatastoreSwapIT extends WeftKarafTestSupport {

    static final String NETNS = "weft-it-agent-ds";
    private static final String AGENT_COMPONENT = "io.weft.agent.DataplaneAgent";
    private static final EnumSet<FeaturesService.Option> NO_REFRESH = EnumSet.of(FeaturesService.Option.NoAutoRefreshBundles);

    @Override
    @Configuration
    public Option[] config() {
        return AgentProviderHotSwapIT.agentInOwnNamespace(super.config(), NETNS);
    }

    @Test
    public void theAgentFollowsTheDatastoreToTheNewProviderWithoutRestarting() throws Exception {
        try {
            ResourceStore store = awaitService(ResourceStore.class);
            IpamService ipam = awaitService(IpamService.class);
            String tunnelRoute = AgentProviderHotSwapIT.vxlanClusterWithARemoteBlock(store, ipam);
            String remoteBlock = tunnelRoute.substring(0, tunnelRoute.indexOf(' '));
            await("the remote block routed through vxlan.calico", () -> routes().contains(tunnelRoute),
                    () -> routes() + "\n" + console("weft:status -v"));
            long agentId = componentConfiguration(AGENT_COMPONENT).id;

            featuresService.installFeature("weft-datastore-memory", NO_REFRESH);
            // held from here on: the memory store is a delayed component, and would lose what the
            // migration wrote if nobody used it between the migration and the swap
            Datastore memory = service(Datastore.class, "(weft.provider=memory)");
            assertNotNull(memory);
            String migrated = console("weft:datastore-migrate --from embedded --to memory");
            assertTrue(migrated, migrated.startsWith("Copied "));
            // the new store differs: the remote node's block is not there
            List<KeyValue> blocks = memory.list("/weft/v3/ipamblocks/").entries();
            KeyValue block = blocks.stream()
                    .filter(kv -> new String(kv.value(), java.nio.charset.StandardCharsets.UTF_8).contains("\"" + remoteBlock + "\""))
                    .findFirst().orElseThrow(() -> new AssertionError("no block " + remoteBlock + " in the memory store; "
                            + migrated + "; keys: " + keys(memory)));
            memory.delete(block.key(), block.modRevision());

            featuresService.uninstallFeature("weft-datastore-embedded", NO_REFRESH);
            await("the remote block's route gone, as the new store says", () -> !routes().contains(remoteBlock),
                    () -> routes() + "\n" + console("weft:status -v"));
            assertEquals("the agent was rewired, not re-created", agentId, componentConfiguration(AGENT_COMPONENT).id);

            // its status and Node resource are in the new store
            await("the agent's status in the memory store", () -> {
                try {
                    return !memory.list(AgentNodeStatus.KEY_PREFIX).entries().isEmpty();
                } catch (Exception e) {
                    return false;
                }
            }, () -> console("weft:status -v"));
            List<KeyValue> statuses = memory.list(AgentNodeStatus.KEY_PREFIX).entries();
            AgentNodeStatus published = AgentNodeStatus.decode(statuses.get(0).value());
            assertEquals("10.99.0.11/24 on eth0", published.address());
            assertTrue(memory.get("/weft/v3/nodes/" + published.node()).isPresent());
            String status = console("weft:status");
            Matcher row = AgentProviderHotSwapIT.AGENT_ROW.matcher(status);
            assertTrue(status, row.find());
            assertEquals(status, published.node(), row.group("node"));
            assertFalse(status, status.contains("io.weft.datastore.embedded"));
        } finally {
            new ProcessBuilder("ip", "netns", "del", NETNS).start().waitFor();
        }
    }

    private static List<String> keys(Datastore store) {
        try {
            return store.list("/").entries().stream().map(KeyValue::key).toList();
        } catch (Exception e) {
            return List.of(e.toString());
        }
    }

    private String routes() {
        return AgentProviderHotSwapIT.agentRoutes(NETNS);
    }

    private <T> T awaitService(Class<T> type) throws Exception {
        await(type.getSimpleName() + " service", () -> {
            try {
                return service(type, null) != null;
            } catch (Exception e) {
                return false;
            }
        }, () -> console("weft:status"));
        return service(type, null);
    }
}
