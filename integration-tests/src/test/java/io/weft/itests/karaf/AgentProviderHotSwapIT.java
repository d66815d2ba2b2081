package io.weft.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.karaf.features.FeaturesService;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import io.weft.api.ipam.AssignRequest;
import io.weft.api.ipam.IpamService;
import io.weft.api.model.EncapsulationMode;
import io.weft.api.model.IPPool;
import io.weft.api.model.IPPoolSpec;
import io.weft.api.model.Node;
import io.weft.api.model.NodeBGPSpec;
import io.weft.api.model.NodeSpec;
import io.weft.api.model.ObjectMeta;
import io.weft.api.resource.ResourceStore;

/**
 * The VXLAN provider swapped out and back under the real distribution's agent: while the
 * {@code weft-encap-vxlan} feature is uninstalled the agent reports the missing provider (in its
 * own {@code weft:status} component line and in the node's status that it publishes to the
 * datastore, which {@code weft:status} lists), keeps the route the provider last gave, and
 * recovers when the feature is installed again — without the agent being re-created.
 *
 * <p>The agent programs a network namespace of its own ({@code hostNetns}), made here with a
 * dummy uplink, so the machine's own network is never touched.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AgentProviderHotSwapIT extends WeftKarafTestSupport {

    static final String NETNS = "weft-it-agent-swap";
    private static final String AGENT_COMPONENT = "io.weft.agent.DataplaneAgent";
    private static final EnumSet<FeaturesService.Option> NO_REFRESH = EnumSet.of(FeaturesService.Option.NoAutoRefreshBundles);

    @Override
    @Configuration
    public Option[] config() {
        // runs in the test driver, before Karaf starts: the agent's namespace, with an uplink it can detect
        return agentInOwnNamespace(super.config(), NETNS);
    }

    /**
     * Makes {@code netns} with an uplink {@code eth0} at 10.99.0.11/24 and points the agent (and
     * with it the encapsulation providers) at it, so the machine's own network is never touched.
     */
    static Option[] agentInOwnNamespace(Option[] base, String netns) {
        if (new java.io.File("/var/run/netns/" + netns).exists()) {
            run("ip", "netns", "del", netns); // a previous run's
        }
        run("ip", "netns", "add", netns);
        // a veth pair inside the namespace (this kernel has no dummy devices): eth0 is the uplink
        run("ip", "-n", netns, "link", "add", "eth0", "type", "veth", "peer", "name", "uplink-peer");
        run("ip", "-n", netns, "addr", "add", "10.99.0.11/24", "dev", "eth0");
        run("ip", "-n", netns, "link", "set", "uplink-peer", "up");
        run("ip", "-n", netns, "link", "set", "eth0", "up");
        run("ip", "-n", netns, "link", "set", "lo", "up");
        List<Option> options = new ArrayList<>(List.of(base));
        options.add(editConfigurationFilePut("etc/io.weft.agent.cfg", "hostNetns", netns));
        options.add(editConfigurationFilePut("etc/io.weft.agent.cfg", "healthPort", "0"));
        options.add(editConfigurationFilePut("etc/io.weft.agent.cfg", "ipAutodetectionMethod", "interface=eth0"));
        // the default pool is IPIP, which this kernel lacks; the tests bring their own VXLAN pool
        options.add(editConfigurationFilePut("etc/io.weft.bootstrap.cfg", "createDefaultPools", "false"));
        return options.toArray(new Option[0]);
    }

    /**
     * A VXLAN pool and a remote node holding one block, so this node needs the VXLAN provider;
     * returns the route the agent should program to that block.
     */
    static String vxlanClusterWithARemoteBlock(ResourceStore store, IpamService ipam) throws Exception {
        store.apply(new IPPool(ObjectMeta.named("it-vxlan"), new IPPoolSpec("10.98.0.0/16", 26, EncapsulationMode.NEVER,
                EncapsulationMode.ALWAYS, false, false, false, null, null, null)));
        store.apply(new Node(ObjectMeta.named("it-remote"), new NodeSpec(
                new NodeBGPSpec(null, "10.99.0.12/24", null, null, null), "10.98.200.1", "66:66:66:66:66:01", null, null,
                null)));
        String remoteAddress = io.weft.api.net.Cidr.format(ipam.assign(AssignRequest.podIpv4("it-remote-pod", "it-remote",
                Map.of("node", "it-remote", "namespace", "default", "pod", "remote"))).ipv4().get(0));
        return remoteBlockOf(remoteAddress) + " via 10.98.200.1 dev vxlan.calico proto 80 onlink";
    }

    static String remoteBlockOf(String address) {
        return address.substring(0, address.lastIndexOf('.')) + "."
                + (Integer.parseInt(address.substring(address.lastIndexOf('.') + 1)) & ~63) + "/26";
    }

    @Test
    public void aMissingVxlanProviderIsReportedAndTheAgentRecoversWhenItIsBack() throws Exception {
        try {
            ResourceStore store = awaitService(ResourceStore.class);
            IpamService ipam = awaitService(IpamService.class);
            String tunnelRoute = vxlanClusterWithARemoteBlock(store, ipam);

            await("the remote block routed through vxlan.calico", () -> agentRoutes().contains(tunnelRoute),
                    () -> agentRoutes() + "\n" + console("weft:status -v"));
            String node = awaitAgentRow(row -> row.group("encap").equals("vxlan") && !row.group("message").contains("missing"));
            long agentId = componentConfiguration(AGENT_COMPONENT).id;

            featuresService.uninstallFeature("weft-encap-vxlan", NO_REFRESH);
            awaitAgentRow(row -> row.group("node").equals(node) && row.group("health").equals("DEGRADED")
                    && row.group("message").contains("missing encapsulation provider(s) vxlan: install feature(s) weft-encap-vxlan"));
            String status = console("weft:status");
            assertTrue(status, Pattern.compile("(?m)^agent\\s+DEGRADED\\s+missing encapsulation provider\\(s\\) vxlan").matcher(status).find());
            assertTrue("the route the provider gave stays while it is away: " + agentRoutes(), agentRoutes().contains(tunnelRoute));

            featuresService.installFeature("weft-encap-vxlan", NO_REFRESH);
            awaitAgentRow(row -> row.group("node").equals(node) && !row.group("message").contains("missing"));
            await("the route through vxlan.calico", () -> agentRoutes().contains(tunnelRoute), this::agentRoutes);
            assertEquals("the agent was rewired, not re-created", agentId, componentConfiguration(AGENT_COMPONENT).id);
        } finally {
            new ProcessBuilder("ip", "netns", "del", NETNS).start().waitFor();
        }
    }

    private String agentRoutes() {
        return agentRoutes(NETNS);
    }

    /** The agent's routes in {@code netns}, as {@code ip route} prints them (protocol 80). */
    static String agentRoutes(String netns) {
        return String.join("\n", run("ip", "-n", netns, "route", "show").lines().filter(l -> l.contains(" proto 80")).toList());
    }

    static final Pattern AGENT_ROW = Pattern.compile(
            "(?m)^(?<node>\\S+)\\s+(?<health>UP|DEGRADED|DOWN)\\s+10\\.99\\.0\\.11/24 on eth0\\s+(?<routes>\\d+)\\s+(?<mtu>\\S+)\\s+"
                    + "(?<encap>\\S+)\\s+(?<sync>\\S+ \\(\\S+ ago\\)|never)\\s+(?<message>.*)$");

    /** Waits for this node's row in weft:status's node-agent table to satisfy {@code wanted}; returns the node name. */
    private String awaitAgentRow(java.util.function.Predicate<Matcher> wanted) {
        String[] node = new String[1];
        await("the agent's row in weft:status", () -> {
            Matcher m = AGENT_ROW.matcher(console("weft:status"));
            while (m.find()) {
                if (wanted.test(m)) {
                    node[0] = m.group("node");
                    return true;
                }
            }
            return false;
        }, () -> console("weft:status -v"));
        return node[0];
    }

    <T> T awaitService(Class<T> type) throws Exception {
        await(type.getSimpleName() + " service", () -> {
            try {
                return service(type, null) != null;
            } catch (Exception e) {
                return false;
            }
        }, () -> console("weft:status"));
        T service = service(type, null);
        assertNotNull(service);
        return service;
    }

    static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + out
                        + (out.contains("Operation not permitted") ? " — this test needs root" : ""));
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
