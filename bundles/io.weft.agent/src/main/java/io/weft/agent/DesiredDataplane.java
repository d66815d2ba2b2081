package io.weft.agent;

import java.util.List;
import java.util.Map;
import java.util.Set;

import io.weft.api.encap.Encapsulation;
import io.weft.api.encap.EncapsulationTarget;
import io.weft.api.net.Cidr;
import io.weft.netlink.Neighbour;
import io.weft.netlink.Route;

/**
 * What this node's kernel should hold, as calculated from the cluster state.
 *
 * @param routes             the agent's own routes by destination: workload /32s, blackholes for
 *                           this node's blocks (routes to remote blocks come from the providers)
 * @param workloadNeighbours permanent ARP entries for local workloads with a known MAC
 * @param workloadInterfaces host-side veths of local workloads (sysctls)
 * @param targets            per encapsulation some pool uses: this node and the remote blocks it
 *                           must reach through it
 * @param problems           resources that cannot be programmed, with the reason
 * @param allPools           every IPv4 pool (natOutgoing leaves traffic to these alone)
 * @param natOutgoingPools   IPv4 pools with {@code natOutgoing: true}
 * @param exported           what this node offers to BGP: its affine blocks and the addresses its
 *                           pods borrowed from other nodes' blocks, except pools with
 *                           {@code disableBGPExport}; sorted
 */
public record DesiredDataplane(Map<Cidr, Route> routes, List<Neighbour> workloadNeighbours,
        Set<String> workloadInterfaces, Map<Encapsulation, EncapsulationTarget> targets, List<String> problems,
        List<Cidr> allPools, List<Cidr> natOutgoingPools, List<Cidr> exported) {

    public DesiredDataplane {
        routes = Map.copyOf(routes);
        workloadNeighbours = List.copyOf(workloadNeighbours);
        workloadInterfaces = Set.copyOf(workloadInterfaces);
        targets = Map.copyOf(targets);
        problems = List.copyOf(problems);
        allPools = List.copyOf(allPools);
        natOutgoingPools = List.copyOf(natOutgoingPools);
        exported = List.copyOf(exported);
    }
}
