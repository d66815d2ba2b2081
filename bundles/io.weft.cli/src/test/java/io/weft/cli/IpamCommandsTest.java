package io.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.weft.api.ipam.AssignRequest;
import io.weft.api.ipam.IntendedUse;
import io.weft.api.ipam.IpamService;
import io.weft.api.model.AllocationAttribute;
import io.weft.api.model.IPAMBlock;
import io.weft.api.model.IPAMBlockSpec;
import io.weft.api.model.IPAMConfig;
import io.weft.api.model.IPAMConfigSpec;
import io.weft.api.model.Node;
import io.weft.api.model.NodeSpec;
import io.weft.api.model.ObjectMeta;
import io.weft.api.model.ResourceKind;
import io.weft.api.net.Cidr;
import io.weft.api.resource.ResourceStore;
import io.weft.cli.ResourceCommands.Outcome;
import io.weft.codec.internal.JacksonResourceCodec;
import io.weft.core.DatastoreResourceStore;
import io.weft.datastore.memory.MemoryDatastore;
import io.weft.ipam.block.BlockIpam;

/**
 * The ipam commands against real stores and the real block allocator: calicoctl's table
 * character for character (the seed's own blocks, then a two-node cluster), an address in use
 * and a free one, a planted leak found, reported and released from the report (and nothing the
 * report does not list), and the strict-affinity switch.
 */
class IpamCommandsTest {

    /** {@code calicoctl ipam show --show-blocks} in seed 001, verbatim. */
    static final String SEED_SHOW_BLOCKS = """
            +----------+-------------------+-----------+------------+--------------+
            | GROUPING |       CIDR        | IPS TOTAL | IPS IN USE |   IPS FREE   |
            +----------+-------------------+-----------+------------+--------------+
            | IP Pool  | 10.244.0.0/16     |     65536 | 16 (0%)    | 65520 (100%) |
            | Block    | 10.244.202.128/26 |        64 | 4 (6%)     | 60 (94%)     |
            | Block    | 10.244.218.64/26  |        64 | 4 (6%)     | 60 (94%)     |
            | Block    | 10.244.238.192/26 |        64 | 4 (6%)     | 60 (94%)     |
            | Block    | 10.244.56.64/26   |        64 | 4 (6%)     | 60 (94%)     |
            +----------+-------------------+-----------+------------+--------------+
            """;

    /** Two nodes after five pods: the blocks the allocator's walk, seeded by the node names, picks for them. */
    static final String TWO_NODES_SHOW_BLOCKS = """
            +----------+-------------------+-----------+------------+--------------+
            | GROUPING |       CIDR        | IPS TOTAL | IPS IN USE |   IPS FREE   |
            +----------+-------------------+-----------+------------+--------------+
            | IP Pool  | 10.244.0.0/16     |     65536 | 5 (0%)     | 65531 (100%) |
            | Block    | 10.244.249.192/26 |        64 | 2 (3%)     | 62 (97%)     |
            | Block    | 10.244.62.0/26    |        64 | 3 (5%)     | 61 (95%)     |
            +----------+-------------------+-----------+------------+--------------+
            """;

    private MemoryDatastore datastore;
    private ResourceStore store;
    private BlockIpam ipam;
    private IpamCommands commands;

    @BeforeEach
    void setUp() {
        datastore = new MemoryDatastore();
        JacksonResourceCodec codec = new JacksonResourceCodec();
        store = new DatastoreResourceStore(datastore, codec, Clock.systemUTC());
        ipam = new BlockIpam(store);
        commands = new IpamCommands(store, ipam, Clock.fixed(Instant.parse("2024-05-01T10:00:00Z"), ZoneOffset.UTC));
        assertEquals(0, new ResourceCommands(store, codec).apply(ResourceCommandsTest.SEED_POOL).exitCode());
    }

    @AfterEach
    void tearDown() {
        datastore.close();
    }

    @Test
    void theSeedsTableCharacterForCharacter() throws Exception {
        String[] blocks = {"10.244.56.64", "10.244.202.128", "10.244.218.64", "10.244.238.192"};
        for (int n = 0; n < blocks.length; n++) {
            node("node" + n);
            Cidr block = Cidr.parse(blocks[n] + "/26");
            // as on the seed's nodes: the tunnel address .0 of the block, then three pods from .4
            for (int offset : new int[] {0, 4, 5, 6}) {
                ipam.assignAddress(block.address(offset), "h-" + n + "-" + offset, "node" + n, IntendedUse.WORKLOAD,
                        Map.of());
            }
        }
        assertEquals(Outcome.ok(SEED_SHOW_BLOCKS), commands.show(true));
        assertEquals(Outcome.ok("""
                +----------+---------------+-----------+------------+--------------+
                | GROUPING |     CIDR      | IPS TOTAL | IPS IN USE |   IPS FREE   |
                +----------+---------------+-----------+------------+--------------+
                | IP Pool  | 10.244.0.0/16 |     65536 | 16 (0%)    | 65520 (100%) |
                +----------+---------------+-----------+------------+--------------+
                """), commands.show(false));
    }

