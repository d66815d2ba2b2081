package io.weft.codec.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.weft.api.model.AllowedUse;
import io.weft.api.model.AssignmentMode;
import io.weft.api.model.BGPConfiguration;
import io.weft.api.model.BGPPeer;
import io.weft.api.model.EncapsulationMode;
import io.weft.api.model.IPPool;
import io.weft.api.model.Node;
import io.weft.api.model.Resource;
import io.weft.api.model.ServiceIPBlock;
import io.weft.api.resource.InvalidResourceException;

/**
 * Every projectcalico.org/v3 YAML block in the seed posts parses unchanged.
 *
 * <p>The excerpts in {@code src/test/resources/seeds} are the seeds' code blocks copied verbatim.
 * Blocks skipped because they are not Calico resources:
 * <ul>
 * <li>000: six calico-node manifest fragments — env entries {@code CALICO_IPV4POOL_CIDR},
 * {@code CALICO_IPV4POOL_BLOCK_SIZE}, {@code IP_AUTODETECTION_METHOD}, {@code CALICO_IPV4POOL_IPIP},
 * {@code CALICO_IPV4POOL_VXLAN}, {@code CALICO_IPV6POOL_VXLAN}, the ConfigMap key
 * {@code calico_backend} and commented-out probe lines;</li>
 * <li>001: three {@code operator.tigera.io/v1} Installations and an {@code apps/v1} Deployment;</li>
 * <li>002: a {@code kind.x-k8s.io/v1alpha4} Cluster, and an {@code apps/v1} DaemonSet with a
 * {@code v1} Service.</li>
 * </ul>
 * Seed 002 is indented with no-break spaces (the blog's HTML); the codec reads those as spaces.
 * Seed 004's two resources are broken by the blog itself and calicoctl rejects them too; they are
 * checked for clear errors in {@link #seed004BlocksAreRejectedWithTheLineAndTheFix()}.
 */
class SeedYamlTest {

    private final JacksonResourceCodec codec = new JacksonResourceCodec();

    @Test
    void everyCalicoBlockInTheSeedsParses() throws InvalidResourceException {
        Map<String, Integer> resourcesPerSeed = Map.of("000.md", 18, "001.md", 4, "002.md", 7);
        List<String> skipped = new ArrayList<>();
        int parsedBlocks = 0;
        for (Map.Entry<String, Integer> seed : resourcesPerSeed.entrySet()) {
            int resources = 0;
            for (SeedBlocks.Block block : SeedBlocks.of(seed.getKey())) {
                if (!block.isCalicoResource()) {
                    skipped.add(block.what());
                    continue;
                }
                try {
                    List<Resource> read = codec.read(block.yaml());
                    assertFalse(read.isEmpty(), block.toString());
                    resources += read.size();
                    parsedBlocks++;
                } catch (InvalidResourceException e) {
                    fail(block + " does not parse: " + e.getMessage());
                }
            }
            assertEquals(seed.getValue(), resources, "resources in seed " + seed.getKey());
        }
        assertEquals(13, parsedBlocks);
        assertEquals(List.of("apps/v1", "apps/v1",
                "fragment without apiVersion", "fragment without apiVersion", "fragment without apiVersion",
                "fragment without apiVersion", "fragment without apiVersion", "fragment without apiVersion",
                "kind.x-k8s.io/v1alpha4",
                "operator.tigera.io/v1", "operator.tigera.io/v1", "operator.tigera.io/v1"),
                skipped.stream().sorted().collect(Collectors.toList()));
    }

    @Test
    void asPerRackTopologyReadsAsWritten() throws InvalidResourceException {
        SeedBlocks.Block rack = SeedBlocks.of("000.md").stream().filter(SeedBlocks.Block::isCalicoResource)
                .findFirst().orElseThrow();
        List<Resource> resources = codec.read(rack.yaml());
        assertEquals(9, resources.size());

        BGPConfiguration config = (BGPConfiguration) resources.get(0);
        assertEquals("default", config.name());
        assertEquals("Info", config.spec().logSeverityScreen());
        assertEquals(Boolean.FALSE, config.spec().nodeToNodeMeshEnabled());
        assertEquals(List.of(new ServiceIPBlock("10.96.0.0/12")), config.spec().serviceClusterIPs());

        Node worker3 = (Node) resources.get(7);
        assertEquals("worker3.k8s.com", worker3.name());
        assertEquals(65002L, worker3.spec().bgp().asNumber());
        assertEquals("30.0.0.23/24", worker3.spec().bgp().ipv4Address());

        BGPPeer peer = (BGPPeer) resources.get(8);
        assertEquals("worker3.peer-tor", peer.name());
        assertEquals("worker3.k8s.com", peer.spec().node());
        assertEquals("30.0.0.254", peer.spec().peerIP());
        assertEquals(65002L, peer.spec().asNumber());
    }

