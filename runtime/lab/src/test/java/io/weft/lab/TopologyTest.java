package io.weft.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.weft.lab.Topology.TopologyException;

/** The topology format: the shipped examples load, and bad files are refused with every problem named. */
class TopologyTest {
    private static final String GOOD = """
            name: t
            subnets:
              - {name: rack1, cidr: 10.0.1.0/24}
              - {name: rack2, cidr: 10.0.2.0/24}
            routers:
              - {name: r, legs: {rack1: 10.0.1.1, rack2: 10.0.2.1}}
            nodes:
              - {name: n1, subnet: rack1, ip: 10.0.1.11, pods: [{name: a}]}
              - {name: n2, subnet: rack1, ip: 10.0.1.12, pods: [{name: b}]}
              - {name: n3, subnet: rack2, ip: 10.0.2.13, pods: [{name: c, namespace: other}]}
            pools:
              - {name: p, cidr: 10.244.0.0/16, vxlanMode: CrossSubnet}
            """;

    @Test
    void theShippedExamplesLoad() throws Exception {
        Topology seeds = Topology.load(Path.of("examples/seeds-4-node.yaml"));
        assertEquals("seeds", seeds.name());
        assertEquals(4, seeds.nodes().size());
        assertEquals("10.0.1.1", seeds.gateway("rack1").orElseThrow());
        assertEquals("CrossSubnet", seeds.pools().get(0).effectiveVxlanMode());
        Topology single = Topology.load(Path.of("examples/single-node.yaml"));
        assertEquals(1, single.nodes().size());
        assertTrue(single.gateway("lan").isEmpty());
        assertEquals(26, single.pools().get(0).effectiveBlockSize());
        assertEquals("default", single.nodes().get(0).pods().get(0).k8sNamespace());
    }

    @Test
    void everyProblemIsNamedWithItsFix() {
        TopologyException e = assertThrows(TopologyException.class, () -> Topology.parse("bad.yaml", """
                name: Bad_Name
                subnets:
                  - {name: rack1, cidr: 10.0.1.5/24}
                  - {name: rack2, cidr: 10.0.1.0/25}
                nodes:
                  - {name: n1, subnet: rack9, ip: 10.0.1.11}
                  - {name: n2, subnet: rack2, ip: 10.0.3.1}
                  - {name: n3, subnet: rack2, ip: 10.0.1.0}
                pools:
                  - {name: p, cidr: 10.244.0.0/16, blockSize: 33, vxlanMode: Sometimes, ipipMode: Always}
                """));
        String message = e.getMessage();
        assertTrue(message.startsWith("bad.yaml: "), message);
        List<String> expected = List.of(
                "name 'Bad_Name' must be 1-10 lower-case letters or digits starting with a letter",
                "subnet 'rack1': cidr: '10.0.1.5/24' has host bits set; did you mean 10.0.1.0/24?",
                "node 'n1': subnet 'rack9' is not defined; defined: [rack2]",
                "node 'n2': ip 10.0.3.1 is outside subnet 'rack2' (10.0.1.0/25)",
                "node 'n3': ip 10.0.1.0 is the network or broadcast address of 10.0.1.0/25",
                "pool 'p': blockSize 33 is out of range 20-32",
                "pool 'p': vxlanMode 'Sometimes' must be Always, CrossSubnet or Never");
        for (String problem : expected) {
            assertTrue(e.problems().stream().anyMatch(p -> p.startsWith(problem)), problem + " not in\n" + message);
        }
    }

    @Test
    void overlapsAreRefused() {
        TopologyException e = assertThrows(TopologyException.class, () -> Topology.parse("x", GOOD
                .replace("10.244.0.0/16", "10.0.0.0/8")
                .replace("name: t\n", "name: t\nmanagement: 10.0.2.0/24\n")));
        assertTrue(e.problems().contains("pool 'p': cidr 10.0.0.0/8 overlaps subnet 'rack1'"), e.getMessage());
        assertTrue(e.problems().stream().anyMatch(p -> p.startsWith("subnet 'rack2': cidr 10.0.2.0/24 overlaps the "
                + "management network 10.0.2.0/24")), e.getMessage());
    }

