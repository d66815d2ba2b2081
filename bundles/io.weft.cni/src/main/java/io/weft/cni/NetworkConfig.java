package io.weft.cni;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The network configuration from stdin: the fields users write for Calico's plugin
 * ({@code type}, {@code mtu}, {@code nodename}, {@code log_level}, {@code ipam.ipv4_pools},
 * {@code ipam.assign_ipv4}, {@code ipam.assign_ipv6}) plus what the runtime adds
 * ({@code prevResult}, {@code cni.dev/valid-attachments}). Unknown fields are ignored, as the CNI
 * spec requires: runtimes inject their own.
 */
record NetworkConfig(String cniVersion, String name, String type, int mtu, String nodename, String logLevel,
        String ipamType, List<String> ipv4Pools, List<String> ipv6Pools, boolean assignIpv4, boolean assignIpv6,
        JsonNode prevResult, List<Attachment> validAttachments, ObjectNode raw) {

    /** cniVersions whose results this server writes. Older ones had a different result shape. */
    static final List<String> SUPPORTED_VERSIONS = List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0");
    private static final Set<String> CHECK_VERSIONS = Set.of("0.4.0", "1.0.0", "1.1.0");

    /** A container attachment the runtime still considers valid (GC input). */
    record Attachment(String containerId, String ifName) {
    }

    static NetworkConfig parse(ObjectMapper json, byte[] stdin) throws CniFailure {
        JsonNode root;
        try {
            root = json.readTree(stdin);
        } catch (Exception e) {
            throw new CniFailure(CniFailure.DECODING_FAILURE, "network configuration is not valid JSON",
                    firstLine(e.getMessage()) + "; the runtime passes the network config on stdin");
        }
        if (!(root instanceof ObjectNode object)) {
            throw new CniFailure(CniFailure.DECODING_FAILURE, "network configuration is not a JSON object",
                    "expected {\"cniVersion\": …, \"name\": …, \"type\": \"weft\", …} on stdin");
        }
        String version = text(object, "cniVersion", null);
        if (version == null) {
            throw new CniFailure(CniFailure.INVALID_NETWORK_CONFIG, "network configuration has no cniVersion",
                    "add \"cniVersion\": \"1.0.0\" (supported: " + String.join(", ", SUPPORTED_VERSIONS) + ")");
        }
        if (!SUPPORTED_VERSIONS.contains(version)) {
            throw new CniFailure(CniFailure.INCOMPATIBLE_VERSION, "incompatible CNI version " + version,
                    "supported versions: " + String.join(", ", SUPPORTED_VERSIONS));
        }
        JsonNode ipam = object.path("ipam");
        if (!ipam.isMissingNode() && !ipam.isObject()) {
            throw new CniFailure(CniFailure.INVALID_NETWORK_CONFIG, "field ipam must be an object",
                    "write \"ipam\": {\"type\": \"weft\"}");
        }
        int mtu = 0;
        JsonNode mtuNode = object.path("mtu");
        if (!mtuNode.isMissingNode() && !mtuNode.isNull()) {
            if (!mtuNode.canConvertToInt() || (mtuNode.isTextual() && !mtuNode.asText().matches("\\d+"))) {
                throw new CniFailure(CniFailure.INVALID_NETWORK_CONFIG, "field mtu is not a number: " + mtuNode,
                        "write \"mtu\": 1450, or leave it out for the host's MTU");
            }
            mtu = mtuNode.asInt();
            if (mtu != 0 && (mtu < 68 || mtu > 65535)) {
                throw new CniFailure(CniFailure.INVALID_NETWORK_CONFIG, "mtu " + mtu + " is out of range 68-65535",
                        "use the host's MTU minus the encapsulation overhead (VXLAN 50, IPIP 20)");
            }
        }
        JsonNode prev = object.get("prevResult");
        return new NetworkConfig(version, text(object, "name", ""), text(object, "type", ""), mtu,
                text(object, "nodename", ""), text(object, "log_level", "info"),
                text(ipam, "type", ""), strings(ipam, "ipv4_pools"), strings(ipam, "ipv6_pools"),
                bool(ipam, "assign_ipv4", true), bool(ipam, "assign_ipv6", false),
                prev == null || prev.isNull() ? null : prev, attachments(object), object);
    }

    boolean checkSupported() {
        return CHECK_VERSIONS.contains(cniVersion);
    }

    boolean atLeast110() {
        return "1.1.0".equals(cniVersion);
    }

    private static String text(JsonNode node, String field, String fallback) {
        JsonNode v = node.path(field);
        return v.isValueNode() && !v.isNull() ? v.asText() : fallback;
    }

    /** Calico writes these as strings ("true"); accept JSON booleans too. */
    private static boolean bool(JsonNode node, String field, boolean fallback) throws CniFailure {
        JsonNode v = node.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return fallback;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        String s = v.asText().trim().toLowerCase();
        if (s.equals("true") || s.equals("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new CniFailure(CniFailure.INVALID_NETWORK_CONFIG, "ipam." + field + " is " + v + ", not true or false",
                "write \"" + field + "\": \"true\"");
    }

    private static List<String> strings(JsonNode node, String field) throws CniFailure {
        JsonNode v = node.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new CniFailure(CniFailure.INVALID_NETWORK_CONFIG, "ipam." + field + " must be a list",
                    "write \"" + field + "\": [\"10.244.0.0/16\"] (pool CIDRs or IPPool names)");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : v) {
            out.add(item.asText());
        }
        return out;
    }

    private static List<Attachment> attachments(ObjectNode object) {
        JsonNode v = object.path("cni.dev/valid-attachments");
        if (!v.isArray()) {
            return null;
        }
        List<Attachment> out = new ArrayList<>();
        for (JsonNode a : v) {
            out.add(new Attachment(a.path("containerID").asText(""), a.path("ifname").asText("")));
        }
        return out;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
