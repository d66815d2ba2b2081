package io.weft.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.weft.api.net.Cidr;

/** The learned-route tables' building blocks against the JDK's collections. */
class LongIntMapTest {

    @Test
    void agreesWithAHashMapOverRandomPutsAndRemoves() {
        // few distinct keys, many operations: long probe runs, removals in their middle (the
        // backward shift), growth and wrap-around at the table's end
        Random random = new Random(42);
        LongIntMap map = new LongIntMap();
        Map<Long, Integer> expected = new HashMap<>();
        for (int i = 0; i < 400_000; i++) {
            long key = random.nextInt(5_000) * 256L + 24;
            if (random.nextInt(3) == 0) {
                assertEquals(expected.getOrDefault(key, -1), map.remove(key, -1), "remove " + key);
                expected.remove(key);
            } else {
                int value = random.nextInt(100);
                assertEquals(expected.getOrDefault(key, -1), map.put(key, value, -1), "put " + key);
                expected.put(key, value);
            }
            assertEquals(expected.size(), map.size());
        }
        for (long k = 0; k < 5_000; k++) {
            long key = k * 256 + 24;
            assertEquals(expected.getOrDefault(key, -1), map.get(key, -1), "get " + key);
            assertEquals(expected.containsKey(key), map.containsKey(key));
        }
        Map<Long, Integer> seen = new HashMap<>();
        map.forEach(seen::put);
        assertEquals(expected, seen);
    }

    @Test
    void prefixKeysRoundTripBothFamiliesAndFreeUnusedIpv6Slots() {
        PrefixKeys keys = new PrefixKeys();
        for (String text : new String[] {"0.0.0.0/0", "10.244.7.0/26", "255.255.255.255/32", "100.15.66.0/24"}) {
            Cidr c = Cidr.parse(text);
            assertEquals(c, keys.prefix(keys.key(c)));
        }
        Cidr a = Cidr.parse("fd00:1::/64");
        Cidr b = Cidr.parse("fd00:2::/64");
        long ka = keys.key(a);
        long kb = keys.key(b);
        assertEquals(a, keys.prefix(ka));
        assertEquals(b, keys.prefix(kb));
        assertEquals(ka, keys.key(a));
        assertEquals(-1, keys.existingKey(Cidr.parse("fd00:3::/64")));
        LongIntMap inUse = new LongIntMap();
        inUse.put(kb, 0, -1);
        keys.retainIpv6(inUse);
        assertEquals(-1, keys.existingKey(a));
        assertEquals(kb, keys.existingKey(b));
        assertEquals(ka, keys.key(Cidr.parse("fd00:4::/64")), "the freed slot is reused");
    }
}
