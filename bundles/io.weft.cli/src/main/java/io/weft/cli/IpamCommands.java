package io.weft.cli;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.KeyExistsException;
import io.weft.api.datastore.KeyNotFoundException;
import io.weft.api.datastore.RevisionConflictException;
import io.weft.api.ipam.IpamException;
import io.weft.api.ipam.IpamService;
import io.weft.api.model.AllocationAttribute;
import io.weft.api.model.IPAMBlock;
import io.weft.api.model.IPAMBlockSpec;
import io.weft.api.model.IPAMConfig;
import io.weft.api.model.IPAMConfigSpec;
import io.weft.api.model.ObjectMeta;
import io.weft.api.model.ResourceKind;
import io.weft.api.net.Cidr;
import io.weft.api.resource.InvalidResourceException;
import io.weft.api.resource.ResourceStore;
import io.weft.cli.ResourceCommands.Outcome;
import io.weft.ipam.block.IpamCheck;
import io.weft.ipam.block.IpamUsage;

/**
 * calicoctl's {@code ipam} commands ({@code show}, {@code check}, {@code release},
 * {@code configure}) over the node's {@link ResourceStore} and {@link IpamService}, with
 * calicoctl's tables and messages. Used by the console and, through the admin socket, weftctl.
 *
 * <p>The usage and consistency data come from the block IPAM ({@code io.weft.ipam.block}, an
 * optional import of this bundle): go through {@link #run} so that a node without it gets a
 * message instead of a {@code NoClassDefFoundError}.
 */
public final class IpamCommands {

    /** What every ipam command says when no IpamService is bound. */
    public static final String NO_PROVIDER = "no IPAM provider: install feature weft-ipam-block";

    /** {@code kind} of the report {@code ipam check} writes and {@code ipam release --from-report} reads. */
    static final String REPORT_KIND = "IPAMCheckReport";
    static final int REPORT_VERSION = 1;

    private static final MathContext FIVE_DIGITS = new MathContext(5, RoundingMode.HALF_EVEN);

    private final ResourceStore store;
    private final IpamService ipam;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public IpamCommands(ResourceStore store, IpamService ipam) {
        this(store, ipam, Clock.systemUTC());
    }

    IpamCommands(ResourceStore store, IpamService ipam, Clock clock) {
        this.store = store;
        this.ipam = ipam;
        this.clock = clock;
    }

    /**
     * Runs {@code command} against the node's IPAM, or says what is missing: no provider bound, or
     * this bundle not wired to {@code io.weft.ipam.block} (installed after it and not refreshed).
     */
    public static Outcome run(ResourceStore store, IpamService ipam, Function<IpamCommands, Outcome> command) {
        if (ipam == null) {
            return Outcome.fail(NO_PROVIDER);
        }
        try {
            return command.apply(new IpamCommands(store, ipam));
        } catch (NoClassDefFoundError e) {
            return Outcome.fail("the ipam commands read the block IPAM's data (package io.weft.ipam.block), which"
                    + " io.weft.cli is not wired to: install feature weft-ipam-block, then bundle:refresh io.weft.cli");
        }
    }

    // ---- show

    /**
     * {@code ipam show [--show-blocks]}: calicoctl's table, one {@code IP Pool} row per pool and,
     * with {@code showBlocks}, a {@code Block} row per block after its pool (blocks whose pool was
     * deleted come last). Blocks are listed in calicoctl's order, the datastore's key order, that
     * is by CIDR text ({@code 10.244.202.128/26} before {@code 10.244.56.64/26}).
     */
    public Outcome show(boolean showBlocks) {
        IpamUsage usage;
        try {
            usage = IpamUsage.read(store);
        } catch (DatastoreException e) {
            return Outcome.fail("Failed to read IPAM usage: " + e.getMessage());
        }
        BorderedTable table = new BorderedTable("GROUPING", "CIDR", "IPS TOTAL", "IPS IN USE", "IPS FREE");
        for (IpamUsage.PoolUsage pool : usage.pools()) {
            table.add(usageRow("IP Pool", pool.cidr(), pool.total(), BigInteger.valueOf(pool.inUse()), pool.free()));
            if (showBlocks) {
                blockRows(table, pool.blocks());
            }
        }
        if (showBlocks) {
            blockRows(table, usage.blocksOutsidePools());
        }
        return Outcome.ok(table.render());
    }

