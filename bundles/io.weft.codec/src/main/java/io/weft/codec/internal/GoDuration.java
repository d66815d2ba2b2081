package io.weft.codec.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;

/**
 * Durations in Go's {@code time.Duration} text form, which is what Calico resources carry
 * ({@code maxRestartTime: 2m0s}): Go prints 90 seconds as {@code 1m30s} and 120 as {@code 2m0s},
 * and reads any sum of {@code h}, {@code m}, {@code s}, {@code ms}, {@code us}/{@code µs},
 * {@code ns} terms with optional fractions ({@code 1.5h}).
 */
final class GoDuration {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private GoDuration() {
    }

    /** Exactly what Go's {@code Duration.String()} prints. */
    static String format(Duration duration) {
        BigInteger total = BigInteger.valueOf(duration.getSeconds()).multiply(BigInteger.valueOf(NANOS_PER_SECOND))
                .add(BigInteger.valueOf(duration.getNano()));
        boolean negative = total.signum() < 0;
        BigInteger u = total.abs();
        StringBuilder out = new StringBuilder();
        if (u.compareTo(BigInteger.valueOf(NANOS_PER_SECOND)) < 0) {
            long n = u.longValue();
            if (n == 0) {
                return "0s";
            } else if (n < 1_000L) {
                out.append(n).append("ns");
            } else if (n < 1_000_000L) {
                out.append(fraction(n, 3)).append("µs");
            } else {
                out.append(fraction(n, 6)).append("ms");
            }
        } else {
            BigInteger[] secondsAndNanos = u.divideAndRemainder(BigInteger.valueOf(NANOS_PER_SECOND));
            BigInteger seconds = secondsAndNanos[0];
            long nanos = secondsAndNanos[1].longValue();
            BigInteger[] minutesAndSeconds = seconds.divideAndRemainder(BigInteger.valueOf(60));
            BigInteger minutes = minutesAndSeconds[0];
            String secondsText = fraction(minutesAndSeconds[1].longValue() * NANOS_PER_SECOND + nanos, 9) + "s";
            if (minutes.signum() > 0) {
                BigInteger[] hoursAndMinutes = minutes.divideAndRemainder(BigInteger.valueOf(60));
                if (hoursAndMinutes[0].signum() > 0) {
                    out.append(hoursAndMinutes[0]).append('h');
                }
                out.append(hoursAndMinutes[1]).append('m');
            }
            out.append(secondsText);
        }
        return negative ? "-" + out : out.toString();
    }

    /** {@code value / 10^digits} with trailing zeros (and a bare point) dropped, as Go's fmtFrac does. */
    private static String fraction(long value, int digits) {
        long scale = 1;
        for (int i = 0; i < digits; i++) {
            scale *= 10;
        }
        long whole = value / scale;
        long rest = value % scale;
        if (rest == 0) {
            return Long.toString(whole);
        }
        String frac = String.format("%0" + digits + "d", rest).replaceFirst("0+$", "");
        return whole + "." + frac;
    }

    /**
     * Parses Go's duration syntax.
     *
     * @throws IllegalArgumentException naming what is wrong, e.g. a missing unit
     */
    static Duration parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        String s = text;
        boolean negative = false;
        if (s.charAt(0) == '-' || s.charAt(0) == '+') {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("invalid duration '" + text + "'");
        }
        BigDecimal nanos = BigDecimal.ZERO;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            String number = s.substring(start, i);
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
                throw new IllegalArgumentException("invalid duration '" + text + "'");
            }
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            String unit = s.substring(unitStart, i);
            if (unit.isEmpty()) {
                throw new IllegalArgumentException("missing unit in duration '" + text
                        + "' (write it with a unit, e.g. " + number + "s)");
            }
            BigDecimal value = new BigDecimal(number.startsWith(".") ? "0" + number : number);
            nanos = nanos.add(value.multiply(BigDecimal.valueOf(unitNanos(unit, text))));
        }
        BigInteger whole = nanos.toBigInteger();
        if (whole.bitLength() > 63) {
            throw new IllegalArgumentException("duration '" + text + "' is out of range");
        }
        Duration result = Duration.ofNanos(whole.longValue());
        return negative ? result.negated() : result;
    }

    private static long unitNanos(String unit, String text) {
        switch (unit) {
            case "ns":
                return 1L;
            case "us":
            case "µs": // U+00B5 micro sign
            case "μs": // U+03BC Greek mu
                return 1_000L;
            case "ms":
                return 1_000_000L;
            case "s":
                return NANOS_PER_SECOND;
            case "m":
                return 60 * NANOS_PER_SECOND;
            case "h":
                return 3600 * NANOS_PER_SECOND;
            default:
                throw new IllegalArgumentException("unknown unit '" + unit + "' in duration '" + text
                        + "' (use h, m, s, ms, us or ns)");
        }
    }
}