    @Test
    void unknownFieldsAndDuplicatesAreNamed() {
        TopologyException unknown = assertThrows(TopologyException.class,
                () -> Topology.parse("x", GOOD.replace("ip: 10.0.1.12", "ipAddress: 10.0.1.12")));
        assertTrue(unknown.getMessage().contains("unknown field 'ipAddress' at nodes[1]"), unknown.getMessage());
        TopologyException twice = assertThrows(TopologyException.class,
                () -> Topology.parse("x", GOOD.replace("{name: b}", "{name: a}").replace("10.0.2.13", "10.0.1.12")));
        assertTrue(twice.problems().contains("node 'n2': pod default/a is defined twice in the lab"), twice.getMessage());
        assertTrue(twice.problems().contains("node 'n3': ip 10.0.1.12 is outside subnet 'rack2' (10.0.2.0/24)"),
                twice.getMessage());
        assertTrue(twice.problems().contains("node 'n3': ip 10.0.1.12 is used twice"), twice.getMessage());
    }

    @Test
    void emptyFileAndBadYamlSayWhat() {
        assertTrue(assertThrows(TopologyException.class, () -> Topology.parse("x", "")).getMessage()
                .contains("the file is empty"));
        assertTrue(assertThrows(TopologyException.class, () -> Topology.parse("x", "name: \"unclosed")).getMessage()
                .startsWith("x: not valid YAML"));
        String wrongType = assertThrows(TopologyException.class, () -> Topology.parse("x", "name: [a, b]")).getMessage();
        assertTrue(wrongType.startsWith("x: Cannot deserialize value of type `java.lang.String`")
                && wrongType.endsWith(" at name"), wrongType);
    }

    @Test
    void pingExpectationsFollowTheTopology() throws Exception {
        Topology t = Topology.parse("x", GOOD);
        LabLayout layout = new LabLayout(t, Path.of("/tmp/none"));
        PingMatrix.Endpoint a = new PingMatrix.Endpoint("default/a", "n1", "rack1", "t-default.a", "10.244.1.1", true);
        PingMatrix.Endpoint b = new PingMatrix.Endpoint("default/b", "n2", "rack1", "t-default.b", "10.244.2.1", true);
        PingMatrix.Endpoint c = new PingMatrix.Endpoint("other/c", "n3", "rack2", "t-other.c", "10.244.3.1", true);
        PingMatrix.Endpoint out = new PingMatrix.Endpoint("external x", null, "rack2", "t-x", "10.0.2.100", false);
        assertTrue(PingMatrix.expected(t, a, b));
        assertTrue(PingMatrix.expected(t, a, c), "VXLAN carries pods across the router");
        assertFalse(PingMatrix.expected(t, a, out), "no natOutgoing: the external has no route back");
        Topology plain = Topology.parse("x", GOOD.replace("vxlanMode: CrossSubnet", "natOutgoing: true"));
        assertTrue(PingMatrix.expected(plain, a, b), "no encapsulation, same subnet: plain routes");
        assertFalse(PingMatrix.expected(plain, a, c), "no encapsulation across subnets needs BGP");
        assertTrue(PingMatrix.expected(plain, a, out));
        assertEquals("t-sw", layout.switchNs());
        assertEquals("t-default.a", layout.podNs(t.nodes().get(0).pods().get(0)));
        assertEquals("n1up", layout.nodeUplinkPeer("n2"));
        assertEquals("172.31.255.12", layout.nodeManagementAddress("n2"));
        assertEquals(1450, layout.podMtu());
        assertEquals(1500, new LabLayout(plain, Path.of("/tmp/none")).podMtu());
    }
}