    private static void blockRows(BorderedTable table, List<IpamUsage.BlockUsage> blocks) {
        List<IpamUsage.BlockUsage> sorted = new ArrayList<>(blocks);
        sorted.sort(Comparator.comparing(b -> b.cidr().toString()));
        for (IpamUsage.BlockUsage b : sorted) {
            table.add(usageRow("Block", b.cidr(), BigInteger.valueOf(b.total()), BigInteger.valueOf(b.inUse()),
                    BigInteger.valueOf(b.free())));
        }
    }

    /** calicoctl's cells: counts as Go's {@code %.5g}, shares as {@code %.f%%} of the float64 values. */
    private static String[] usageRow(String grouping, Cidr cidr, BigInteger total, BigInteger inUse, BigInteger free) {
        double capacity = total.doubleValue();
        return new String[] {grouping, cidr.toString(), goCount(capacity),
            goCount(inUse.doubleValue()) + " (" + goPercent(100 * inUse.doubleValue() / capacity) + "%)",
            goCount(free.doubleValue()) + " (" + goPercent(100 * free.doubleValue() / capacity) + "%)"};
    }

    /** Go's {@code %.5g}: 65536 stays 65536, 16777216 becomes 1.6777e+07 (an IPv6 pool stays readable). */
    static String goCount(double value) {
        if (value == 0) {
            return "0";
        }
        BigDecimal d = new BigDecimal(value).round(FIVE_DIGITS);
        int exponent = d.precision() - d.scale() - 1;
        if (exponent < -4 || exponent >= 5) {
            String mantissa = d.movePointLeft(exponent).stripTrailingZeros().toPlainString();
            int e = Math.abs(exponent);
            return mantissa + "e" + (exponent < 0 ? "-" : "+") + (e < 10 ? "0" : "") + e;
        }
        return d.stripTrailingZeros().toPlainString();
    }

    /** Go's {@code %.f}: rounded half to even, so 6.25 is 6 and 93.75 is 94. */
    static String goPercent(double value) {
        return new BigDecimal(value).setScale(0, RoundingMode.HALF_EVEN).toPlainString();
    }

    /**
     * {@code ipam show --ip IP}: whether the address is allocated and, if so, its handle and the
     * attributes recorded with it (node, namespace, pod, ...). Not assigned is an answer, not an
     * error (exit 0), as in calicoctl.
     */
    public Outcome showIp(String ip) {
        InetAddress address;
        try {
            address = Cidr.parseAddress(ip);
        } catch (IllegalArgumentException e) {
            return Outcome.fail("Failed to execute command: " + e.getMessage());
        }
        String text = Cidr.format(address);
        Optional<AllocationAttribute> owner;
        try {
            owner = allocation(address);
        } catch (DatastoreException e) {
            return Outcome.fail("Failed to read IPAM blocks: " + e.getMessage());
        }
        if (owner.isEmpty()) {
            return Outcome.ok("IP " + text + " is not assigned\n");
        }
        StringBuilder out = new StringBuilder("IP ").append(text).append(" is in use\n");
        String handle = owner.get().handleId();
        out.append("Handle ID: ").append(handle == null ? "<none>" : handle).append('\n');
        Map<String, String> attributes = new TreeMap<>(owner.get().secondary());
        if (attributes.isEmpty()) {
            out.append("No attributes defined\n");
        } else {
            out.append("Attributes:\n");
            attributes.forEach((k, v) -> out.append("  ").append(k).append(": ").append(v).append('\n'));
        }
        return Outcome.ok(out.toString());
    }

