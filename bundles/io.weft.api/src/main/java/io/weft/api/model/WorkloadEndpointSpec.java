package io.weft.api.model;

import java.util.List;

/**
 * A pod interface: who owns it and how it is wired on the host.
 *
 * @param orchestrator {@code k8s} for Kubernetes pods
 * @param workload non-Kubernetes workload name; empty for pods
 * @param node the node the pod runs on
 * @param endpoint the interface inside the pod, normally {@code eth0}
 * @param ipNetworks the pod's addresses as {@code /32} or {@code /128} networks
 * @param profiles Calico profiles applied after policy ({@code kns.<namespace>},
 *        {@code ksa.<namespace>.<serviceaccount>} for Kubernetes)
 * @param interfaceName the host-side veth ({@code cali} + 11 hex digits)
 * @param mac the pod-side MAC address
 */
public record WorkloadEndpointSpec(
        String orchestrator,
        String workload,
        String node,
        String containerID,
        String pod,
        String endpoint,
        String serviceAccountName,
        List<String> ipNetworks,
        List<IPNAT> ipNATs,
        List<String> profiles,
        String interfaceName,
        String mac,
        List<WorkloadEndpointPort> ports) {

    public static final WorkloadEndpointSpec EMPTY =
            new WorkloadEndpointSpec(null, null, null, null, null, null, null, null, null, null, null, null, null);

    public WorkloadEndpointSpec {
        ipNetworks = Copies.list(ipNetworks);
        ipNATs = Copies.list(ipNATs);
        profiles = Copies.list(profiles);
        ports = Copies.list(ports);
    }
}
