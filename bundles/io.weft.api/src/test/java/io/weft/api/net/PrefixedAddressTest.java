package io.weft.api.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PrefixedAddressTest {

    @Test
    void keepsTheHostPartThatCidrMasks() {
        PrefixedAddress node = PrefixedAddress.parse("10.1.5.10/24");
        assertEquals("10.1.5.10/24", node.toString());
        assertEquals("10.1.5.10", Cidr.format(node.address()));
        assertEquals(Cidr.parse("10.1.5.0/24"), node.network());
        assertTrue(node.isIpv4());
    }

    @Test
    void decidesCrossSubnet() {
        PrefixedAddress node = PrefixedAddress.parse("10.1.5.10/24");
        assertTrue(node.sameSubnet(Cidr.parseAddress("10.1.5.11")));
        assertFalse(node.sameSubnet(Cidr.parseAddress("10.1.8.10")));
    }

    @Test
    void bareAddressAndIpv6() {
        assertEquals("10.1.5.10/32", PrefixedAddress.parse("10.1.5.10").toString());
        assertEquals("fd00::10/64", PrefixedAddress.parse("fd00:0::10/64").toString());
    }

    @Test
    void errorsNameTheInput() {
        assertEquals("not an address with prefix: '10.1.5.10/40' (prefix length must be 0-32 for IPv4)",
                assertThrows(IllegalArgumentException.class, () -> PrefixedAddress.parse("10.1.5.10/40"))
                        .getMessage());
        assertEquals("not an address with prefix: null",
                assertThrows(IllegalArgumentException.class, () -> PrefixedAddress.parse(null)).getMessage());
    }
}