    /** Who holds the address (an empty attribute if its block lost track), or empty if it is free or in no block. */
    private Optional<AllocationAttribute> allocation(InetAddress address) throws DatastoreException {
        for (IPAMBlock block : store.list(ResourceKind.IPAM_BLOCK, null)) {
            IPAMBlockSpec spec = block.spec();
            Cidr cidr;
            try {
                cidr = spec.parsedCidr();
            } catch (IllegalArgumentException e) {
                continue; // unreadable: ipam check reports it
            }
            if (spec.deleted() || !cidr.contains(address)) {
                continue;
            }
            long ordinal = cidr.offsetOf(address);
            Integer index = ordinal < spec.allocations().size() ? spec.allocations().get((int) ordinal) : null;
            if (index == null) {
                return Optional.empty();
            }
            return Optional.of(index >= 0 && index < spec.attributes().size() ? spec.attributes().get(index)
                    : new AllocationAttribute(null, Map.of()));
        }
        return Optional.empty();
    }

    // ---- check

    /**
     * {@code ipam check}: every finding of {@link IpamCheck} in words, one per line, then
     * {@code Found N problems.} or {@code No problems found.}; exit 0 either way, as calicoctl.
     *
     * <p>With {@code report} ({@code --show-report}) the JSON report is the standard output and the
     * words go to standard error, so {@code weftctl ipam check --show-report > report.json} shows
     * the findings and saves the report; {@code -o FILE} (weftctl, console) writes it this way.
     */
    public Outcome check(boolean report) {
        IpamCheck check;
        try {
            check = IpamCheck.run(store);
        } catch (DatastoreException e) {
            return Outcome.fail("Failed to check IPAM data: " + e.getMessage());
        }
        List<String> findings = findings(check);
        StringBuilder text = new StringBuilder();
        findings.forEach(line -> text.append(line).append('\n'));
        text.append(findings.isEmpty() ? "No problems found."
                : "Found " + findings.size() + (findings.size() == 1 ? " problem." : " problems.")).append('\n');
        if (!report) {
            return Outcome.ok(text.toString());
        }
        try {
            return new Outcome(0, json.writeValueAsString(report(check, findings)) + "\n", text.toString());
        } catch (JsonProcessingException e) {
            return Outcome.fail("Failed to write the report: " + e.getMessage());
        }
    }

    private static List<String> findings(IpamCheck check) {
        List<String> lines = new ArrayList<>();
        for (IpamCheck.Allocation a : check.allocationsWithoutHandle()) {
            lines.add(Cidr.format(a.address()) + " in block " + a.block() + " is allocated to handle " + a.handleId()
                    + ", which has no IPAMHandle: leaked");
        }
        for (IpamCheck.HandleMismatch m : check.handleMismatches()) {
            lines.add("handle " + m.handleId() + " counts " + m.recorded() + " address(es) in block " + m.block()
                    + ", the block holds " + m.allocated() + " for it");
        }
        for (String h : check.handlesBeingDeleted()) {
            lines.add("handle " + h + " is marked deleted but still exists (an interrupted release)");
        }
        for (IpamCheck.BlockOwner b : check.blocksWithoutNode()) {
            lines.add("block " + b.block() + " is affine to node " + b.node() + ", which has no Node resource");
        }
        for (IpamCheck.AffinityProblem p : check.affinityProblems()) {
            lines.add(p.affinity() == null ? "block " + p.block() + ": " + p.problem()
                    : "block affinity " + p.affinity() + " (node " + p.node() + ", block " + p.block() + "): "
                            + p.problem());
        }
        for (IpamCheck.BlockProblem p : check.blockProblems()) {
            lines.add("block " + p.block() + ": " + p.problem());
        }
        return lines;
    }

