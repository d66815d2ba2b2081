package io.weft.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * A lab topology as the user writes it in YAML (see README.md): subnets, routers joining them,
 * nodes with their pods, the IP pools, and the management network where etcd runs. {@link #load}
 * reads and checks it; every problem is reported at once, naming the entry, the field and the fix,
 * before anything is created.
 */
public record Topology(String name, String management, List<Subnet> subnets, List<Router> routers, List<Node> nodes,
        List<Pool> pools, List<External> externals) {

    /** A Linux bridge in the lab's switch namespace. */
    public record Subnet(String name, String cidr) {
    }

    /** A namespace with ip_forward on and one leg (subnet name → its address there) per subnet. */
    public record Router(String name, Map<String, String> legs) {
    }

    /** A node namespace running the node runtime; {@code ip} is its address in {@code subnet}. */
    public record Node(String name, String subnet, String ip, @JsonProperty("asNumber") Long asNumber, List<Pod> pods) {
    }

    /** A pod, created on its node through the CNI shim as a kubelet would. */
    public record Pod(String name, String namespace) {
        public String k8sNamespace() {
            return namespace == null || namespace.isBlank() ? "default" : namespace;
        }

        public String qualifiedName() {
            return k8sNamespace() + "/" + name;
        }
    }

    /** An IPPool, written to the datastore once, before any node starts. */
    public record Pool(String name, String cidr, Integer blockSize, String vxlanMode, String ipipMode,
            Boolean natOutgoing) {
        public int effectiveBlockSize() {
            return blockSize == null ? 26 : blockSize;
        }

        public String effectiveVxlanMode() {
            return vxlanMode == null ? "Never" : vxlanMode;
        }

        public String effectiveIpipMode() {
            return ipipMode == null ? "Never" : ipipMode;
        }

        public boolean encapsulated() {
            return !effectiveVxlanMode().equals("Never") || !effectiveIpipMode().equals("Never");
        }
    }

    /** A plain host in a subnet (no Weft): a destination outside every pool, e.g. for natOutgoing. */
    public record External(String name, String subnet, String ip) {
    }

    static final String DEFAULT_MANAGEMENT = "172.31.255.0/24";
    private static final Pattern LAB_NAME = Pattern.compile("[a-z][a-z0-9]{0,9}");
    private static final Pattern ENTITY_NAME = Pattern.compile("[a-z][a-z0-9-]{0,30}");
    private static final Pattern K8S_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Set<String> MODES = Set.of("Always", "CrossSubnet", "Never");

    public Topology {
        subnets = subnets == null ? List.of() : List.copyOf(subnets);
        routers = routers == null ? List.of() : List.copyOf(routers);
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
        pools = pools == null ? List.of() : List.copyOf(pools);
        externals = externals == null ? List.of() : List.copyOf(externals);
    }

    /** Reads and checks a topology file. */
    public static Topology load(Path file) throws IOException, TopologyException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new TopologyException(file + ": cannot read it (" + e + ")", List.of());
        }
        return parse(file.toString(), text);
    }

    static Topology parse(String source, String yaml) throws TopologyException {
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        if (yaml.isBlank()) {
            throw new TopologyException(source + ": the file is empty; see runtime/lab/README.md for the format",
                    List.of());
        }
        Topology topology;
        try {
            topology = mapper.readValue(yaml, Topology.class);
        } catch (UnrecognizedPropertyException e) {
            throw new TopologyException(source + ": unknown field '" + e.getPropertyName() + "' at " + path(e)
                    + "; known fields there: " + e.getKnownPropertyIds(), List.of());
        } catch (JsonMappingException e) {
            throw new TopologyException(source + ": " + e.getOriginalMessage() + " at " + path(e), List.of());
        } catch (IOException e) {
            throw new TopologyException(source + ": not valid YAML: " + e.getMessage(), List.of());
        }
        if (topology == null) {
            throw new TopologyException(source + ": the file is empty; see runtime/lab/README.md for the format",
                    List.of());
        }
        List<String> problems = topology.problems();
        if (!problems.isEmpty()) {
            throw new TopologyException(source + ": " + problems.size() + " problem(s)", problems);
        }
        return topology;
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            sb.append(ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]");
        }
        return sb.length() == 0 ? "the top level" : sb.substring(sb.charAt(0) == '.' ? 1 : 0);
    }

    /** Every problem, each naming the entry and field and saying what would be right. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (name == null || !LAB_NAME.matcher(name).matches()) {
            problems.add("name '" + name + "' must be 1-10 lower-case letters or digits starting with a letter "
                    + "(it prefixes every namespace the lab creates), e.g. name: seeds");
        }
        Cidr mgmt = null;
        try {
            mgmt = Cidr.parse(managementCidr());
            if (mgmt.prefix() > 24) {
                problems.add("management " + managementCidr() + " is too small; use a /24 or larger, e.g. "
                        + DEFAULT_MANAGEMENT);
            }
        } catch (IllegalArgumentException e) {
            problems.add("management: " + e.getMessage());
        }
        Map<String, Cidr> subnetCidrs = new LinkedHashMap<>();
        Set<String> namespaceNames = new HashSet<>();
        if (subnets.isEmpty()) {
            problems.add("subnets: none given; add at least one, e.g. subnets: [{name: rack1, cidr: 10.0.1.0/24}]");
        }
        for (Subnet s : subnets) {
            String where = "subnet '" + s.name() + "'";
            checkName(problems, "subnet", s.name());
            if (subnetCidrs.containsKey(s.name())) {
                problems.add(where + " is defined twice");
            }
            try {
                Cidr c = Cidr.parse(s.cidr());
                for (Map.Entry<String, Cidr> other : subnetCidrs.entrySet()) {
                    if (other.getValue().overlaps(c)) {
                        problems.add(where + ": cidr " + s.cidr() + " overlaps subnet '" + other.getKey() + "'");
                    }
                }
                if (mgmt != null && mgmt.overlaps(c)) {
                    problems.add(where + ": cidr " + s.cidr() + " overlaps the management network " + mgmt
                            + "; choose another management: CIDR");
                }
                subnetCidrs.put(s.name(), c);
            } catch (IllegalArgumentException e) {
                problems.add(where + ": cidr: " + e.getMessage());
            }
        }
        Set<String> addresses = new HashSet<>();
        for (Router r : routers) {
            String where = "router '" + r.name() + "'";
            checkName(problems, "router", r.name());
            if (!namespaceNames.add(r.name())) {
                problems.add(where + ": the name is used twice (routers, nodes and externals share one namespace)");
            }
            if (r.legs() == null || r.legs().size() < 2) {
                problems.add(where + ": give it legs in at least two subnets, e.g. legs: {rack1: 10.0.1.1, rack2: 10.0.2.1}");
                continue;
            }
            r.legs().forEach((subnet, ip) -> checkAddress(problems, where + " leg " + subnet, subnet, ip, subnetCidrs,
                    addresses));
        }
        if (nodes.isEmpty()) {
            problems.add("nodes: none given; add at least one, e.g. nodes: [{name: node1, subnet: rack1, ip: 10.0.1.11}]");
        }
        if (mgmt != null && nodes.size() > mgmt.size() - 12) {
            problems.add("management " + mgmt + " has room for " + (mgmt.size() - 12) + " nodes, not " + nodes.size());
        }
        Set<String> pods = new HashSet<>();
        for (Node n : nodes) {
            String where = "node '" + n.name() + "'";
            checkName(problems, "node", n.name());
            if (!namespaceNames.add(n.name())) {
                problems.add(where + ": the name is used twice (routers, nodes and externals share one namespace)");
            }
            checkAddress(problems, where, n.subnet(), n.ip(), subnetCidrs, addresses);
            if (n.asNumber() != null && (n.asNumber() < 1 || n.asNumber() > 4294967295L)) {
                problems.add(where + ": asNumber " + n.asNumber() + " is out of range 1-4294967295");
            }
            for (Pod p : n.pods() == null ? List.<Pod>of() : n.pods()) {
                if (p.name() == null || !K8S_NAME.matcher(p.name()).matches()) {
                    problems.add(where + ": pod name '" + p.name() + "' must be a DNS label (lower-case letters, "
                            + "digits and '-'), e.g. web-1");
                }
                if (!K8S_NAME.matcher(p.k8sNamespace()).matches()) {
                    problems.add(where + ": pod '" + p.name() + "': namespace '" + p.namespace()
                            + "' must be a DNS label, e.g. default");
                }
                if (!pods.add(p.qualifiedName())) {
                    problems.add(where + ": pod " + p.qualifiedName() + " is defined twice in the lab");
                }
            }
        }
        for (External x : externals) {
            String where = "external '" + x.name() + "'";
            checkName(problems, "external", x.name());
            if (!namespaceNames.add(x.name())) {
                problems.add(where + ": the name is used twice (routers, nodes and externals share one namespace)");
            }
            checkAddress(problems, where, x.subnet(), x.ip(), subnetCidrs, addresses);
        }
        if (pools.isEmpty()) {
            problems.add("pools: none given; add one, e.g. pools: [{name: default-ipv4-ippool, cidr: 10.244.0.0/16}]");
        }
        List<Cidr> poolCidrs = new ArrayList<>();
        for (Pool p : pools) {
            String where = "pool '" + p.name() + "'";
            if (p.name() == null || !K8S_NAME.matcher(p.name()).matches()) {
                problems.add(where + ": name must be a DNS label, e.g. default-ipv4-ippool");
            }
            try {
                Cidr c = Cidr.parse(p.cidr());
                for (Cidr other : poolCidrs) {
                    if (other.overlaps(c)) {
                        problems.add(where + ": cidr " + p.cidr() + " overlaps pool cidr " + other);
                    }
                }
                subnetCidrs.forEach((subnet, sc) -> {
                    if (sc.overlaps(c)) {
                        problems.add(where + ": cidr " + p.cidr() + " overlaps subnet '" + subnet + "'");
                    }
                });
                if (mgmt != null && mgmt.overlaps(c)) {
                    problems.add(where + ": cidr " + p.cidr() + " overlaps the management network " + mgmt);
                }
                poolCidrs.add(c);
                if (p.effectiveBlockSize() < 20 || p.effectiveBlockSize() > 32) {
                    problems.add(where + ": blockSize " + p.effectiveBlockSize() + " is out of range 20-32");
                } else if (p.effectiveBlockSize() < c.prefix()) {
                    problems.add(where + ": blockSize " + p.effectiveBlockSize() + " is larger than the pool /"
                            + c.prefix() + "; use a blockSize of at least " + c.prefix());
                }
            } catch (IllegalArgumentException e) {
                problems.add(where + ": cidr: " + e.getMessage());
            }
            if (!MODES.contains(p.effectiveVxlanMode())) {
                problems.add(where + ": vxlanMode '" + p.vxlanMode() + "' must be Always, CrossSubnet or Never");
            }
            if (!MODES.contains(p.effectiveIpipMode())) {
                problems.add(where + ": ipipMode '" + p.ipipMode() + "' must be Always, CrossSubnet or Never");
            }
            if (!p.effectiveVxlanMode().equals("Never") && !p.effectiveIpipMode().equals("Never")) {
                problems.add(where + ": vxlanMode and ipipMode are both on; a pool uses one encapsulation at most");
            }
        }
        return problems;
    }

    private static void checkName(List<String> problems, String kind, String name) {
        if (name == null || !ENTITY_NAME.matcher(name).matches()) {
            problems.add(kind + " name '" + name + "' must be lower-case letters, digits and '-', starting with a "
                    + "letter, at most 31 characters");
        }
    }

    private static void checkAddress(List<String> problems, String where, String subnet, String ip,
            Map<String, Cidr> subnets, Set<String> used) {
        Cidr cidr = subnets.get(subnet);
        if (cidr == null) {
            problems.add(where + ": subnet '" + subnet + "' is not defined; defined: " + subnets.keySet());
            return;
        }
        try {
            long address = Cidr.address(ip);
            if (!cidr.contains(address)) {
                problems.add(where + ": ip " + ip + " is outside subnet '" + subnet + "' (" + cidr + ")");
            } else if (cidr.prefix() < 31 && (address == cidr.network() || address == cidr.broadcast())) {
                problems.add(where + ": ip " + ip + " is the network or broadcast address of " + cidr);
            }
            if (!used.add(ip)) {
                problems.add(where + ": ip " + ip + " is used twice");
            }
        } catch (IllegalArgumentException e) {
            problems.add(where + ": ip: " + e.getMessage());
        }
    }

    public String managementCidr() {
        return management == null || management.isBlank() ? DEFAULT_MANAGEMENT : management.trim();
    }

    public Subnet subnet(String subnetName) {
        return subnets.stream().filter(s -> s.name().equals(subnetName)).findFirst().orElseThrow();
    }

    /** The address nodes (and externals) in this subnet route through: the first router leg in it. */
    public Optional<String> gateway(String subnetName) {
        return routers.stream().filter(r -> r.legs().containsKey(subnetName)).map(r -> r.legs().get(subnetName))
                .findFirst();
    }

    /** The pool an address belongs to. */
    public Optional<Pool> poolOf(String ip) {
        long address = Cidr.address(ip);
        return pools.stream().filter(p -> Cidr.parse(p.cidr()).contains(address)).findFirst();
    }

    /** Node name → node, in file order. */
    public Map<String, Node> nodesByName() {
        Map<String, Node> byName = new LinkedHashMap<>();
        nodes.forEach(n -> byName.put(n.name(), n));
        return byName;
    }

    /** A topology that cannot be built, with every problem found. */
    public static final class TopologyException extends Exception {
        private static final long serialVersionUID = 1L;
        private final List<String> problems;

        TopologyException(String message, List<String> problems) {
            super(message + (problems.isEmpty() ? "" : ":\n  - " + String.join("\n  - ", problems)));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }
}
