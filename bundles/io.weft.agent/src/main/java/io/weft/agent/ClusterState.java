package io.weft.agent;

import java.util.List;
import java.util.Map;

import io.weft.api.model.IPAMBlock;
import io.weft.api.model.IPPool;
import io.weft.api.model.Node;
import io.weft.api.model.WorkloadEndpoint;

/**
 * An immutable copy of the resources the dataplane depends on, as of one moment. The
 * {@link DataplaneCalculator} works on it without locks while watches keep updating the live view.
 *
 * @param nodes     by name
 * @param pools     every IP pool
 * @param blocks    every IPAM block
 * @param endpoints every workload endpoint of every node
 */
public record ClusterState(Map<String, Node> nodes, List<IPPool> pools, List<IPAMBlock> blocks,
        List<WorkloadEndpoint> endpoints) {

    public ClusterState {
        nodes = Map.copyOf(nodes);
        pools = List.copyOf(pools);
        blocks = List.copyOf(blocks);
        endpoints = List.copyOf(endpoints);
    }
}
