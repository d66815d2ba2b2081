package io.weft.codec;

import java.net.InetAddress;
import java.util.Locale;
import java.util.regex.Pattern;

import io.weft.api.net.Cidr;

/** The syntax rules Calico and Kubernetes apply to names, labels, addresses and the like. */
final class FieldChecks {

    private static final String LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final String SUBDOMAIN = LABEL + "(\\." + LABEL + ")*";
    static final Pattern DNS_LABEL = Pattern.compile("^" + LABEL + "$");
    static final Pattern DNS_SUBDOMAIN = Pattern.compile("^" + SUBDOMAIN + "$");
    /** Calico: a label, {@code label.label}, or {@code knp.default.}/{@code ossg.default.} plus a subdomain. */
    static final Pattern NETWORK_POLICY_NAME = Pattern.compile(
            "^((" + LABEL + ")(\\." + LABEL + ")?|((?:knp|ossg)\\.default\\.(" + SUBDOMAIN + ")))$");
    static final Pattern GLOBAL_NETWORK_POLICY_NAME = Pattern.compile("^(" + LABEL + "\\.)?" + LABEL + "$");
    private static final Pattern QUALIFIED_NAME_PART = Pattern.compile("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$");
    private static final Pattern LABEL_VALUE = Pattern.compile("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$");
    static final Pattern CONTAINER_ID = Pattern.compile("^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$");
    static final Pattern INTERFACE_NAME = Pattern.compile("^[a-zA-Z0-9_.-]{1,15}$");
    private static final Pattern MAC = Pattern.compile(
            "^[0-9A-Fa-f]{2}(([:][0-9A-Fa-f]{2}){5}|([:][0-9A-Fa-f]{2}){7}|([:][0-9A-Fa-f]{2}){19}"
                    + "|([-][0-9A-Fa-f]{2}){5}|([-][0-9A-Fa-f]{2}){7}|([-][0-9A-Fa-f]{2}){19})$"
                    + "|^[0-9A-Fa-f]{4}(\\.[0-9A-Fa-f]{4}){2,9}$");
    /** Calico's own check (the dots are "any character" there too). */
    private static final Pattern IPV4_PORT = Pattern.compile("^(\\d+).(\\d+).(\\d+).(\\d+):(\\d+)$");
    private static final Pattern IPV6_PORT = Pattern.compile("^\\[([0-9a-fA-F:.]+)\\]:(\\d+)$");
    static final Pattern LOG_SEVERITY = Pattern.compile("^(?i)(Trace|Debug|Info|Warning|Error|Fatal)?$");
    static final Pattern PORT_NAME = Pattern.compile("^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$");

    static final int MAX_NAME_LENGTH = 253;

    /**
     * Whether {@code s} matches {@link #DNS_SUBDOMAIN}, without the regular expression: every
     * write of a resource checks its name, and the matcher cost more than the rest of an IPAM
     * block's validation.
     */
    static boolean isDnsSubdomain(String s) {
        int n = s.length();
        int labelStart = 0;
        for (int i = 0; i <= n; i++) {
            char c = i < n ? s.charAt(i) : '.';
            if (c == '.') {
                // a label: not empty, starts and ends with a letter or digit
                if (i == labelStart || s.charAt(i - 1) == '-' || s.charAt(labelStart) == '-') {
                    return false;
                }
                labelStart = i + 1;
            } else if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private FieldChecks() {
    }

    /** A name the user probably meant: lower case, every other character a '-'. */
    static String suggestName(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-").replaceAll("^[^a-z0-9]+", "")
                .replaceAll("[^a-z0-9]+$", "");
        return s.isEmpty() ? "my-resource" : s;
    }

    static boolean isIp(String text) {
        try {
            Cidr.parseAddress(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** 4 or 6, or 0 if not an address. */
    static int ipFamily(String text) {
        try {
            InetAddress a = Cidr.parseAddress(text);
            return a.getAddress().length == 4 ? 4 : 6;
        } catch (IllegalArgumentException e) {
            return 0;
        }
    }

    /** Calico's "net": a CIDR or a bare address. Returns the problem, or null when fine. */
    static String netProblem(String text) {
        try {
            Cidr.parse(text);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** Family (4/6) of a CIDR or address, 0 when unparsable. */
    static int netFamily(String text) {
        try {
            return Cidr.parse(text).isIpv4() ? 4 : 6;
        } catch (IllegalArgumentException e) {
            return 0;
        }
    }

    static boolean isMac(String text) {
        return MAC.matcher(text).matches();
    }

    /** BGPPeer.peerIP: {@code <IP>}, {@code <IPv4>:<port>} or {@code [<IPv6>]:<port>}, port 1–65535. */
    static String peerAddress(String peerIP) {
        String host = peerIP;
        String port = null;
        if (IPV6_PORT.matcher(peerIP).matches()) {
            host = peerIP.substring(1, peerIP.indexOf(']'));
            port = peerIP.substring(peerIP.lastIndexOf(':') + 1);
        } else if (IPV4_PORT.matcher(peerIP).matches()) {
            host = peerIP.substring(0, peerIP.lastIndexOf(':'));
            port = peerIP.substring(peerIP.lastIndexOf(':') + 1);
        }
        if (port != null) {
            try {
                int p = Integer.parseInt(port);
                if (p < 1 || p > 65535) {
                    return null;
                }
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return isIp(host) ? host : null;
    }

    /** Kubernetes' IsQualifiedName: {@code [prefix/]name}. Returns the problem or null. */
    static String qualifiedNameProblem(String key) {
        String name = key;
        int slash = key.indexOf('/');
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            name = key.substring(slash + 1);
            if (prefix.isEmpty() || prefix.length() > MAX_NAME_LENGTH || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
                return "prefix '" + prefix + "' must be a lower-case DNS subdomain such as example.com";
            }
        }
        if (name.isEmpty() || name.length() > 63 || !QUALIFIED_NAME_PART.matcher(name).matches()) {
            return "name part '" + name + "' must be 1–63 characters of letters, digits, '-', '_' or '.', starting"
                    + " and ending with a letter or digit";
        }
        return null;
    }

    static boolean isLabelValue(String value) {
        return value.length() <= 63 && LABEL_VALUE.matcher(value).matches();
    }
}
