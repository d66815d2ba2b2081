package io.weft.api.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Parses and prints IP address literals without going near DNS.
 *
 * <p>{@link InetAddress#getByName} resolves anything that is not a literal, so a typo in a
 * resource would turn into a name lookup; this parser only accepts literals, with Go's rules
 * (no leading zeros in IPv4 fields, no zones), because the text comes from Calico resources
 * that Go code would otherwise have parsed.
 */
final class IpLiteral {

    private IpLiteral() {
    }

    /**
     * Returns the 4 or 16 address bytes of {@code text}.
     *
     * @throws IllegalArgumentException with a reason (not the full message) if it is not a literal
     */
    static byte[] parse(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty address");
        }
        return text.indexOf(':') >= 0 ? parseV6(text) : parseV4(text);
    }

    private static byte[] parseV4(String text) {
        byte[] out = new byte[4];
        int field = 0;
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i < text.length() && text.charAt(i) != '.') {
                continue;
            }
            if (field == 4) {
                throw new IllegalArgumentException("bad IPv4 address: more than 4 fields");
            }
            out[field++] = (byte) parseV4Field(text.substring(start, i));
            start = i + 1;
        }
        if (field != 4) {
            throw new IllegalArgumentException("bad IPv4 address: expected 4 fields, found " + field);
        }
        return out;
    }

    private static int parseV4Field(String f) {
        if (f.isEmpty() || f.length() > 3) {
            throw new IllegalArgumentException("bad IPv4 address: field '" + f + "' is not 0-255");
        }
        int value = 0;
        for (int i = 0; i < f.length(); i++) {
            char c = f.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("bad IPv4 address: field '" + f + "' is not a number");
            }
            value = value * 10 + (c - '0');
        }
        // Go rejects leading zeros because other tools read them as octal.
        if (f.length() > 1 && f.charAt(0) == '0') {
            throw new IllegalArgumentException("bad IPv4 address: field '" + f + "' has a leading zero");
        }
        if (value > 255) {
            throw new IllegalArgumentException("bad IPv4 address: field '" + f + "' is out of range 0-255");
        }
        return value;
    }

    private static byte[] parseV6(String text) {
        if (text.indexOf('%') >= 0) {
            throw new IllegalArgumentException("bad IPv6 address: zones are not allowed");
        }
        int ellipsis = text.indexOf("::");
        if (ellipsis >= 0 && text.indexOf("::", ellipsis + 1) >= 0) {
            throw new IllegalArgumentException("bad IPv6 address: more than one '::'");
        }
        int[] head;
        int[] tail;
        if (ellipsis < 0) {
            head = groups(text, true);
            tail = new int[0];
            if (head.length != 8) {
                throw new IllegalArgumentException("bad IPv6 address: expected 8 groups, found " + head.length);
            }
        } else {
            String tailText = text.substring(ellipsis + 2);
            head = groups(text.substring(0, ellipsis), false);
            tail = groups(tailText, true);
            if (head.length + tail.length > 7) {
                throw new IllegalArgumentException("bad IPv6 address: too many groups around '::'");
            }
        }
        byte[] out = new byte[16];
        for (int i = 0; i < head.length; i++) {
            out[2 * i] = (byte) (head[i] >>> 8);
            out[2 * i + 1] = (byte) head[i];
        }
        int offset = 8 - tail.length;
        for (int i = 0; i < tail.length; i++) {
            out[2 * (offset + i)] = (byte) (tail[i] >>> 8);
            out[2 * (offset + i) + 1] = (byte) tail[i];
        }
        return out;
    }

    /** Splits one side of a possible '::' into 16-bit groups; a trailing dotted quad counts as two. */
    private static int[] groups(String part, boolean mayEndWithIpv4) {
        if (part.isEmpty()) {
            return new int[0];
        }
        String[] fields = part.split(":", -1);
        boolean endsWithIpv4 = fields[fields.length - 1].indexOf('.') >= 0;
        int[] out = new int[fields.length + (endsWithIpv4 ? 1 : 0)];
        for (int i = 0; i < fields.length; i++) {
            String f = fields[i];
            if (f.indexOf('.') >= 0) {
                if (!mayEndWithIpv4 || i != fields.length - 1) {
                    throw new IllegalArgumentException(
                            "bad IPv6 address: embedded IPv4 '" + f + "' must be the last part");
                }
                byte[] v4 = parseV4(f);
                out[i] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
                out[i + 1] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
                continue;
            }
            if (f.isEmpty() || f.length() > 4) {
                throw new IllegalArgumentException("bad IPv6 address: group '" + f + "' must be 1-4 hex digits");
            }
            int value = 0;
            for (int j = 0; j < f.length(); j++) {
                int digit = Character.digit(f.charAt(j), 16);
                if (digit < 0) {
                    throw new IllegalArgumentException("bad IPv6 address: group '" + f + "' is not hex");
                }
                value = (value << 4) | digit;
            }
            out[i] = value;
        }
        return out;
    }

    /** Builds an address object from 4 or 16 bytes, never resolving a host name. */
    static InetAddress toInetAddress(byte[] bytes) {
        try {
            if (bytes.length == 16) {
                // InetAddress.getByAddress would turn ::ffff:a.b.c.d into an Inet4Address,
                // silently changing the family of an IPv6 CIDR.
                return Inet6Address.getByAddress(null, bytes, -1);
            }
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address must be 4 or 16 bytes, got " + bytes.length, e);
        }
    }

    /** Dotted quad for IPv4, RFC 5952 (lower case, longest zero run as '::') for IPv6. */
    static String format(byte[] b) {
        if (b.length == 4) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1; // RFC 5952: a single zero group is not shortened
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
