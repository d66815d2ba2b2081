package io.weft.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.weft.api.model.BGPConfiguration;
import io.weft.api.model.BGPPeer;
import io.weft.api.model.BGPPeerSpec;
import io.weft.api.model.IPPool;
import io.weft.api.model.IPPoolSpec;
import io.weft.api.model.Node;
import io.weft.api.model.ObjectMeta;
import io.weft.api.model.Resource;
import io.weft.api.resource.InvalidResourceException;
import io.weft.codec.internal.JacksonResourceCodec;

/** Multi-document YAML, List kinds, JSON arrays, and the exact shape of what is written. */
class ListsAndFormatsTest {

    private final JacksonResourceCodec codec = new JacksonResourceCodec();

    private static IPPool pool(String name, String cidr, String resourceVersion) {
        return Defaults.apply(new IPPool(ObjectMeta.named(name).withResourceVersion(resourceVersion),
                IPPoolSpec.of(cidr)));
    }

    @Test
    void severalPoolsPrintAsAnIpPoolList() {
        String yaml = codec.writeYaml(List.of(pool("a", "10.1.0.0/16", "17"), pool("b", "10.2.0.0/16", "25")));
        assertEquals(String.join("\n",
                "apiVersion: projectcalico.org/v3",
                "items:",
                "- apiVersion: projectcalico.org/v3",
                "  kind: IPPool",
                "  metadata:",
                "    name: a",
                "    resourceVersion: \"17\"",
                "  spec:",
                "    allowedUses:",
                "    - Workload",
                "    - Tunnel",
                "    assignmentMode: Automatic",
                "    blockSize: 26",
                "    cidr: 10.1.0.0/16",
                "    ipipMode: Never",
                "    nodeSelector: all()",
                "    vxlanMode: Never",
                "- apiVersion: projectcalico.org/v3",
                "  kind: IPPool",
                "  metadata:",
                "    name: b",
                "    resourceVersion: \"25\"",
                "  spec:",
                "    allowedUses:",
                "    - Workload",
                "    - Tunnel",
                "    assignmentMode: Automatic",
                "    blockSize: 26",
                "    cidr: 10.2.0.0/16",
                "    ipipMode: Never",
                "    nodeSelector: all()",
                "    vxlanMode: Never",
                "kind: IPPoolList",
                "metadata:",
                "  resourceVersion: \"25\"",
                ""), yaml);
    }

    @Test
    void mixedKindsPrintAsList() {
        BGPPeer peer = new BGPPeer(ObjectMeta.named("tor"), BGPPeerSpec.global("192.0.2.1", 65001));
        String yaml = codec.writeYaml(List.of(pool("a", "10.1.0.0/16", null), peer));
        assertTrue(yaml.endsWith("kind: List\nmetadata: {}\n"), yaml);
        String json = codec.writeJson(List.of(pool("a", "10.1.0.0/16", null), peer));
        assertTrue(json.startsWith("{\n  \"kind\": \"List\",\n  \"apiVersion\": \"projectcalico.org/v3\",\n"
                + "  \"metadata\": {},\n  \"items\": [\n    {\n      \"kind\": \"IPPool\","), json);
    }

    @Test
    void noResourcesPrintAsAnEmptyList() {
        assertEquals("apiVersion: projectcalico.org/v3\nitems: []\nkind: List\nmetadata: {}\n",
                codec.writeYaml(List.of()));
    }

    @Test
    void aSingleResourcePrintsAsItselfInJson() {
        BGPPeer peer = new BGPPeer(ObjectMeta.named("tor"), BGPPeerSpec.global("192.0.2.1", 65001));
        assertEquals("{\n  \"kind\": \"BGPPeer\",\n  \"apiVersion\": \"projectcalico.org/v3\",\n  \"metadata\": {\n"
                + "    \"name\": \"tor\"\n  },\n  \"spec\": {\n    \"peerIP\": \"192.0.2.1\",\n    \"asNumber\": 65001\n"
                + "  }\n}\n", codec.writeJson(List.of(peer)));
    }

