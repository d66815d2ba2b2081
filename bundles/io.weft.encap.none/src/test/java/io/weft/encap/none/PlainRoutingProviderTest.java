package io.weft.encap.none;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.weft.api.encap.EncapsulationTarget;
import io.weft.api.encap.LocalNode;
import io.weft.api.encap.RemoteBlock;
import io.weft.api.model.EncapsulationMode;
import io.weft.api.net.Cidr;
import io.weft.api.net.PrefixedAddress;

class PlainRoutingProviderTest {

    private static RemoteBlock remote(String block, String node, String ip) {
        return new RemoteBlock(Cidr.parse(block), node, Cidr.parseAddress(ip), null, null, EncapsulationMode.NEVER);
    }

    @Test
    void sameSubnetNodesAreRoutedDirectlyOthersAreLeftToBgp() {
        LocalNode local = new LocalNode("k8s-node1", PrefixedAddress.parse("172.16.67.138/24"), "ens192", 1500, null, null);
        List<String> routes = new PlainRoutingProvider().routes(new EncapsulationTarget(local, List.of(
                remote("10.8.152.192/26", "k8s-node2", "172.16.67.139"),
                remote("10.8.200.0/26", "k8s-node9", "172.16.99.9")))).stream().map(Object::toString).toList();
        // the seed's BGP-learned line without "proto bird": 10.8.152.192/26 via 172.16.67.139 dev ens192
        assertEquals(List.of("10.8.152.192/26 via 172.16.67.139 dev ens192"), routes);
    }

    @Test
    void nodeWithoutAddressGetsNoRoutes() {
        LocalNode local = new LocalNode("n", null, null, 1500, null, null);
        assertEquals(List.of(), new PlainRoutingProvider().routes(new EncapsulationTarget(local,
                List.of(remote("10.8.152.192/26", "k8s-node2", "172.16.67.139")))));
    }
}
