package io.weft.api.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class CidrTest {

    @Test
    void parsesIpv4() {
        Cidr pool = Cidr.parse("10.244.0.0/16");
        assertEquals("10.244.0.0/16", pool.toString());
        assertEquals(16, pool.prefixLength());
        assertTrue(pool.isIpv4());
        assertEquals(32, pool.addressBits());
        assertEquals(BigInteger.valueOf(65536), pool.size());
        assertEquals(65536L, pool.sizeAsLong());
    }

    @Test
    void parsesIpv6AndPrintsItCompressed() {
        Cidr pool = Cidr.parse("fd00::/64");
        assertEquals("fd00::/64", pool.toString());
        assertFalse(pool.isIpv4());
        assertEquals(128, pool.addressBits());
        assertEquals(BigInteger.ONE.shiftLeft(64), pool.size());
        assertThrows(ArithmeticException.class, pool::sizeAsLong);
        assertEquals(64L, Cidr.parse("fd00::/122").sizeAsLong());
    }

    @Test
    void bareAddressIsASingleAddressNetwork() {
        assertEquals("10.0.0.1/32", Cidr.parse("10.0.0.1").toString());
        assertEquals("fd00::1/128", Cidr.parse("fd00::1").toString());
        assertEquals(BigInteger.ONE, Cidr.parse("10.0.0.1").size());
    }

    @Test
    void hostBitsAreMaskedLikeCalicoDoes() {
        Cidr written = Cidr.parse("10.244.1.7/24");
        assertEquals("10.244.1.0/24", written.toString());
        assertEquals(Cidr.parse("10.244.1.0/24"), written);
        assertEquals(Cidr.parse("10.244.1.0/24").hashCode(), written.hashCode());
        assertEquals("fd00:0:0:1::/64", Cidr.parse("fd00:0:0:1:abcd::5/64").toString());
        assertEquals("0.0.0.0/0", Cidr.parse("192.168.3.4/0").toString());
        assertEquals("::/0", Cidr.parse("fd00::1/0").toString());
    }

    @Test
    void constructorMasksToo() {
        Cidr cidr = new Cidr(Cidr.parseAddress("192.168.10.77"), 26);
        assertEquals("192.168.10.64/26", cidr.toString());
    }

    @Test
    void prefixOutOfRangeNamesInputAndRange() {
        IllegalArgumentException v4 = assertThrows(IllegalArgumentException.class,
                () -> Cidr.parse("10.0.0.0/33"));
        assertEquals("not a CIDR: '10.0.0.0/33' (prefix length must be 0-32 for IPv4)", v4.getMessage());

        IllegalArgumentException v6 = assertThrows(IllegalArgumentException.class,
                () -> Cidr.parse("fd00::/129"));
        assertEquals("not a CIDR: 'fd00::/129' (prefix length must be 0-128 for IPv6)", v6.getMessage());

        IllegalArgumentException ctor = assertThrows(IllegalArgumentException.class,
                () -> new Cidr(Cidr.parseAddress("10.0.0.0"), -1));
        assertEquals("not a CIDR: '10.0.0.0/-1' (prefix length must be 0-32 for IPv4)", ctor.getMessage());
    }

    @Test
    void rejectsMalformedInputNamingIt() {
        for (String bad : List.of("10.0.0.256/8", "10.0.0/8", "10.0.0.0.0/8", "010.0.0.0/8", "10.0.0.0/",
                "10.0.0.0/x", "10.0.0.0/-1", "10.0.0.0/+8", "", "/8", "example.com", "fd00::1%eth0", "1::2::3",
                "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", ":1::", "g::1", "1.2.3.4::", " 10.0.0.0/8")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("not a CIDR: '" + bad + "' ("), e.getMessage());
        }
        assertEquals("not a CIDR: null",
                assertThrows(IllegalArgumentException.class, () -> Cidr.parse(null)).getMessage());
    }

    @Test
    void explainsWhatIsWrongWithTheAddress() {
        assertEquals("not a CIDR: '10.0.0.256/8' (bad IPv4 address: field '256' is out of range 0-255)",
                assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.256/8")).getMessage());
        assertEquals("not a CIDR: '10.0.0/8' (bad IPv4 address: expected 4 fields, found 3)",
                assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0/8")).getMessage());
    }

    @Test
    void parseAddressNeverResolvesNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Cidr.parseAddress("localhost"));
        assertTrue(e.getMessage().startsWith("not an IP address: 'localhost' ("), e.getMessage());
    }

    @Test
    void ipv6TextIsCanonical() {
        assertEquals("2001:db8::1/128", Cidr.parse("2001:0DB8:0000:0000:0000:0000:0000:0001").toString());
        assertEquals("2001:db8::1:0:0:1/128", Cidr.parse("2001:db8:0:0:1:0:0:1").toString());
        assertEquals("2001:db8:0:1:1:1:1:1/128", Cidr.parse("2001:db8:0:1:1:1:1:1").toString());
        assertEquals("::1/128", Cidr.parse("::1").toString());
        assertEquals("1::/128", Cidr.parse("1::").toString());
        // A single zero group is written out, never shortened to "::" (RFC 5952, and Go).
        assertEquals("1:2:3:4:5:6:7:0/128", Cidr.parse("1:2:3:4:5:6:7::").toString());
        assertEquals("::a00:1/128", Cidr.parse("::10.0.0.1").toString());
    }

    @Test
    void ipv4MappedIpv6StaysIpv6() {
        Cidr mapped = Cidr.parse("::ffff:10.0.0.0/104");
        assertFalse(mapped.isIpv4());
        assertEquals("::ffff:a00:0/104", mapped.toString());
        assertFalse(mapped.contains(Cidr.parseAddress("10.0.0.1")));
    }

    @Test
    void containsAddress() {
        Cidr pool = Cidr.parse("10.244.0.0/16");
        assertTrue(pool.contains(Cidr.parseAddress("10.244.0.0")));
        assertTrue(pool.contains(Cidr.parseAddress("10.244.255.255")));
        assertFalse(pool.contains(Cidr.parseAddress("10.245.0.0")));
        assertFalse(pool.contains(Cidr.parseAddress("::1")));
        assertTrue(Cidr.parse("fd00::/64").contains(Cidr.parseAddress("fd00::ffff")));
        assertFalse(Cidr.parse("fd00::/64").contains(Cidr.parseAddress("fd00:0:0:1::")));
    }

    @Test
    void containsNetwork() {
        Cidr pool = Cidr.parse("10.244.0.0/16");
        assertTrue(pool.contains(Cidr.parse("10.244.3.64/26")));
        assertTrue(pool.contains(pool));
        assertFalse(Cidr.parse("10.244.3.64/26").contains(pool));
        assertFalse(pool.contains(Cidr.parse("10.0.0.0/8")));
        assertFalse(pool.contains(Cidr.parse("fd00::/64")));
    }

    @Test
    void overlaps() {
        assertTrue(Cidr.parse("10.0.0.0/8").overlaps(Cidr.parse("10.1.0.0/16")));
        assertTrue(Cidr.parse("10.1.0.0/16").overlaps(Cidr.parse("10.0.0.0/8")));
        assertTrue(Cidr.parse("10.1.0.0/16").overlaps(Cidr.parse("10.1.0.0/16")));
        assertFalse(Cidr.parse("10.0.0.0/16").overlaps(Cidr.parse("10.1.0.0/16")));
        assertFalse(Cidr.parse("0.0.0.0/0").overlaps(Cidr.parse("::/0")));
    }

    @Test
    void nthAddressAndItsOffset() {
        Cidr block = Cidr.parse("10.244.0.64/26");
        assertEquals("10.244.0.64", Cidr.format(block.address(0)));
        assertEquals("10.244.0.65", Cidr.format(block.address(1)));
        assertEquals("10.244.0.127", Cidr.format(block.address(63)));
        assertEquals(63L, block.offsetOf(Cidr.parseAddress("10.244.0.127")));
        assertThrows(IndexOutOfBoundsException.class, () -> block.address(64));
        assertThrows(IndexOutOfBoundsException.class, () -> block.address(-1));
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                () -> block.offsetOf(Cidr.parseAddress("10.244.0.128")));
        assertEquals("10.244.0.128 is not in 10.244.0.64/26", outside.getMessage());

        Cidr v6 = Cidr.parse("fd00::/122");
        assertEquals("fd00::3f", Cidr.format(v6.address(63)));
        assertEquals(1L, v6.offsetOf(Cidr.parseAddress("fd00::1")));
    }

    @Test
    void addressCarriesAcrossOctets() {
        assertEquals("10.244.1.0", Cidr.format(Cidr.parse("10.244.0.0/16").address(256)));
        assertEquals("10.245.255.255", Cidr.format(Cidr.parse("10.244.0.0/15").address(131071)));
    }

    @Test
    void subnets() {
        Cidr pool = Cidr.parse("10.244.0.0/16");
        assertEquals("10.244.0.0/26", pool.subnet(26, 0).toString());
        assertEquals("10.244.0.192/26", pool.subnet(26, 3).toString());
        assertEquals("10.244.255.192/26", pool.subnet(26, 1023).toString());
        assertThrows(IndexOutOfBoundsException.class, () -> pool.subnet(26, 1024));
        assertThrows(IllegalArgumentException.class, () -> pool.subnet(8, 0));
        assertThrows(IllegalArgumentException.class, () -> pool.subnet(33, 0));
        assertEquals("fd00::40/122", Cidr.parse("fd00::/64").subnet(122, 1).toString());
    }

    @Test
    void sortsIpv4FirstThenByAddressThenPrefix() {
        List<Cidr> cidrs = new ArrayList<>(List.of(Cidr.parse("fd00::/64"), Cidr.parse("10.244.1.0/24"),
                Cidr.parse("10.244.0.0/26"), Cidr.parse("10.244.0.0/16"), Cidr.parse("192.168.0.0/16")));
        Collections.sort(cidrs);
        assertEquals("[10.244.0.0/16, 10.244.0.0/26, 10.244.1.0/24, 192.168.0.0/16, fd00::/64]", cidrs.toString());
    }
}
