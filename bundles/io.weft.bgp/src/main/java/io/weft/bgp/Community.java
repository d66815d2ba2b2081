package io.weft.bgp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A BGP community: standard (RFC 1997, {@code 65000:100}, two 16-bit halves) or large
 * (RFC 8092, {@code 65000:1:2}, three 32-bit parts, for 4-byte ASNs).
 *
 * @param large   a large community
 * @param global  the first part: the ASN of a standard community (0-65535), the global
 *                administrator of a large one (0-4294967295)
 * @param local1  the second part (0-65535 standard, 0-4294967295 large)
 * @param local2  the third part of a large community; 0 for a standard one
 */
public record Community(boolean large, long global, long local1, long local2) {
    /** Not advertised to eBGP peers (RFC 1997). */
    public static final Community NO_EXPORT = standard(0xFFFF, 0xFF01);
    /** Not advertised to any peer (RFC 1997). */
    public static final Community NO_ADVERTISE = standard(0xFFFF, 0xFF02);
    /** Not advertised to eBGP peers, confederation members included (RFC 1997; Weft has no confederations). */
    public static final Community NO_EXPORT_SUBCONFED = standard(0xFFFF, 0xFF03);

    public Community {
        long max = large ? 0xFFFFFFFFL : 0xFFFF;
        String text = large ? global + ":" + local1 + ":" + local2 : global + ":" + local1;
        String hint = large ? "" : " (for a 4-byte ASN use a large community such as " + global + ":0:" + local1 + ")";
        check(text, global, max, large ? "global administrator" : "ASN", hint);
        check(text, local1, max, large ? "first local" : "value", hint);
        if (large) {
            check(text, local2, max, "second local", hint);
        } else if (local2 != 0) {
            throw new IllegalArgumentException("standard community " + global + ":" + local1
                    + " has no third part; write it as a large community " + global + ":" + local1 + ":" + local2);
        }
    }

    private static void check(String community, long part, long max, String what, String hint) {
        if (part < 0 || part > max) {
            throw new IllegalArgumentException("community " + community + ": " + what + " part must be 0-" + max + hint);
        }
    }

    public static Community standard(int asn, int value) {
        return new Community(false, asn, value, 0);
    }

    public static Community large(long global, long local1, long local2) {
        return new Community(true, global, local1, local2);
    }

    /**
     * Parses {@code ASN:VALUE} (standard), {@code GLOBAL:LOCAL1:LOCAL2} (large) or a well-known
     * name: {@code no-export}, {@code no-advertise}, {@code no-export-subconfed}.
     */
    public static Community parse(String text) {
        String t = text == null ? "" : text.trim();
        switch (t.toLowerCase(Locale.ROOT).replace('_', '-')) {
            case "no-export":
                return NO_EXPORT;
            case "no-advertise":
                return NO_ADVERTISE;
            case "no-export-subconfed":
                return NO_EXPORT_SUBCONFED;
            default:
                break;
        }
        String[] parts = t.split(":", -1);
        if (parts.length != 2 && parts.length != 3) {
            throw new IllegalArgumentException("community '" + t + "' is not ASN:VALUE (65000:100), "
                    + "GLOBAL:LOCAL1:LOCAL2 (65000:1:2) or no-export / no-advertise / no-export-subconfed");
        }
        long[] v = new long[3];
        for (int i = 0; i < parts.length; i++) {
            try {
                v[i] = Long.parseLong(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("community '" + t + "': '" + parts[i]
                        + "' is not a number; write ASN:VALUE (65000:100) or GLOBAL:LOCAL1:LOCAL2 (65000:1:2)");
            }
        }
        return new Community(parts.length == 3, v[0], v[1], v[2]);
    }

    /** Parses a list separated by spaces or commas; empty or null gives an empty list. */
    public static List<Community> parseList(String text) {
        List<Community> out = new ArrayList<>();
        if (text != null) {
            for (String t : text.trim().split("[\\s,]+")) {
                if (!t.isEmpty()) {
                    out.add(parse(t));
                }
            }
        }
        return List.copyOf(out);
    }

    /** The 32-bit wire value of a standard community. */
    public int standardValue() {
        if (large) {
            throw new IllegalStateException(this + " is a large community");
        }
        return (int) (global << 16 | local1);
    }

    @Override
    public String toString() {
        return large ? global + ":" + local1 + ":" + local2 : global + ":" + local1;
    }
}
