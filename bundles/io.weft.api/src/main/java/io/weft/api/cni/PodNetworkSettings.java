package io.weft.api.cni;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What the node's dataplane says pods on this node should be given, for the CNI handler to use
 * when the network configuration leaves it out. Offered by the node agent, which knows the
 * encapsulations its pools need: a pod's packets must still fit the host's uplink once wrapped.
 */
@ProviderType
public interface PodNetworkSettings {

    /**
     * The MTU for pod interfaces: the host uplink's MTU less the largest overhead of the
     * encapsulations this node's pools use (VXLAN 50, IPIP 20, none 0), or 0 while it is not
     * known yet (the agent has not found its uplink or not seen the pools), in which case the
     * caller keeps its own default.
     */
    int podMtu();
}
