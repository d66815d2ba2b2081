package io.weft.cni;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.weft.api.net.Cidr;
import io.weft.api.net.PrefixedAddress;
import io.weft.netlink.Address;
import io.weft.netlink.Link;
import io.weft.netlink.NetlinkException;
import io.weft.netlink.Netns;
import io.weft.netlink.Route;
import io.weft.netlink.RouteScope;
import io.weft.netlink.RtNetlink;
import io.weft.netlink.Sysctl;
import io.weft.netlink.VethPair;

/**
 * Wires one pod as Calico does, and only here: a routed veth ({@code cali…} on the host with MAC
 * ee:ee:ee:ee:ee:ee, the pod's interface in its namespace), the pod's addresses as /32 and /128,
 * 169.254.1.1 as the pod's gateway answered by proxy ARP on the host end (no address on the host
 * end at all), and a host /32 route to the pod through its veth.
 *
 * <p>The "host" namespace is a parameter so one process can act as a node inside a lab namespace.
 */
final class PodWiring {

    static final String HOST_MAC = "ee:ee:ee:ee:ee:ee";
    /** The link-local address the kernel derives (EUI-64) from {@link #HOST_MAC}: the pods' IPv6 gateway. */
    static final InetAddress HOST_LINK_LOCAL_V6 = Cidr.parseAddress("fe80::ecee:eeff:feee:eeee");
    static final InetAddress GATEWAY_V4 = Cidr.parseAddress("169.254.1.1");
    private static final Cidr GATEWAY_V4_HOST = Cidr.parse("169.254.1.1/32");
    private static final Cidr DEFAULT_V4 = Cidr.parse("0.0.0.0/0");
    private static final Cidr DEFAULT_V6 = Cidr.parse("::/0");

    /** What to build: names, namespace, MTU (0 = kernel default) and the pod's addresses. */
    record Plan(String hostVeth, Netns podNetns, String ifName, int mtu, List<InetAddress> addresses) {
        Plan {
            addresses = List.copyOf(addresses);
        }

        boolean hasIpv6() {
            return addresses.stream().anyMatch(a -> a instanceof Inet6Address);
        }
    }

    private final Netns hostNetns;

    PodWiring(Netns hostNetns) {
        this.hostNetns = hostNetns;
    }

    Netns hostNetns() {
        return hostNetns;
    }