    @Test
    void storedBytesAreCompactJsonInGoFieldOrder() throws InvalidResourceException {
        IPPool pool = pool("default-ipv4-ippool", "192.168.0.0/16", null);
        String stored = new String(codec.toStoredBytes(pool), StandardCharsets.UTF_8);
        assertEquals("{\"kind\":\"IPPool\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":"
                + "\"default-ipv4-ippool\"},\"spec\":{\"cidr\":\"192.168.0.0/16\",\"vxlanMode\":\"Never\",\"ipipMode\":"
                + "\"Never\",\"blockSize\":26,\"nodeSelector\":\"all()\",\"allowedUses\":[\"Workload\",\"Tunnel\"],"
                + "\"assignmentMode\":\"Automatic\"}}", stored);
        assertEquals(pool, codec.fromStoredBytes(stored.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void storedValuesFromANewerWeftStillRead() throws InvalidResourceException {
        String stored = "{\"kind\":\"IPPool\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"p\"},"
                + "\"spec\":{\"cidr\":\"10.0.0.0/8\",\"someFutureField\":1}}";
        assertEquals("10.0.0.0/8", ((IPPool) codec.fromStoredBytes(stored.getBytes(StandardCharsets.UTF_8)))
                .spec().cidr());
    }

    @Test
    void readsMultiDocumentYamlListsAndJsonArrays() throws InvalidResourceException {
        String doc = "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: a\nspec:\n  cidr: 10.1.0.0/16\n";
        assertEquals(2, codec.read("---\n" + doc + "---\n" + doc.replace("name: a", "name: b") + "---\n").size());
        String list = "apiVersion: projectcalico.org/v3\nkind: List\nmetadata: {}\nitems:\n"
                + "- apiVersion: projectcalico.org/v3\n  kind: IPPool\n  metadata:\n    name: a\n  spec:\n"
                + "    cidr: 10.1.0.0/16\n"
                + "- apiVersion: projectcalico.org/v3\n  kind: BGPPeer\n  metadata:\n    name: tor\n  spec:\n"
                + "    peerIP: 192.0.2.1\n    asNumber: 65001\n";
        List<Resource> read = codec.read(list);
        assertEquals(List.of("a", "tor"), read.stream().map(Resource::name).toList());
        String array = "[{\"kind\":\"IPPool\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"a\"},"
                + "\"spec\":{\"cidr\":\"10.1.0.0/16\"}},{\"kind\":\"IPPool\",\"apiVersion\":\"projectcalico.org/v3\","
                + "\"metadata\":{\"name\":\"b\"},\"spec\":{\"cidr\":\"10.2.0.0/16\"}}]";
        assertEquals(2, codec.read(array).size());
        // Flow-style YAML starts with a brace too.
        assertEquals(1, codec.read("{apiVersion: projectcalico.org/v3, kind: IPPool, metadata: {name: a},"
                + " spec: {cidr: 10.1.0.0/16}}").size());
    }

    @Test
    void typedListItemsMayLeaveOutKindAndApiVersion() throws InvalidResourceException {
        List<Resource> read = codec.read("apiVersion: projectcalico.org/v3\nkind: IPPoolList\nitems:\n"
                + "- metadata:\n    name: a\n  spec:\n    cidr: 10.1.0.0/16\n");
        assertEquals("a", read.get(0).name());
    }

    @Test
    void asNumbersInCalicosDottedForm() throws InvalidResourceException {
        String config = "apiVersion: projectcalico.org/v3\nkind: BGPConfiguration\nmetadata:\n  name: default\nspec:\n";
        assertEquals(65546L, ((BGPConfiguration) codec.read(config + "  asNumber: 1.10\n").get(0)).spec().asNumber());
        assertEquals(65546L, ((BGPConfiguration) codec.read(config + "  asNumber: \"1.10\"\n").get(0)).spec()
                .asNumber());
        assertEquals(65537L, ((BGPConfiguration) codec.read(config + "  asNumber: 1.1\n").get(0)).spec().asNumber());
        assertEquals(4294967295L, ((BGPConfiguration) codec.read(config + "  asNumber: 65535.65535\n").get(0)).spec()
                .asNumber());
        assertEquals(63400L, ((BGPConfiguration) codec.read("{\"kind\":\"BGPConfiguration\",\"apiVersion\":"
                + "\"projectcalico.org/v3\",\"metadata\":{\"name\":\"default\"},\"spec\":{\"asNumber\":63400}}").get(0))
                .spec().asNumber());
    }

    @Test
    void serverSetMetadataIsAcceptedAndDropped() throws InvalidResourceException {
        Node node = (Node) codec.read("apiVersion: projectcalico.org/v3\nkind: Node\nmetadata:\n  name: n1\n"
                + "  generation: 3\n  managedFields: []\n  uid: 0a1b\n  resourceVersion: \"99\"\n"
                + "  creationTimestamp: \"2023-04-28T12:49:33+08:00\"\nspec:\n  bgp:\n    ipv4Address: 10.0.0.1/24\n")
                .get(0);
        assertEquals("0a1b", node.metadata().uid());
        assertEquals("99", node.metadata().resourceVersion());
        assertEquals(java.time.Instant.parse("2023-04-28T04:49:33Z"), node.metadata().creationTimestamp());
        assertTrue(codec.writeYaml(List.of(node)).contains("  creationTimestamp: \"2023-04-28T04:49:33Z\"\n"));
    }

    @Test
    void nodeWithoutStatusPrintsAnEmptyStatusAsCalicoctlDoes() {
        Node node = new Node(ObjectMeta.named("n1"), new io.weft.api.model.NodeSpec(
                new io.weft.api.model.NodeBGPSpec(null, "10.0.0.1/24", null, null, null), null, null, null, null, null));
        assertEquals("apiVersion: projectcalico.org/v3\nkind: Node\nmetadata:\n  name: n1\nspec:\n  bgp:\n"
                + "    ipv4Address: 10.0.0.1/24\nstatus: {}\n", codec.writeYaml(List.of(node)));
    }

    @Test
    void yamlOneOneWordsAreBooleansOnlyWhereABooleanIsExpected() throws InvalidResourceException {
        IPPool pool = (IPPool) codec.read("apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: p\n"
                + "  labels:\n    managed: yes\n    port: 8080\nspec:\n  cidr: 10.0.0.0/8\n  natOutgoing: yes\n"
                + "  disabled: off\n").get(0);
        assertTrue(pool.spec().natOutgoing());
        assertEquals(false, pool.spec().disabled());
        assertEquals("yes", pool.metadata().labels().get("managed"));
        assertEquals("8080", pool.metadata().labels().get("port"));
        // Written back the way calicoctl would: quoted, so that they stay strings.
        assertTrue(codec.writeYaml(List.of(pool)).contains("    managed: \"yes\"\n    port: \"8080\"\n"));
    }

    @Test
    void ipamConfigurationDefaultsAndSpellings() throws InvalidResourceException {
        io.weft.api.model.IPAMConfig config = (io.weft.api.model.IPAMConfig) codec.read(
                "apiVersion: projectcalico.org/v3\nkind: IPAMConfig\nmetadata:\n  name: default\nspec:\n"
                        + "  strictAffinity: true\n").get(0);
        assertTrue(config.spec().autoAllocateBlocks(), "the CRD defaults autoAllocateBlocks to true");
        io.weft.api.model.IPAMConfig off = config.withSpec(new io.weft.api.model.IPAMConfigSpec(true, false, null));
        assertEquals("apiVersion: projectcalico.org/v3\nkind: IPAMConfiguration\nmetadata:\n  name: default\nspec:\n"
                + "  autoAllocateBlocks: false\n  strictAffinity: true\n", codec.writeYaml(List.of(off)));
        assertEquals(List.of(off), codec.read(codec.writeYaml(List.of(off))));
    }
}
