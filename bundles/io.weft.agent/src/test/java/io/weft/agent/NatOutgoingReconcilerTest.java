package io.weft.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.weft.api.net.Cidr;

class NatOutgoingReconcilerTest {

    @Test
    void masqueradesNatPoolsTowardsEverythingOutsideAllPools() {
        assertEquals("""
                table ip weft {}
                delete table ip weft
                table ip weft {
                  set all-pools { type ipv4_addr; flags interval; elements = { 10.8.0.0/16, 10.244.0.0/16 } }
                  set nat-outgoing-pools { type ipv4_addr; flags interval; elements = { 10.244.0.0/16 } }
                  chain nat-outgoing {
                    type nat hook postrouting priority srcnat; policy accept;
                    ip saddr @nat-outgoing-pools ip daddr != @all-pools masquerade
                  }
                }
                """, NatOutgoingReconciler.render(List.of(Cidr.parse("10.244.0.0/16"), Cidr.parse("10.8.0.0/16")),
                List.of(Cidr.parse("10.244.0.0/16"))));
    }

    @Test
    void noNatPoolMeansNoTable() {
        assertEquals("", NatOutgoingReconciler.render(List.of(Cidr.parse("10.244.0.0/16")), List.of()));
    }
}