    /**
     * Builds the pod's network; returns the pod interface's MAC. On failure it removes what it
     * created before throwing, so a failed ADD leaves no veth and no route behind.
     */
    String wire(Plan plan) throws NetlinkException {
        try (RtNetlink host = RtNetlink.open(hostNetns)) {
            // a veth left by an earlier sandbox of the same pod (kubelet recreated it): replace it
            if (host.link(plan.hostVeth()).isPresent()) {
                host.deleteLink(plan.hostVeth());
            }
            host.createVeth(new VethPair(plan.hostVeth(), plan.ifName(), plan.podNetns(),
                    plan.mtu() > 0 ? plan.mtu() : null, HOST_MAC, null));
            try {
                configureHostSide(host, plan);
                String mac = configurePodSide(plan);
                for (InetAddress a : plan.addresses()) {
                    host.replaceRoute(Route.to(hostRoute(a)).device(plan.hostVeth()).scope(RouteScope.LINK));
                }
                return mac;
            } catch (NetlinkException | RuntimeException e) {
                try {
                    host.deleteLink(plan.hostVeth()); // the pod end and the host routes go with it
                } catch (NetlinkException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
        }
    }

    private void configureHostSide(RtNetlink host, Plan plan) throws NetlinkException {
        String v = plan.hostVeth();
        // proxy ARP answers the pod's ARP for 169.254.1.1 with the veth's MAC, at once
        Sysctl.write(hostNetns, "net/ipv4/conf/" + v + "/proxy_arp", "1");
        Sysctl.write(hostNetns, "net/ipv4/neigh/" + v + "/proxy_delay", "0");
        Sysctl.write(hostNetns, "net/ipv4/conf/" + v + "/forwarding", "1");
        Sysctl.write(hostNetns, "net/ipv4/conf/" + v + "/route_localnet", "1");
        if (plan.hasIpv6()) {
            Sysctl.write(hostNetns, "net/ipv6/conf/" + v + "/proxy_ndp", "1");
            Sysctl.write(hostNetns, "net/ipv6/conf/" + v + "/accept_ra", "0");
            Sysctl.write(hostNetns, "net/ipv6/conf/" + v + "/forwarding", "1");
        }
        host.setUp(v);
    }

    private String configurePodSide(Plan plan) throws NetlinkException {
        try (RtNetlink pod = RtNetlink.open(plan.podNetns())) {
            String eth = plan.ifName();
            if (plan.hasIpv6()) {
                Sysctl.write(plan.podNetns(), "net/ipv6/conf/" + eth + "/disable_ipv6", "0");
            }
            pod.setUp(eth);
            boolean v4 = false;
            boolean v6 = false;
            for (InetAddress a : plan.addresses()) {
                boolean six = a instanceof Inet6Address;
                pod.addAddress(eth, new PrefixedAddress(a, six ? 128 : 32));
                v4 |= !six;
                v6 |= six;
            }
            if (v4) {
                pod.replaceRoute(Route.to(GATEWAY_V4_HOST).device(eth).scope(RouteScope.LINK));
                pod.replaceRoute(Route.to(DEFAULT_V4).via(GATEWAY_V4).device(eth));
            }
            if (v6) {
                pod.replaceRoute(Route.to(DEFAULT_V6).via(HOST_LINK_LOCAL_V6).device(eth));
            }
            return pod.link(eth).map(Link::mac).orElse(null);
        }
    }

    /** Removes the pod's veth (both ends) and so its host routes. Missing is fine: DEL is idempotent. */
    boolean unwire(String hostVeth) throws NetlinkException {
        try (RtNetlink host = RtNetlink.open(hostNetns)) {
            if (host.link(hostVeth).isEmpty()) {
                return false;
            }
            try {
                host.deleteLink(hostVeth);
                return true;
            } catch (NetlinkException e) {
                if (e.isNotFound()) {
                    return false; // deleted meanwhile (the namespace went and took the pair with it)
                }
                throw e;
            }
        }
    }

    /** Host veths whose names start with {@code prefix}, for garbage collection. */
    List<String> hostVeths(String prefix) throws NetlinkException {
        try (RtNetlink host = RtNetlink.open(hostNetns)) {
            return host.links().stream().map(Link::name).filter(n -> n.startsWith(prefix)).toList();
        }
    }

    /** Differences between the kernel and {@code plan}, each one line a user can act on; empty when all is in place. */
    List<String> check(Plan plan) throws NetlinkException {
        List<String> problems = new ArrayList<>();
        try (RtNetlink host = RtNetlink.open(hostNetns)) {
            Optional<Link> veth = host.link(plan.hostVeth());
            if (veth.isEmpty()) {
                problems.add("host interface " + plan.hostVeth() + " is missing");
                return problems;
            }
            if (!veth.get().up()) {
                problems.add("host interface " + plan.hostVeth() + " is down");
            }
            if (!HOST_MAC.equalsIgnoreCase(String.valueOf(veth.get().mac()))) {
                problems.add("host interface " + plan.hostVeth() + " has MAC " + veth.get().mac() + ", expected " + HOST_MAC);
            }
            if (!"1".equals(Sysctl.read(hostNetns, "net/ipv4/conf/" + plan.hostVeth() + "/proxy_arp"))) {
                problems.add("proxy_arp is off on " + plan.hostVeth());
            }
            List<Route> hostRoutes = host.routes();
            for (InetAddress a : plan.addresses()) {
                Cidr want = hostRoute(a);
                boolean found = hostRoutes.stream().anyMatch(r -> r.destination().equals(want)
                        && plan.hostVeth().equals(r.device()));
                if (!found) {
                    problems.add("host route " + want + " dev " + plan.hostVeth() + " is missing");
                }
            }
        }
        if (!plan.podNetns().exists()) {
            problems.add("network namespace " + plan.podNetns().path() + " is gone");
            return problems;
        }
        try (RtNetlink pod = RtNetlink.open(plan.podNetns())) {
            Optional<Link> eth = pod.link(plan.ifName());
            if (eth.isEmpty()) {
                problems.add("pod interface " + plan.ifName() + " is missing in " + plan.podNetns().path());
                return problems;
            }
            if (!eth.get().up()) {
                problems.add("pod interface " + plan.ifName() + " is down");
            }
            List<Address> addresses = pod.addresses();
            for (InetAddress a : plan.addresses()) {
                PrefixedAddress want = new PrefixedAddress(a, a instanceof Inet6Address ? 128 : 32);
                boolean found = addresses.stream().anyMatch(x -> x.device().equals(plan.ifName())
                        && x.address().equals(want));
                if (!found) {
                    problems.add("pod address " + want + " is missing on " + plan.ifName());
                }
            }
            if (plan.addresses().stream().anyMatch(a -> !(a instanceof Inet6Address))) {
                List<Route> routes = pod.routes();
                boolean gw = routes.stream().anyMatch(r -> r.destination().equals(GATEWAY_V4_HOST)
                        && plan.ifName().equals(r.device()));
                boolean dflt = routes.stream().anyMatch(r -> r.destination().equals(DEFAULT_V4)
                        && GATEWAY_V4.equals(r.gateway()));
                if (!gw) {
                    problems.add("pod route 169.254.1.1 dev " + plan.ifName() + " scope link is missing");
                }
                if (!dflt) {
                    problems.add("pod route default via 169.254.1.1 is missing");
                }
            }
        }
        return problems;
    }

    private static Cidr hostRoute(InetAddress a) {
        return new Cidr(a, a instanceof Inet6Address ? 128 : 32);
    }
}