    @Test
    void showBlocksAfterAllocatingOnTwoNodes() throws Exception {
        twoNodesFivePods();
        assertEquals(Outcome.ok(TWO_NODES_SHOW_BLOCKS), commands.show(true));
    }

    @Test
    void countsAndSharesAsGoFormatsThem() {
        assertEquals("65536", IpamCommands.goCount(65536));
        assertEquals("64", IpamCommands.goCount(64));
        assertEquals("0", IpamCommands.goCount(0));
        assertEquals("1.6777e+07", IpamCommands.goCount(16777216), "a /8 pool");
        assertEquals("1.8447e+19", IpamCommands.goCount(Math.pow(2, 64)), "an IPv6 /64 pool");
        assertEquals("1e+05", IpamCommands.goCount(99999.5));
        assertEquals("6", IpamCommands.goPercent(6.25));
        assertEquals("94", IpamCommands.goPercent(93.75));
        assertEquals("12", IpamCommands.goPercent(12.5), "half to even");
        assertEquals("100", IpamCommands.goPercent(100.0 * 65520 / 65536));
        BorderedTable table = new BorderedTable("A", "NUMBER");
        table.add("x", "1.6777e+07");
        table.add("y", "12");
        assertEquals("""
                +---+------------+
                | A |   NUMBER   |
                +---+------------+
                | x | 1.6777e+07 |
                | y |         12 |
                +---+------------+
                """, table.render(), "only plain numbers are right-aligned, as tablewriter does");
    }

    @Test
    void showIpInUseAndNotAssigned() throws Exception {
        List<InetAddress> pods = twoNodesFivePods();
        assertEquals(Outcome.ok("IP " + Cidr.format(pods.get(1)) + " is in use\n"
                + "Handle ID: k8s-pod-network.c1\n"
                + "Attributes:\n"
                + "  namespace: default\n"
                + "  node: master1\n"
                + "  pod: nginx-1\n"), commands.showIp(Cidr.format(pods.get(1))));
        assertEquals(Outcome.ok("IP 10.244.1.9 is not assigned\n"), commands.showIp("10.244.1.9"));
        assertEquals(Outcome.ok("IP 10.244.62.9 is not assigned\n"), commands.showIp("10.244.62.9"),
                "a free address in an existing block");
        Outcome bad = commands.showIp("10.244.1");
        assertEquals(1, bad.exitCode());
        assertTrue(bad.err().startsWith("Failed to execute command: not an IP address: '10.244.1'"), bad.err());
    }

    @Test
    void plantedLeakIsReportedAndReleasedFromTheReport() throws Exception {
        List<InetAddress> pods = twoNodesFivePods();
        assertEquals(Outcome.ok("No problems found.\n"), commands.check(false));

        InetAddress leaked = plantLeak(Cidr.parse("10.244.62.0/26"), "k8s-pod-network.gone");
        assertEquals("10.244.62.3", Cidr.format(leaked));
        String finding = "10.244.62.3 in block 10.244.62.0/26 is allocated to handle k8s-pod-network.gone, which has"
                + " no IPAMHandle: leaked";
        assertEquals(Outcome.ok(finding + "\nFound 1 problem.\n"), commands.check(false));

        Outcome withReport = commands.check(true);
        assertEquals(0, withReport.exitCode());
        assertEquals(finding + "\nFound 1 problem.\n", withReport.err(), "the words go to stderr with the report");
        JsonNode report = new ObjectMapper().readTree(withReport.out());
        assertEquals("IPAMCheckReport", report.path("kind").asText());
        assertEquals(1, report.path("version").asInt());
        assertEquals("2024-05-01T10:00:00Z", report.path("generated").asText());
        assertEquals(1, report.path("problems").asInt());
        assertEquals("[{\"ip\":\"10.244.62.3\",\"block\":\"10.244.62.0/26\",\"handle\":\"k8s-pod-network.gone\"}]",
                report.path("leakedAllocations").toString());
        assertEquals(List.of(finding), List.of(report.path("findings").get(0).asText()));

        // a second leak appears after the report was taken, and someone adds a live pod's address to the report
        InetAddress later = plantLeak(Cidr.parse("10.244.249.192/26"), "k8s-pod-network.later");
        ObjectNode forged = ((ObjectNode) report).deepCopy();
        forged.withArray("leakedAllocations").addObject().put("ip", Cidr.format(pods.get(0)))
                .put("block", "10.244.62.0/26").put("handle", "k8s-pod-network.c0");
        Outcome released = commands.releaseFromReport(forged.toString());
        assertEquals(Outcome.ok("Releasing 1 old IPs...\n"
                + "Released 1 IPs successfully\n"
                + "1 address(es) marked as leaked in the report had already been cleaned up (or are in use again)"
                + " and were left alone: " + Cidr.format(pods.get(0)) + "\n"), released);

        assertEquals(Outcome.ok("IP 10.244.62.3 is not assigned\n"), commands.showIp("10.244.62.3"));
        assertTrue(commands.showIp(Cidr.format(pods.get(0))).out().contains("is in use"), "the pod keeps its address");
        assertTrue(commands.showIp(Cidr.format(later)).out().contains("is in use"), "not in the report: kept");
        assertEquals(Outcome.ok(Cidr.format(later) + " in block 10.244.249.192/26 is allocated to handle"
                + " k8s-pod-network.later, which has no IPAMHandle: leaked\nFound 1 problem.\n"), commands.check(false));

        assertEquals(Outcome.ok("Releasing 0 old IPs...\nReleased 0 IPs successfully\n1 address(es) marked as leaked"
                + " in the report had already been cleaned up (or are in use again) and were left alone: 10.244.62.3\n"),
                commands.releaseFromReport(withReport.out()), "running the same report again changes nothing");
        assertEquals(Outcome.ok("Successfully released IP address " + Cidr.format(later) + "\n"),
                commands.release(Cidr.format(later)));
        assertEquals(Outcome.ok("No problems found.\n"), commands.check(false));
    }

