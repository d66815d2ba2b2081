package io.weft.lab;

/** An IPv4 prefix; the lab's topologies are IPv4, as the seeds are. */
record Cidr(long network, int prefix) {

    static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("missing; write it as ADDRESS/PREFIX, e.g. 10.0.1.0/24");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + text + "' has no /PREFIX; write it as e.g. 10.0.1.0/24");
        }
        int prefix;
        try {
            prefix = Integer.parseInt(text.substring(slash + 1).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': prefix is not a number");
        }
        if (prefix < 1 || prefix > 32) {
            throw new IllegalArgumentException("'" + text + "': prefix must be 1-32");
        }
        long address = address(text.substring(0, slash).trim());
        long mask = mask(prefix);
        if ((address & mask) != address) {
            throw new IllegalArgumentException("'" + text + "' has host bits set; did you mean "
                    + format(address & mask) + "/" + prefix + "?");
        }
        return new Cidr(address, prefix);
    }

    static long address(String text) {
        if (text == null) {
            throw new IllegalArgumentException("missing; write an IPv4 address such as 10.0.1.11");
        }
        String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address such as 10.0.1.11");
        }
        long value = 0;
        for (String part : parts) {
            int octet;
            try {
                octet = Integer.parseInt(part);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address such as 10.0.1.11");
            }
            if (octet < 0 || octet > 255 || part.isEmpty() || part.length() > 3) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address such as 10.0.1.11");
            }
            value = value << 8 | octet;
        }
        return value;
    }

    static String format(long address) {
        return (address >> 24 & 255) + "." + (address >> 16 & 255) + "." + (address >> 8 & 255) + "." + (address & 255);
    }

    private static long mask(int prefix) {
        return (0xffffffffL << (32 - prefix)) & 0xffffffffL;
    }

    boolean contains(long address) {
        return (address & mask(prefix)) == network;
    }

    boolean overlaps(Cidr other) {
        int shorter = Math.min(prefix, other.prefix);
        return (network & mask(shorter)) == (other.network & mask(shorter));
    }

    long broadcast() {
        return network | (~mask(prefix) & 0xffffffffL);
    }

    long size() {
        return 1L << (32 - prefix);
    }

    /** The n-th address of the prefix (0 is the network address). */
    String host(long n) {
        return format(network + n);
    }

    @Override
    public String toString() {
        return format(network) + "/" + prefix;
    }
}
