package io.weft.codec.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** Expected strings are what Go's time.Duration.String() prints. */
class GoDurationTest {

    @Test
    void formatsAsGoDoes() {
        assertEquals("0s", GoDuration.format(Duration.ZERO));
        assertEquals("90ns", GoDuration.format(Duration.ofNanos(90)));
        assertEquals("1.5µs", GoDuration.format(Duration.ofNanos(1500)));
        assertEquals("500ms", GoDuration.format(Duration.ofMillis(500)));
        assertEquals("1.5s", GoDuration.format(Duration.ofMillis(1500)));
        assertEquals("59s", GoDuration.format(Duration.ofSeconds(59)));
        assertEquals("1m30s", GoDuration.format(Duration.ofSeconds(90)));
        assertEquals("2m0s", GoDuration.format(Duration.ofSeconds(120)));
        assertEquals("3m0s", GoDuration.format(Duration.ofSeconds(180)));
        assertEquals("1h0m0s", GoDuration.format(Duration.ofHours(1)));
        assertEquals("26h3m4.005s", GoDuration.format(Duration.ofHours(26).plusMinutes(3).plusMillis(4005)));
        assertEquals("-1m30s", GoDuration.format(Duration.ofSeconds(-90)));
    }

    @Test
    void parsesGoSyntax() {
        assertEquals(Duration.ofSeconds(90), GoDuration.parse("90s"));
        assertEquals(Duration.ofSeconds(90), GoDuration.parse("1m30s"));
        assertEquals(Duration.ofMinutes(90), GoDuration.parse("1.5h"));
        assertEquals(Duration.ofMillis(300), GoDuration.parse("300ms"));
        assertEquals(Duration.ofNanos(2500), GoDuration.parse("2.5us"));
        assertEquals(Duration.ofNanos(2500), GoDuration.parse("2.5µs"));
        assertEquals(Duration.ZERO, GoDuration.parse("0"));
        assertEquals(Duration.ofSeconds(-5), GoDuration.parse("-5s"));
        assertEquals(Duration.ofMillis(500), GoDuration.parse(".5s"));
    }

    @Test
    void rejectsWhatGoRejects() {
        assertEquals("missing unit in duration '120' (write it with a unit, e.g. 120s)",
                assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("120")).getMessage());
        assertEquals("unknown unit 'd' in duration '1d' (use h, m, s, ms, us or ns)",
                assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("1d")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(""));
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("s"));
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("1..2s"));
    }

    @Test
    void roundTrips() {
        for (Duration d : new Duration[] {Duration.ofSeconds(120), Duration.ofMillis(1), Duration.ofHours(49),
                Duration.ofNanos(123_456_789_012L)}) {
            assertEquals(d, GoDuration.parse(GoDuration.format(d)));
        }
    }
}