    private ObjectNode report(IpamCheck check, List<String> findings) {
        ObjectNode root = json.createObjectNode();
        root.put("kind", REPORT_KIND);
        root.put("version", REPORT_VERSION);
        root.put("generated", clock.instant().toString());
        root.put("problems", findings.size());
        ArrayNode leaked = root.putArray("leakedAllocations");
        for (IpamCheck.Allocation a : check.allocationsWithoutHandle()) {
            leaked.addObject().put("ip", Cidr.format(a.address())).put("block", a.block().toString())
                    .put("handle", a.handleId());
        }
        ArrayNode mismatches = root.putArray("handleMismatches");
        for (IpamCheck.HandleMismatch m : check.handleMismatches()) {
            mismatches.addObject().put("handle", m.handleId()).put("block", String.valueOf(m.block()))
                    .put("recorded", m.recorded()).put("allocated", m.allocated());
        }
        ArrayNode deleting = root.putArray("handlesBeingDeleted");
        check.handlesBeingDeleted().forEach(deleting::add);
        ArrayNode nodeless = root.putArray("blocksWithoutNode");
        for (IpamCheck.BlockOwner b : check.blocksWithoutNode()) {
            nodeless.addObject().put("block", b.block().toString()).put("node", b.node());
        }
        ArrayNode affinities = root.putArray("affinityProblems");
        for (IpamCheck.AffinityProblem p : check.affinityProblems()) {
            affinities.addObject().put("affinity", p.affinity()).put("node", p.node())
                    .put("block", p.block() == null ? null : p.block().toString()).put("problem", p.problem());
        }
        ArrayNode blocks = root.putArray("blockProblems");
        for (IpamCheck.BlockProblem p : check.blockProblems()) {
            blocks.addObject().put("block", p.block()).put("problem", p.problem());
        }
        ArrayNode words = root.putArray("findings");
        findings.forEach(words::add);
        return root;
    }

    // ---- release

    /**
     * {@code ipam release --ip IP}: frees the address whoever holds it (for addresses of endpoints
     * that were not cleanly removed). A free address is left as it is and said so, exit 0.
     */
    public Outcome release(String ip) {
        InetAddress address;
        try {
            address = Cidr.parseAddress(ip);
        } catch (IllegalArgumentException e) {
            return Outcome.fail("Failed to execute command: " + e.getMessage());
        }
        String text = Cidr.format(address);
        try {
            List<InetAddress> released = ipam.releaseAddresses(List.of(address));
            return Outcome.ok(released.isEmpty() ? "IP address " + text + " is not assigned; nothing to release\n"
                    : "Successfully released IP address " + text + "\n");
        } catch (IpamException e) {
            return Outcome.fail("Failed to release IP address " + text + ": " + e.getMessage());
        }
    }

    /**
     * {@code ipam release --from-report REPORT}: releases the leaked addresses the report lists,
     * and of those only the ones a fresh check still finds leaked under the same handle, so an
     * address freed and handed out again since the report was taken is left alone. Never touches
     * an address the report does not list. The race left (an address freed and re-allocated
     * between that check and the release, milliseconds) is unlikely: a freed address goes to the
     * back of its block's free list.
     */
    public Outcome releaseFromReport(String reportText) {
        Map<InetAddress, String> listed;
        try {
            listed = leakedIn(reportText);
        } catch (IllegalArgumentException e) {
            return Outcome.fail("Failed to read the report: " + e.getMessage());
        }
        if (listed.isEmpty()) {
            return Outcome.ok("Report didn't contain any leaked IPs to clean up.\n");
        }
        Map<InetAddress, String> leakedNow = new LinkedHashMap<>();
        try {
            for (IpamCheck.Allocation a : IpamCheck.run(store).allocationsWithoutHandle()) {
                leakedNow.put(a.address(), a.handleId());
            }
        } catch (DatastoreException e) {
            return Outcome.fail("Failed to check IPAM data: " + e.getMessage() + "; nothing was released");
        }
        List<InetAddress> release = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        listed.forEach((address, handle) -> {
            if (handle.equals(leakedNow.get(address))) {
                release.add(address);
            } else {
                stale.add(Cidr.format(address));
            }
        });
        StringBuilder out = new StringBuilder("Releasing ").append(release.size()).append(" old IPs...\n");
        List<InetAddress> released = List.of();
        if (!release.isEmpty()) {
            try {
                released = ipam.releaseAddresses(release);
            } catch (IpamException e) {
                return new Outcome(1, out.toString(), "An error occurred while releasing the IPs: " + e.getMessage()
                        + "; run ipam check again and release from the new report\n");
            }
        }
        out.append("Released ").append(released.size()).append(" IPs successfully\n");
        for (InetAddress a : release) {
            if (!released.contains(a)) {
                stale.add(Cidr.format(a));
            }
        }
        if (!stale.isEmpty()) {
            out.append(stale.size()).append(" address(es) marked as leaked in the report had already been cleaned up"
                    + " (or are in use again) and were left alone: ").append(String.join(", ", stale)).append('\n');
        }
        return Outcome.ok(out.toString());
    }

