package io.weft.netlink;

/** Route types (RTN_*) Weft programs or meets. */
public enum RouteType {
    UNICAST(1), LOCAL(2), BROADCAST(3), ANYCAST(4), MULTICAST(5), BLACKHOLE(6), UNREACHABLE(7), PROHIBIT(8), THROW(9);

    private final int code;

    RouteType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    static RouteType of(int code) {
        for (RouteType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return UNICAST;
    }
}