    @Test
    void ipPoolsFromTheCalicoDocsGetCalicosDefaults() throws InvalidResourceException {
        List<IPPool> pools = new ArrayList<>();
        for (SeedBlocks.Block block : SeedBlocks.of("001.md")) {
            if (block.isCalicoResource()) {
                pools.add((IPPool) codec.read(block.yaml()).get(0));
            }
        }
        assertEquals(List.of("ippool-ipip-cross-subnet-1", "ippool-ipip-1", "ippool-vxlan-cross-subnet-1",
                "ippool-vxlan-1"), pools.stream().map(IPPool::name).collect(Collectors.toList()));
        IPPool crossSubnet = pools.get(0);
        assertEquals(EncapsulationMode.CROSS_SUBNET, crossSubnet.spec().ipipMode());
        assertEquals(EncapsulationMode.NEVER, crossSubnet.spec().vxlanMode());
        assertEquals(26, crossSubnet.spec().blockSize());
        assertEquals("all()", crossSubnet.spec().nodeSelector());
        assertEquals(List.of(AllowedUse.WORKLOAD, AllowedUse.TUNNEL), crossSubnet.spec().allowedUses());
        assertEquals(AssignmentMode.AUTOMATIC, crossSubnet.spec().assignmentMode());
        assertTrue(crossSubnet.spec().natOutgoing());

        // What `calicoctl get ippool ippool-ipip-cross-subnet-1 -o yaml` shows after create.
        assertEquals(String.join("\n",
                "apiVersion: projectcalico.org/v3",
                "kind: IPPool",
                "metadata:",
                "  name: ippool-ipip-cross-subnet-1",
                "spec:",
                "  allowedUses:",
                "  - Workload",
                "  - Tunnel",
                "  assignmentMode: Automatic",
                "  blockSize: 26",
                "  cidr: 192.168.0.0/16",
                "  ipipMode: CrossSubnet",
                "  natOutgoing: true",
                "  nodeSelector: all()",
                "  vxlanMode: Never",
                ""), codec.writeYaml(List.of(crossSubnet)));
    }

    @Test
    void nodeFromSeed002PrintsBackAsCalicoctlPrintedIt() throws InvalidResourceException {
        String golden = SeedBlocks.resource("golden/node-worker2.yaml");
        List<Resource> read = codec.read(golden);
        Node node = (Node) read.get(0);
        assertEquals(List.of("10.244.3.0/24"), node.status().podCIDRs());
        assertEquals("rack1", node.metadata().labels().get("rack"));
        assertEquals(golden, codec.writeYaml(read));
    }

    @Test
    void seed002ListOfBgpConfigurationsReads() throws InvalidResourceException {
        SeedBlocks.Block list = SeedBlocks.of("002.md").stream()
                .filter(b -> b.yaml().contains("kind: BGPConfigurationList")).findFirst().orElseThrow();
        List<Resource> read = codec.read(list.yaml());
        assertEquals(1, read.size());
        BGPConfiguration config = (BGPConfiguration) read.get(0);
        assertEquals(Boolean.FALSE, config.spec().nodeToNodeMeshEnabled());
    }

    /**
     * Seed 004 shows bgp_local.yaml with every line after the first indented (the post's
     * formatting) and a BGPPeer named with U+2010 hyphens instead of '-'. Both are rejected with
     * the line or the name, and a fix.
     */
    @Test
    void seed004BlocksAreRejectedWithTheLineAndTheFix() {
        List<SeedBlocks.Block> blocks = SeedBlocks.of("004.md");
        assertEquals(2, blocks.size());

        InvalidResourceException indentation = assertThrows(InvalidResourceException.class,
                () -> codec.read(blocks.get(0).yaml()));
        assertTrue(indentation.getMessage().startsWith(
                "YAML is malformed at line 2, column 7: mapping values are not allowed here"), indentation.getMessage());

        InvalidResourceException name = assertThrows(InvalidResourceException.class,
                () -> codec.read(blocks.get(1).yaml()));
        assertEquals(List.of("BGPPeer \"64511\u2010peer\u2010to\u201065001\": metadata.name \"64511\u2010peer\u2010to"
                + "\u201065001\" is not a valid name: use lower-case letters, digits, '-' and '.', starting and ending"
                + " with a letter or digit, e.g. \"64511-peer-to-65001\""), name.problems());

        // With the indentation and the hyphens repaired they are fine.
        String repaired = blocks.get(0).yaml().replace("\n  ", "\n");
        assertEquals(63400L, assertDoesNotThrowRead(repaired).get(0) instanceof BGPConfiguration c
                ? c.spec().asNumber() : null);
        assertEquals("64511-peer-to-65001", assertDoesNotThrowRead(blocks.get(1).yaml().replace('\u2010', '-'))
                .get(0).name());
    }

    private List<Resource> assertDoesNotThrowRead(String yaml) {
        try {
            return codec.read(yaml);
        } catch (InvalidResourceException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }
}
