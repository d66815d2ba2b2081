package io.weft.cli;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.weft.api.model.BGPConfiguration;
import io.weft.api.model.BGPPeer;
import io.weft.api.model.GlobalNetworkPolicy;
import io.weft.api.model.IPPool;
import io.weft.api.model.IPReservation;
import io.weft.api.model.NetworkPolicy;
import io.weft.api.model.Node;
import io.weft.api.model.Resource;
import io.weft.api.model.WorkloadEndpoint;

/** The {@code -o ps} and {@code -o wide} columns calicoctl prints for each kind. */
final class ResourceTables {
    private ResourceTables() {
    }

    /**
     * @param globalAsNumber the cluster's default AS (BGPConfiguration "default" or 64512), shown in
     *                       parentheses for nodes that inherit it, as calicoctl does
     */
    static String render(List<? extends Resource> resources, String kind, boolean wide, boolean withNamespace,
            long globalAsNumber) {
        Table t;
        switch (kind) {
            case "IPPool" -> {
                t = wide ? new Table("NAME", "CIDR", "NAT", "IPIPMODE", "VXLANMODE", "DISABLED", "DISABLEBGPEXPORT", "SELECTOR")
                        : new Table("NAME", "CIDR", "SELECTOR");
                for (Resource r : resources) {
                    IPPool p = (IPPool) r;
                    var s = p.spec();
                    if (wide) {
                        t.add(p.name(), s.cidr(), str(s.natOutgoing()), s.effectiveIpipMode().wireName(),
                                s.effectiveVxlanMode().wireName(), str(s.disabled()), str(s.disableBGPExport()),
                                s.effectiveNodeSelector());
                    } else {
                        t.add(p.name(), s.cidr(), s.effectiveNodeSelector());
                    }
                }
            }
            case "Node" -> {
                t = wide ? new Table("NAME", "ASN", "IPV4", "IPV6") : new Table("NAME");
                for (Resource r : resources) {
                    Node n = (Node) r;
                    var bgp = n.spec().bgp();
                    if (wide) {
                        String asn = bgp == null ? "" : bgp.asNumber() != null ? Long.toString(bgp.asNumber())
                                : "(" + globalAsNumber + ")";
                        t.add(n.name(), asn, bgp == null ? "" : nz(bgp.ipv4Address()), bgp == null ? "" : nz(bgp.ipv6Address()));
                    } else {
                        t.add(n.name());
                    }
                }
            }
            case "BGPConfiguration" -> {
                t = new Table("NAME", "LOGSEVERITY", "MESHENABLED", "ASNUMBER");
                for (Resource r : resources) {
                    BGPConfiguration c = (BGPConfiguration) r;
                    var s = c.spec();
                    t.add(c.name(), nz(s.logSeverityScreen()), s.nodeToNodeMeshEnabled() == null ? "" : str(s.nodeToNodeMeshEnabled()),
                            s.asNumber() == null ? "" : Long.toString(s.asNumber()));
                }
            }
            case "BGPPeer" -> {
                t = new Table("NAME", "PEERIP", "NODE", "ASN");
                for (Resource r : resources) {
                    BGPPeer p = (BGPPeer) r;
                    var s = p.spec();
                    String node = s.node() != null ? s.node() : s.nodeSelector() != null ? s.nodeSelector() : "(global)";
                    t.add(p.name(), s.peerIP() != null ? s.peerIP() : nz(s.peerSelector()), node,
                            s.asNumber() == null ? "" : Long.toString(s.asNumber()));
                }
            }
            case "WorkloadEndpoint" -> {
                t = withNamespace ? new Table("NAMESPACE", "WORKLOAD", "NODE", "NETWORKS", "INTERFACE")
                        : new Table("WORKLOAD", "NODE", "NETWORKS", "INTERFACE");
                for (Resource r : resources) {
                    WorkloadEndpoint w = (WorkloadEndpoint) r;
                    var s = w.spec();
                    String workload = s.pod() != null ? s.pod() : nz(s.workload());
                    String networks = String.join(",", s.ipNetworks());
                    if (withNamespace) {
                        t.add(w.metadata().namespace(), workload, nz(s.node()), networks, nz(s.interfaceName()));
                    } else {
                        t.add(workload, nz(s.node()), networks, nz(s.interfaceName()));
                    }
                }
            }
            case "IPReservation" -> {
                t = new Table("NAME", "CIDRS");
                for (Resource r : resources) {
                    IPReservation x = (IPReservation) r;
                    t.add(x.name(), String.join(",", x.spec().reservedCIDRs()));
                }
            }
            case "NetworkPolicy" -> {
                t = withNamespace ? (wide ? new Table("NAMESPACE", "NAME", "ORDER", "SELECTOR") : new Table("NAMESPACE", "NAME"))
                        : (wide ? new Table("NAME", "ORDER", "SELECTOR") : new Table("NAME"));
                for (Resource r : resources) {
                    NetworkPolicy p = (NetworkPolicy) r;
                    String order = p.spec().order() == null ? "" : trimZero(p.spec().order());
                    if (withNamespace) {
                        t.add(p.metadata().namespace(), p.name(), order, nz(p.spec().selector()));
                    } else {
                        t.add(p.name(), order, nz(p.spec().selector()));
                    }
                }
            }
            case "GlobalNetworkPolicy" -> {
                t = wide ? new Table("NAME", "ORDER", "SELECTOR") : new Table("NAME");
                for (Resource r : resources) {
                    GlobalNetworkPolicy p = (GlobalNetworkPolicy) r;
                    t.add(p.name(), p.spec().order() == null ? "" : trimZero(p.spec().order()), nz(p.spec().selector()));
                }
            }
            default -> {
                t = new Table("NAME");
                for (Resource r : resources) {
                    t.add(r.name());
                }
            }
        }
        return t.render();
    }

    /** Label maps as {@code k=v,k2=v2}, sorted (for messages). */
    static String labels(Map<String, String> labels) {
        StringBuilder s = new StringBuilder();
        new TreeMap<>(labels).forEach((k, v) -> s.append(s.length() == 0 ? "" : ",").append(k).append('=').append(v));
        return s.toString();
    }

    private static String str(boolean b) {
        return Boolean.toString(b);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static String trimZero(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
