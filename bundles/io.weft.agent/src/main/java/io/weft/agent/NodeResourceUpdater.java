package io.weft.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.KeyExistsException;
import io.weft.api.datastore.RevisionConflictException;
import io.weft.api.model.Node;
import io.weft.api.model.NodeAddress;
import io.weft.api.model.NodeBGPSpec;
import io.weft.api.model.NodeSpec;
import io.weft.api.model.ObjectMeta;
import io.weft.api.model.ResourceKind;
import io.weft.api.resource.InvalidResourceException;
import io.weft.api.resource.ResourceStore;

/**
 * Writes the autodetected address into this node's Node resource ({@code spec.bgp.ipv4Address}
 * and a {@code CalicoNodeIP} entry in {@code spec.addresses}), creating the resource if needed.
 * Other fields (AS number, tunnel addresses written by IPAM, labels) are kept; writes are
 * compare-and-swap, retried when another writer got there first.
 */
final class NodeResourceUpdater {

    static final String CALICO_NODE_IP = "CalicoNodeIP";
    private static final int ATTEMPTS = 10;

    private NodeResourceUpdater() {
    }

    /** Returns true if the resource was written, false if it already said this. */
    static boolean ensure(ResourceStore store, NodeIdentity me) throws DatastoreException, InvalidResourceException {
        String address = me.address().toString();
        for (int attempt = 1; ; attempt++) {
            try {
                Optional<Node> current = store.get(ResourceKind.NODE, null, me.name());
                if (current.isEmpty()) {
                    NodeSpec spec = new NodeSpec(new NodeBGPSpec(null, address, null, null, null), null, null, null,
                            null, List.of(new NodeAddress(address, CALICO_NODE_IP)));
                    store.create(new Node(ObjectMeta.named(me.name()), spec));
                    return true;
                }
                Node node = current.get();
                NodeSpec spec = node.spec();
                NodeBGPSpec bgp = spec.bgp();
                boolean bgpOk = bgp != null && address.equals(bgp.ipv4Address());
                boolean listed = spec.addresses().stream()
                        .anyMatch(a -> CALICO_NODE_IP.equals(a.type()) && address.equals(a.address()));
                if (bgpOk && listed) {
                    return false;
                }
                NodeBGPSpec newBgp = bgp == null ? new NodeBGPSpec(null, address, null, null, null)
                        : new NodeBGPSpec(bgp.asNumber(), address, bgp.ipv6Address(), bgp.ipv4IPIPTunnelAddr(),
                                bgp.routeReflectorClusterID());
                List<NodeAddress> addresses = new ArrayList<>();
                addresses.add(new NodeAddress(address, CALICO_NODE_IP));
                spec.addresses().stream().filter(a -> !CALICO_NODE_IP.equals(a.type())).forEach(addresses::add);
                store.update(node.withSpec(new NodeSpec(newBgp, spec.ipv4VXLANTunnelAddr(), spec.vxlanTunnelMACAddr(),
                        spec.ipv6VXLANTunnelAddr(), spec.orchRefs(), addresses)));
                return true;
            } catch (RevisionConflictException | KeyExistsException e) {
                if (attempt >= ATTEMPTS) {
                    throw e;
                }
            }
        }
    }
}
