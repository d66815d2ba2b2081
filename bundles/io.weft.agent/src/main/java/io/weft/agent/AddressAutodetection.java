package io.weft.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import io.weft.api.net.Cidr;
import io.weft.api.net.PrefixedAddress;
import io.weft.netlink.Address;

/**
 * Finds this node's IPv4 address the ways Calico's {@code IP_AUTODETECTION_METHOD} offers:
 * {@code first-found} (the first global address on an interface that is not a container or
 * tunnel device), {@code interface=REGEX[,REGEX]}, {@code skip-interface=REGEX[,REGEX]},
 * {@code can-reach=DESTINATION} (the source address the kernel picks towards it) and
 * {@code cidr=CIDR[,CIDR]}. The choice is pure over the address list, so it is unit-tested;
 * only can-reach asks the kernel, through a {@link ReachProbe}.
 */
public final class AddressAutodetection {

    /** Interfaces first-found never picks: container, bridge and tunnel devices (Calico's list). */
    static final List<Pattern> EXCLUDED_BY_DEFAULT = compile(List.of("^docker.*", "^cbr.*", "^dummy.*", "^virbr.*",
            "^lxcbr.*", "^veth.*", "^lo$", "^cali.*", "^tunl.*", "^flannel.*", "^kube-ipvs.*", "^cni.*",
            "^vxlan.calico.*", "^vxlan-v6.calico.*", "^wireguard.cali.*", "^wg-v6.cali.*", "^nodelocaldns.*"));

    /** The kernel's answer to "which source address would you use towards DESTINATION". */
    @FunctionalInterface
    public interface ReachProbe {
        InetAddress sourceFor(String destination) throws IOException;
    }

    /** The address found and the interface carrying it. */
    public record Detected(String device, PrefixedAddress address) {
    }

    private enum Kind { FIRST_FOUND, INTERFACE, SKIP_INTERFACE, CAN_REACH, CIDR }

    private final Kind kind;
    private final String text;
    private final List<Pattern> patterns;
    private final List<Cidr> cidrs;

    private AddressAutodetection(Kind kind, String text, List<Pattern> patterns, List<Cidr> cidrs) {
        this.kind = kind;
        this.text = text;
        this.patterns = patterns;
        this.cidrs = cidrs;
    }

    /**
     * Parses a method as Calico spells it.
     *
     * @throws IllegalArgumentException naming the method and the accepted forms
     */
    public static AddressAutodetection parse(String method) {
        String m = method == null ? "" : method.trim();
        String lower = m.toLowerCase(Locale.ROOT);
        try {
            if (lower.isEmpty() || lower.equals("first-found")) {
                return new AddressAutodetection(Kind.FIRST_FOUND, "first-found", List.of(), List.of());
            }
            if (lower.startsWith("interface=")) {
                return new AddressAutodetection(Kind.INTERFACE, m, compile(values(m)), List.of());
            }
            if (lower.startsWith("skip-interface=")) {
                return new AddressAutodetection(Kind.SKIP_INTERFACE, m, compile(values(m)), List.of());
            }
            if (lower.startsWith("can-reach=")) {
                return new AddressAutodetection(Kind.CAN_REACH, m, List.of(), List.of());
            }
            if (lower.startsWith("cidr=")) {
                return new AddressAutodetection(Kind.CIDR, m, List.of(), values(m).stream().map(Cidr::parse).toList());
            }
        } catch (IllegalArgumentException e) { // includes PatternSyntaxException
            throw new IllegalArgumentException("IP autodetection method '" + m + "': " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("IP autodetection method '" + m + "' is not known; use first-found, "
                + "interface=REGEX, skip-interface=REGEX, can-reach=DESTINATION or cidr=CIDR");
    }

    private static List<String> values(String method) {
        String v = method.substring(method.indexOf('=') + 1).trim();
        if (v.isEmpty()) {
            throw new IllegalArgumentException("nothing after '='");
        }
        List<String> out = new ArrayList<>();
        for (String part : v.split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return out;
    }

    private static List<Pattern> compile(List<String> regexes) {
        return regexes.stream().map(Pattern::compile).toList();
    }

    /**
     * Picks the address from {@code addresses} (in interface order, as the kernel lists them).
     *
     * @throws AutodetectionException saying what was looked for and what was seen
     */
    public Detected choose(List<Address> addresses, ReachProbe probe) throws AutodetectionException {
        List<Address> candidates = addresses.stream()
                .filter(a -> a.address().isIpv4() && a.scope() == 0 && a.device() != null).toList();
        InetAddress reachSource = null;
        if (kind == Kind.CAN_REACH) {
            String destination = text.substring(text.indexOf('=') + 1).trim();
            try {
                reachSource = probe.sourceFor(destination);
            } catch (IOException | RuntimeException e) {
                throw new AutodetectionException("IP autodetection " + text + ": cannot route to " + destination + ": "
                        + e.getMessage() + "; check the destination or choose another IP_AUTODETECTION_METHOD");
            }
        }
        for (Address a : candidates) {
            if (matches(a, reachSource)) {
                return new Detected(a.device(), a.address());
            }
        }
        throw new AutodetectionException("IP autodetection " + text + " found no matching IPv4 address among "
                + candidates.stream().map(a -> a.device() + " " + a.address()).toList()
                + "; set IP_AUTODETECTION_METHOD (agent ipAutodetectionMethod) to interface=REGEX or cidr=CIDR");
    }

    private boolean matches(Address a, InetAddress reachSource) {
        return switch (kind) {
            case FIRST_FOUND -> EXCLUDED_BY_DEFAULT.stream().noneMatch(p -> p.matcher(a.device()).find());
            case INTERFACE -> patterns.stream().anyMatch(p -> p.matcher(a.device()).find());
            case SKIP_INTERFACE -> EXCLUDED_BY_DEFAULT.stream().noneMatch(p -> p.matcher(a.device()).find())
                    && patterns.stream().noneMatch(p -> p.matcher(a.device()).find());
            case CAN_REACH -> a.address().address().equals(reachSource);
            case CIDR -> cidrs.stream().anyMatch(c -> c.contains(a.address().address()));
        };
    }

    @Override
    public String toString() {
        return text;
    }

    /** No address matched, or the destination of can-reach is unreachable. */
    public static final class AutodetectionException extends Exception {
        private static final long serialVersionUID = 1L;

        public AutodetectionException(String message) {
            super(message);
        }
    }
}