    /** The report's leaked addresses and their handles; rejects the whole report if any entry is bad. */
    private Map<InetAddress, String> leakedIn(String reportText) {
        JsonNode root;
        try {
            root = json.readTree(reportText);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (root == null || !REPORT_KIND.equals(root.path("kind").asText())) {
            throw new IllegalArgumentException("not an ipam check report (no \"kind\": \"" + REPORT_KIND
                    + "\"); write one with ipam check -o FILE");
        }
        if (root.path("version").asInt() != REPORT_VERSION) {
            throw new IllegalArgumentException("report version " + root.path("version") + " is not "
                    + REPORT_VERSION + "; write a new one with ipam check -o FILE");
        }
        Map<InetAddress, String> listed = new LinkedHashMap<>();
        int i = 0;
        for (JsonNode entry : root.path("leakedAllocations")) {
            String ip = entry.path("ip").asText(null);
            String handle = entry.path("handle").asText(null);
            if (ip == null || handle == null) {
                throw new IllegalArgumentException("leakedAllocations[" + i + "] needs \"ip\" and \"handle\"");
            }
            listed.put(Cidr.parseAddress(ip), handle);
            i++;
        }
        return listed;
    }

    // ---- configure

    /**
     * {@code ipam configure --strictaffinity=true|false}: sets {@code strictAffinity} of the
     * IPAMConfig {@code default}, creating it with Calico's defaults if there is none.
     */
    public Outcome configureStrictAffinity(String value) {
        boolean strict;
        if ("true".equalsIgnoreCase(value)) {
            strict = true;
        } else if ("false".equalsIgnoreCase(value)) {
            strict = false;
        } else {
            return Outcome.fail("Failed to execute command: --strictaffinity must be true or false, got '" + value + "'");
        }
        for (int attempt = 0; attempt < 10; attempt++) {
            try {
                Optional<IPAMConfig> current = store.get(ResourceKind.IPAM_CONFIG, null, IPAMConfig.DEFAULT_NAME);
                if (current.isEmpty()) {
                    store.create(new IPAMConfig(ObjectMeta.named(IPAMConfig.DEFAULT_NAME),
                            IPAMConfigSpec.DEFAULTS.withStrictAffinity(strict)));
                } else {
                    store.update(current.get().withSpec(current.get().spec().withStrictAffinity(strict)));
                }
                return Outcome.ok("Successfully set StrictAffinity to: " + strict + "\n");
            } catch (KeyExistsException | KeyNotFoundException | RevisionConflictException e) {
                // another writer got there first: read it again
            } catch (DatastoreException | InvalidResourceException e) {
                return Outcome.fail("Failed to set StrictAffinity: " + e.getMessage());
            }
        }
        return Outcome.fail("Failed to set StrictAffinity: IPAMConfig \"default\" kept changing under us; try again");
    }
}
