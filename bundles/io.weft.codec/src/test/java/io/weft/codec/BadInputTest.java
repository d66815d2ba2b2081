package io.weft.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.weft.api.resource.InvalidResourceException;
import io.weft.codec.internal.JacksonResourceCodec;

/** What users get wrong, and what they are told. */
class BadInputTest {

    private final JacksonResourceCodec codec = new JacksonResourceCodec();

    private List<String> problems(String text) {
        return assertThrows(InvalidResourceException.class, () -> codec.read(text)).problems();
    }

    private static String pool(String specLines) {
        return "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: pool1\nspec:\n" + specLines;
    }

    @Test
    void malformedYamlNamesTheLine() {
        List<String> problems = problems(pool("  cidr: 10.244.0.0/16\n natOutgoing: true\n"));
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).startsWith("YAML is malformed at line 7, column 2:"), problems.get(0));
    }

    @Test
    void unclosedFlowListNamesTheLine() {
        List<String> problems = problems(pool("  allowedUses: [Workload, Tunnel\n  cidr: 10.0.0.0/8\n"));
        assertTrue(problems.get(0).startsWith("YAML is malformed at line 7, column"), problems.get(0));
        assertTrue(problems.get(0).contains("while parsing a flow sequence"), problems.get(0));
    }

    @Test
    void malformedJsonNamesTheLine() {
        List<String> problems = problems("{\n  \"kind\": \"IPPool\",\n  \"apiVersion\": \"projectcalico.org/v3\"\n"
                + "  \"metadata\": {}\n}\n");
        assertTrue(problems.get(0).startsWith("JSON is malformed at line 4, column"), problems.get(0));
    }

    @Test
    void tabsAreExplained() {
        List<String> problems = problems(pool("\tcidr: 10.244.0.0/16\n"));
        assertTrue(problems.get(0).startsWith("YAML is malformed at line 6, column 1:"), problems.get(0));
        assertTrue(problems.get(0).contains("Do not use \\t(TAB) for indentation"), problems.get(0));
    }

    @Test
    void wrongApiVersionNamesTheFix() {
        assertEquals(List.of("IPPool \"pool1\": apiVersion crd.projectcalico.org/v1 is Calico's internal CRD version"
                + " (what kubectl shows); write apiVersion: projectcalico.org/v3 as for calicoctl"),
                problems(pool("  cidr: 10.0.0.0/8\n").replace("projectcalico.org/v3", "crd.projectcalico.org/v1")));
        assertEquals(List.of("IPPool \"pool1\": apiVersion projectcalico.org/v1 is not supported; use apiVersion:"
                + " projectcalico.org/v3"),
                problems(pool("  cidr: 10.0.0.0/8\n").replace("projectcalico.org/v3", "projectcalico.org/v1")));
        assertEquals(List.of("Deployment \"nginx\": apiVersion apps/v1 is a Kubernetes API, not a Calico resource;"
                + " Weft reads apiVersion: projectcalico.org/v3 resources only (apply this one with kubectl)"),
                problems("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: nginx\n"));
        assertEquals(List.of("IPPool \"pool1\": apiVersion is missing; add apiVersion: projectcalico.org/v3"),
                problems(pool("  cidr: 10.0.0.0/8\n").replace("apiVersion: projectcalico.org/v3\n", "")));
    }

    @Test
    void unknownKindListsTheKnownKinds() {
        String known = "BGPConfiguration, BGPPeer, BlockAffinity, FelixConfiguration, GlobalNetworkPolicy, IPAMBlock,"
                + " IPAMConfiguration, IPAMHandle, IPPool, IPReservation, NetworkPolicy, Node, WorkloadEndpoint";
        assertEquals(List.of("IPPoll \"pool1\": unknown kind \"IPPoll\" (did you mean IPPool?); known kinds: " + known),
                problems(pool("  cidr: 10.0.0.0/8\n").replace("kind: IPPool", "kind: IPPoll")));
        assertEquals(List.of("Gadget \"pool1\": unknown kind \"Gadget\"; known kinds: " + known),
                problems(pool("  cidr: 10.0.0.0/8\n").replace("kind: IPPool", "kind: Gadget")));
        assertEquals(List.of("HostEndpoint \"pool1\": kind HostEndpoint is a Calico kind that Weft does not support yet;"
                + " supported kinds: " + known),
                problems(pool("  cidr: 10.0.0.0/8\n").replace("kind: IPPool", "kind: HostEndpoint")));
    }

    @Test
    void blockSizeOutOfRange() {
        assertEquals(List.of("IPPool \"pool1\": spec.blockSize 33 is out of range 20–32 for IPv4 pools"),
                problems(pool("  cidr: 10.244.0.0/16\n  blockSize: 33\n")));
        assertEquals(List.of("IPPool \"pool1\": spec.blockSize 112 is out of range 116–128 for IPv6 pools"),
                problems(pool("  cidr: fd00::/48\n  blockSize: 112\n")));
        assertEquals(List.of("IPPool \"pool1\": spec.blockSize 24 is larger than the pool: a /26 pool cannot hold /24"
                + " blocks; use blockSize 26 or more, or a larger cidr"),
                problems(pool("  cidr: 10.244.0.0/26\n  blockSize: 24\n")));
    }

    @Test
    void ipipAndVxlanTogether() {
        assertEquals(List.of("IPPool \"pool1\": spec.ipipMode and spec.vxlanMode cannot both be enabled (ipipMode:"
                + " Always, vxlanMode: CrossSubnet); set one of them to Never"),
                problems(pool("  cidr: 10.244.0.0/16\n  ipipMode: Always\n  vxlanMode: CrossSubnet\n")));
    }

    @Test
    void ipipOnIpv6() {
        assertEquals(List.of("IPPool \"pool1\": spec.ipipMode Always is not supported on IPv6 pools; use vxlanMode"
                + " instead, or ipipMode: Never"), problems(pool("  cidr: fd00:10::/64\n  ipipMode: Always\n")));
    }

    @Test
    void poolCidrProblems() {
        assertEquals(List.of("IPPool \"pool1\": spec.cidr 10.244.1.0/16 has host bits set; use 10.244.0.0/16"),
                problems(pool("  cidr: 10.244.1.0/16\n")));
        assertEquals(List.of("IPPool \"pool1\": spec.cidr \"10.244.0.0\" must be a network with a prefix length,"
                + " e.g. 10.244.0.0/16"), problems(pool("  cidr: 10.244.0.0\n")));
        assertEquals(List.of("IPPool \"pool1\": spec.cidr is required, e.g. cidr: 10.244.0.0/16"),
                problems(pool("  natOutgoing: true\n")));
        assertTrue(problems(pool("  cidr: 10.244.0.300/16\n")).get(0)
                .startsWith("IPPool \"pool1\": spec.cidr \"10.244.0.300/16\" is not a valid CIDR"));
    }

    @Test
    void bgpPeerNodeAndNodeSelector() {
        assertEquals(List.of("BGPPeer \"peer1\": spec.node and spec.nodeSelector cannot both be set; use node for one"
                + " node or nodeSelector for several"),
                problems("apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata:\n  name: peer1\nspec:\n"
                        + "  node: worker1\n  nodeSelector: rack == 'rack0'\n  peerIP: 10.0.0.254\n  asNumber: 65001\n"));
    }

    @Test
    void bgpPeerRemoteSide() {
        String peer = "apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata:\n  name: peer1\nspec:\n";
        assertEquals(List.of("BGPPeer \"peer1\": spec.peerIP and spec.peerSelector cannot both be set; use peerIP for"
                + " a remote speaker or peerSelector to peer with other Calico nodes",
                "BGPPeer \"peer1\": spec.asNumber must be empty when spec.peerSelector is set (each selected node's own"
                        + " AS is used)"),
                problems(peer + "  peerIP: 10.0.0.254\n  peerSelector: rr == 'true'\n  asNumber: 65001\n"));
        assertEquals(List.of("BGPPeer \"peer1\": spec.peerIP is required unless spec.peerSelector is set, e.g. peerIP:"
                + " 192.0.2.1"), problems(peer + "  asNumber: 65001\n"));
        assertEquals(List.of("BGPPeer \"peer1\": spec.asNumber 4294967296 is out of range 0–4294967295"),
                problems(peer + "  peerIP: 10.0.0.254\n  asNumber: 4294967296\n"));
        assertEquals(List.of("BGPPeer \"peer1\": spec.peerIP \"10.0.0.254:0\" is not an IP address, <IPv4>:<port> or"
                + " [<IPv6>]:<port>"), problems(peer + "  peerIP: 10.0.0.254:0\n  asNumber: 65001\n"));
    }

    @Test
    void typoedFieldSuggestsTheRightOne() {
        assertEquals(List.of("IPPool \"pool1\": unknown field spec.blockSzie (did you mean blockSize?)"),
                problems(pool("  cidr: 10.244.0.0/16\n  blockSzie: 26\n")));
        assertEquals(List.of("IPPool \"pool1\": unknown field spec.encapsulation"),
                problems(pool("  cidr: 10.244.0.0/16\n  encapsulation: VXLAN\n")));
        assertEquals(List.of("IPPool \"pool1\": unknown field specs (did you mean spec?)"),
                problems(pool("  cidr: 10.244.0.0/16\n").replace("spec:", "specs:")));
        assertEquals(List.of("Node \"node1\": unknown field spec.bgp.ipv4Adress (did you mean ipv4Address?)"),
                problems("apiVersion: projectcalico.org/v3\nkind: Node\nmetadata:\n  name: node1\nspec:\n  bgp:\n"
                        + "    ipv4Adress: 10.0.0.11/24\n"));
    }

    @Test
    void calicoFieldsWeftDoesNotModelAreNamedAsSuch() {
        assertEquals(List.of("BGPPeer \"peer1\": spec.keepaliveTime is a Calico field that Weft does not support yet;"
                + " remove it"),
                problems("apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata:\n  name: peer1\nspec:\n"
                        + "  peerIP: 10.0.0.254\n  asNumber: 65001\n  keepaliveTime: 30s\n"));
    }

    @Test
    void wrongTypesAndEnumSpellings() {
        assertEquals(List.of("IPPool \"pool1\": spec.blockSize must be a whole number, not \"26\"",
                "IPPool \"pool1\": spec.ipipMode 'always' is not valid (accepted values: Always, CrossSubnet, Never);"
                        + " did you mean Always?",
                "IPPool \"pool1\": spec.natOutgoing must be true or false, not \"true\""),
                problems(pool("  cidr: 10.244.0.0/16\n  blockSize: \"26\"\n  ipipMode: always\n"
                        + "  natOutgoing: \"true\"\n")));
        assertEquals(List.of("BGPPeer \"peer1\": spec.maxRestartTime 120 has no unit; write it as a duration, e.g. 120s"),
                problems("apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata:\n  name: peer1\nspec:\n"
                        + "  peerIP: 10.0.0.254\n  asNumber: 65001\n  maxRestartTime: 120\n"));
    }

    @Test
    void duplicateKeysAreReported() {
        assertEquals(List.of("IPPool \"pool1\": spec.cidr is given more than once; keep one"),
                problems(pool("  cidr: 10.244.0.0/16\n  cidr: 10.245.0.0/16\n")));
    }

    @Test
    void invalidNamesSuggestAValidOne() {
        assertEquals(List.of("IPPool \"Pool_1\": metadata.name \"Pool_1\" is not a valid name: use lower-case letters,"
                + " digits, '-' and '.', starting and ending with a letter or digit, e.g. \"pool-1\""),
                problems(pool("  cidr: 10.244.0.0/16\n").replace("name: pool1", "name: Pool_1")));
        assertEquals(List.of("IPPool (no name): metadata.name is required"),
                problems("apiVersion: projectcalico.org/v3\nkind: IPPool\nspec:\n  cidr: 10.244.0.0/16\n"));
    }

    @Test
    void namespacesFollowTheKind() throws InvalidResourceException {
        assertEquals(List.of("GlobalNetworkPolicy \"deny\": metadata.namespace must not be set: GlobalNetworkPolicy is"
                + " not namespaced; use a NetworkPolicy to apply policy in namespace prod"),
                problems("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: deny\n"
                        + "  namespace: prod\nspec:\n  selector: all()\n"));
        assertEquals("default", codec.read("apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n"
                + "  name: deny\nspec:\n  selector: all()\n").get(0).metadata().namespace());
    }

    @Test
    void nodeAddressesNeedTheirPrefix() {
        assertEquals(List.of("Node \"node1\": spec.bgp.ipv4Address \"10.0.0.11\" needs the prefix length of its subnet,"
                + " e.g. 10.0.0.11/24"),
                problems("apiVersion: projectcalico.org/v3\nkind: Node\nmetadata:\n  name: node1\nspec:\n  bgp:\n"
                        + "    ipv4Address: 10.0.0.11\n"));
        assertEquals(List.of("Node \"node1\": spec.bgp.ipv4Address fd00::11/64 must be an IPv4 address with prefix,"
                + " e.g. 10.0.0.11/24"),
                problems("apiVersion: projectcalico.org/v3\nkind: Node\nmetadata:\n  name: node1\nspec:\n  bgp:\n"
                        + "    ipv4Address: fd00::11/64\n"));
    }

    @Test
    void serviceClusterIpsMustBeCidrs() {
        String config = "apiVersion: projectcalico.org/v3\nkind: BGPConfiguration\nmetadata:\n  name: default\nspec:\n"
                + "  serviceClusterIPs:\n";
        assertEquals(List.of("BGPConfiguration \"default\": spec.serviceClusterIPs[0].cidr \"10.96.0.0/33\" is not a"
                + " valid CIDR or IP address (not a CIDR: '10.96.0.0/33' (prefix length must be 0-32 for IPv4))"),
                problems(config + "  - cidr: 10.96.0.0/33\n"));
        // Calico wraps each CIDR in a mapping; a bare CIDR is a structural error.
        assertEquals(List.of("BGPConfiguration \"default\": spec.serviceClusterIPs[0] must be a mapping (key: value"
                + " lines), not \"10.97.0.0/16\""), problems(config + "  - 10.97.0.0/16\n"));
    }

    @Test
    void everyProblemOfEveryDocumentIsReportedAtOnce() {
        List<String> problems = problems(pool("  cidr: 10.244.0.0/16\n  blockSize: 33\n  ipipMode: Always\n"
                + "  vxlanMode: Always\n") + "---\n" + "apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata:\n"
                + "  name: peer1\nspec:\n  peerIP: 10.0.0.254\n  asNumbr: 65001\n");
        assertEquals(List.of(
                "BGPPeer \"peer1\": unknown field spec.asNumbr (did you mean asNumber?)",
                "IPPool \"pool1\": spec.blockSize 33 is out of range 20–32 for IPv4 pools",
                "IPPool \"pool1\": spec.ipipMode and spec.vxlanMode cannot both be enabled (ipipMode: Always, vxlanMode:"
                        + " Always); set one of them to Never"), problems);
    }

    @Test
    void emptyTextAndNonResources() {
        assertEquals(List.of("no resources found: the text is empty or only comments"), problems("# nothing\n"));
        assertEquals(List.of("document 1: expected a resource (a mapping with apiVersion, kind, metadata and spec),"
                + " found \"hello\""), problems("hello\n"));
    }

    @Test
    void listItemsMustMatchTheListKind() {
        assertEquals(List.of("BGPPeer \"peer1\": a IPPoolList can only hold IPPool items, not BGPPeer; use kind: List"
                + " for mixed kinds"),
                problems("apiVersion: projectcalico.org/v3\nkind: IPPoolList\nitems:\n- apiVersion: projectcalico.org/v3\n"
                        + "  kind: BGPPeer\n  metadata:\n    name: peer1\n  spec:\n    peerIP: 10.0.0.1\n"));
    }

    @Test
    void unknownFieldsCanBeDroppedWhenConfigured() throws InvalidResourceException {
        JacksonResourceCodec lenient = new JacksonResourceCodec(new JacksonResourceCodec.Config() {
            @Override
            public boolean rejectUnknownFields() {
                return false;
            }

            @Override
            public Class<? extends java.lang.annotation.Annotation> annotationType() {
                return JacksonResourceCodec.Config.class;
            }
        });
        assertEquals("10.244.0.0/16", ((io.weft.api.model.IPPool) lenient.read(
                pool("  cidr: 10.244.0.0/16\n  blockSzie: 26\n")).get(0)).spec().cidr());
    }
}
