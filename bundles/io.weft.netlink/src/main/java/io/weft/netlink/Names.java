package io.weft.netlink;

import java.nio.charset.StandardCharsets;

/** Input checks done before anything reaches the kernel, so bad input creates nothing. */
final class Names {
    private Names() {
    }

    static void checkInterfaceName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("interface name must not be empty");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > 15) {
            throw new IllegalArgumentException("interface name '" + name + "' is " + bytes
                    + " bytes; Linux allows at most 15 (IFNAMSIZ - 1)");
        }
        for (char c : name.toCharArray()) {
            if (c == '/' || c == ':' || Character.isWhitespace(c)) {
                throw new IllegalArgumentException("interface name '" + name + "' contains '" + c
                        + "'; names may not contain '/', ':' or spaces");
            }
        }
        if (name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("interface name '" + name + "' is reserved");
        }
    }

    static byte[] parseMac(String mac) {
        String[] parts = mac == null ? new String[0] : mac.split(":");
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address: '" + mac + "' (expected aa:bb:cc:dd:ee:ff)");
        }
        byte[] out = new byte[6];
        for (int i = 0; i < 6; i++) {
            try {
                if (parts[i].length() != 2) {
                    throw new NumberFormatException();
                }
                out[i] = (byte) Integer.parseInt(parts[i], 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a MAC address: '" + mac + "' (expected aa:bb:cc:dd:ee:ff)");
            }
        }
        return out;
    }

    static String formatMac(byte[] b) {
        if (b == null || b.length == 0) {
            return null;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < b.length; i++) {
            if (i > 0) {
                s.append(':');
            }
            s.append(String.format("%02x", b[i] & 0xff));
        }
        return s.toString();
    }
}