    @Test
    void badReportsReleaseNothing() throws Exception {
        twoNodesFivePods();
        plantLeak(Cidr.parse("10.244.62.0/26"), "k8s-pod-network.gone");
        assertEquals(Outcome.fail("Failed to read the report: not an ipam check report (no \"kind\":"
                + " \"IPAMCheckReport\"); write one with ipam check -o FILE"), commands.releaseFromReport("{}"));
        assertTrue(commands.releaseFromReport("not json").err().startsWith("Failed to read the report: not JSON"));
        assertEquals(Outcome.fail("Failed to read the report: leakedAllocations[1] needs \"ip\" and \"handle\""),
                commands.releaseFromReport("{\"kind\":\"IPAMCheckReport\",\"version\":1,\"leakedAllocations\":"
                        + "[{\"ip\":\"10.244.62.3\",\"handle\":\"k8s-pod-network.gone\"},{\"ip\":\"10.244.0.4\"}]}"));
        assertEquals(Outcome.ok("Report didn't contain any leaked IPs to clean up.\n"),
                commands.releaseFromReport("{\"kind\":\"IPAMCheckReport\",\"version\":1,\"leakedAllocations\":[]}"));
        assertTrue(commands.showIp("10.244.62.3").out().startsWith("IP 10.244.62.3 is in use"), "still leaked");
    }

    @Test
    void releaseOneAddressThenItIsANoOp() throws Exception {
        List<InetAddress> pods = twoNodesFivePods();
        String ip = Cidr.format(pods.get(4));
        assertEquals(Outcome.ok("Successfully released IP address " + ip + "\n"), commands.release(ip));
        assertEquals(Outcome.ok("IP " + ip + " is not assigned\n"), commands.showIp(ip));
        assertEquals(Outcome.ok("IP address " + ip + " is not assigned; nothing to release\n"), commands.release(ip));
        assertEquals(Outcome.ok("IP address 10.99.0.1 is not assigned; nothing to release\n"),
                commands.release("10.99.0.1"), "outside every pool");
        assertEquals(1, commands.release("nonsense").exitCode());
    }

    @Test
    void configureStrictAffinityRoundTrip() throws Exception {
        assertTrue(store.get(ResourceKind.IPAM_CONFIG, null, "default").isEmpty());
        assertEquals(Outcome.ok("Successfully set StrictAffinity to: true\n"), commands.configureStrictAffinity("true"));
        assertEquals(new IPAMConfigSpec(true, true, null), strict());
        store.update(store.get(ResourceKind.IPAM_CONFIG, null, "default").orElseThrow()
                .withSpec(new IPAMConfigSpec(true, true, 7)));
        assertEquals(Outcome.ok("Successfully set StrictAffinity to: false\n"), commands.configureStrictAffinity("False"));
        assertEquals(new IPAMConfigSpec(false, true, 7), strict(), "the other settings are kept");
        assertEquals(Outcome.fail("Failed to execute command: --strictaffinity must be true or false, got 'yes'"),
                commands.configureStrictAffinity("yes"));
        assertEquals(new IPAMConfigSpec(false, true, 7), strict());
    }

