package io.weft.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The hand-written name check against the regular expression it replaces on the write path. */
class FieldChecksTest {

    private static void assertSameAsRegex(String name) {
        assertEquals(FieldChecks.DNS_SUBDOMAIN.matcher(name).matches(), FieldChecks.isDnsSubdomain(name),
                () -> "\"" + name + "\"");
    }

    @Test
    void dnsSubdomainCheckAgreesWithTheRegexOnEdgeCases() {
        for (String name : List.of("", "a", "-", ".", "a.", ".a", "a..b", "a-", "-a", "a-b", "a--b", "a.b-c.d",
                "A", "a_b", "10-244-1-0-26", "bench-solo-pod-17", "node-1.example.com", "x.-y", "x-.y", "a\n",
                "a b", "ä", "0", "0.0", "a.b.", "knp.default.x")) {
            assertSameAsRegex(name);
        }
    }

    @Test
    void dnsSubdomainCheckAgreesWithTheRegexOnRandomNames() {
        char[] alphabet = "ab09-.A_ \n".toCharArray();
        Random random = new Random(5);
        for (int i = 0; i < 200_000; i++) {
            char[] name = new char[random.nextInt(9)];
            for (int j = 0; j < name.length; j++) {
                name[j] = alphabet[random.nextInt(alphabet.length)];
            }
            assertSameAsRegex(new String(name));
        }
    }
}
