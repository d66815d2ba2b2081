package io.weft.encap.none;

import java.util.ArrayList;
import java.util.List;

import org.osgi.service.component.annotations.Component;

import io.weft.api.encap.BlockRoute;
import io.weft.api.encap.Encapsulation;
import io.weft.api.encap.EncapsulationProvider;
import io.weft.api.encap.EncapsulationTarget;
import io.weft.api.encap.LocalNode;
import io.weft.api.encap.RemoteBlock;
import io.weft.api.net.Cidr;
import io.weft.api.provider.WeftProvider;

/**
 * No encapsulation: a remote block is reached through its node's address directly, which works
 * only when that node is on this node's subnet ({@code <block> via <node IP> dev <uplink>}). Blocks
 * of nodes behind a router need BGP-learned routes and get nothing here. There is no device, so
 * there is nothing to reconcile or tear down; the agent programs and removes the routes.
 */
@Component(service = EncapsulationProvider.class)
@WeftProvider("none")
public class PlainRoutingProvider implements EncapsulationProvider {

    @Override
    public Encapsulation encapsulation() {
        return Encapsulation.NONE;
    }

    @Override
    public void reconcile(EncapsulationTarget target) {
        // no device, neighbours or FDB: routes only
    }

    @Override
    public void teardown() {
        // nothing of our own in the kernel besides routes, which the agent removes
    }

    @Override
    public List<BlockRoute> routes(EncapsulationTarget target) {
        LocalNode local = target.local();
        List<BlockRoute> routes = new ArrayList<>();
        if (local.address() == null || local.uplink() == null) {
            return routes;
        }
        Cidr subnet = local.address().network(); // once: 10,000 blocks share it
        for (RemoteBlock remote : target.remoteBlocks()) {
            if (subnet.contains(remote.nodeAddress())) {
                routes.add(new BlockRoute(remote.block(), remote.nodeAddress(), local.uplink(), false));
            }
        }
        return routes;
    }
}