    @Test
    void commandLineRoutesTheIpamCommands() throws Exception {
        twoNodesFivePods();
        assertEquals(Outcome.ok(TWO_NODES_SHOW_BLOCKS), ipamLine("ipam", "show", "--show-blocks"));
        assertEquals(commands.showIp("10.244.62.1"), ipamLine("ipam", "show", "--ip=10.244.62.1"));
        assertEquals(commands.check(false), ipamLine("ipam", "check"));
        assertEquals(Outcome.ok("Successfully set StrictAffinity to: true\n"),
                ipamLine("ipam", "configure", "--strictaffinity=true"));
        assertEquals(Outcome.ok("Successfully set StrictAffinity to: false\n"),
                ipamLine("ipam", "configure", "--strictaffinity", "false"));
        assertUsage("ipam needs a command", "ipam");
        assertUsage("unknown ipam command 'list'", "ipam", "list");
        assertUsage("ipam show takes --ip or --show-blocks, not both", "ipam", "show", "--ip", "10.244.62.1",
                "--show-blocks");
        assertUsage("ipam release needs --ip IP or --from-report FILE", "ipam", "release");
        assertUsage("ipam configure needs --strictaffinity=true|false", "ipam", "configure");
        assertUsage("the node returns the report with --show-report", "ipam", "check", "-o", "r.json");
        assertEquals(Outcome.fail(IpamCommands.NO_PROVIDER), IpamCommands.run(store, null, c -> c.show(false)));
        assertTrue(CtlCommandLine.parse(List.of("ipam", "check", "-o", "r.json")).writesReport());
        assertFalse(CtlCommandLine.parse(List.of("get", "ippool", "-o", "wide")).writesReport());
        assertEquals("r.json", CtlCommandLine.parse(List.of("ipam", "release", "--from-report", "r.json")).inputFile());
    }

    private Outcome ipamLine(String... args) {
        CtlCommandLine line = CtlCommandLine.parse(List.of(args));
        assertTrue(line.isIpam());
        return IpamCommands.run(store, ipam, c -> line.runIpam(c, null));
    }

    private void assertUsage(String message, String... args) {
        Outcome o = ipamLine(args);
        assertEquals(1, o.exitCode());
        assertTrue(o.err().contains(message), o.err());
        assertTrue(o.err().contains("weftctl ipam show"), "usage follows");
    }

    private IPAMConfigSpec strict() throws Exception {
        IPAMConfig config = store.get(ResourceKind.IPAM_CONFIG, null, "default").orElseThrow();
        return config.spec();
    }

    private void node(String name) throws Exception {
        node(store, name);
    }

    private static void node(ResourceStore store, String name) throws Exception {
        store.create(new Node(ObjectMeta.named(name), NodeSpec.EMPTY));
    }

    private List<InetAddress> twoNodesFivePods() throws Exception {
        return twoNodesFivePods(store, ipam);
    }

    private InetAddress plantLeak(Cidr cidr, String handle) throws Exception {
        return plantLeak(store, cidr, handle);
    }

    /** Pods nginx-0..2 on master1, nginx-3..4 on worker1; returns their addresses in that order. */
    static List<InetAddress> twoNodesFivePods(ResourceStore store, IpamService ipam) throws Exception {
        node(store, "master1");
        node(store, "worker1");
        List<InetAddress> out = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            out.add(ipam.assign(AssignRequest.podIpv4("k8s-pod-network.c" + i, i < 3 ? "master1" : "worker1",
                    Map.of("namespace", "default", "pod", "nginx-" + i))).ipv4().get(0));
        }
        return out;
    }

    /** Writes an allocation under a handle that has no IPAMHandle into the block, as a lost release would leave. */
    static InetAddress plantLeak(ResourceStore store, Cidr cidr, String handle) throws Exception {
        IPAMBlock block = store.list(ResourceKind.IPAM_BLOCK, null).stream()
                .filter(b -> b.spec().cidr().equals(cidr.toString())).findFirst().orElseThrow();
        IPAMBlockSpec s = block.spec();
        int ordinal = s.unallocated().get(0);
        List<Integer> allocations = new ArrayList<>(s.allocations());
        List<AllocationAttribute> attributes = new ArrayList<>(s.attributes());
        allocations.set(ordinal, attributes.size());
        attributes.add(new AllocationAttribute(handle, Map.of("node", "master1", "namespace", "default", "pod", "gone")));
        store.update(block.withSpec(new IPAMBlockSpec(s.cidr(), s.affinity(), s.strictAffinity(), allocations,
                s.unallocated().subList(1, s.unallocated().size()), attributes, false, s.sequenceNumber() + 1,
                s.sequenceNumberForAllocation())));
        return cidr.address(ordinal);
    }
}
