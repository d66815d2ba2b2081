package io.weft.netlink;

/** Route scopes (RT_SCOPE_*). */
public enum RouteScope {
    UNIVERSE(0), SITE(200), LINK(253), HOST(254), NOWHERE(255);

    private final int code;

    RouteScope(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    static RouteScope of(int code) {
        for (RouteScope s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return UNIVERSE;
    }
}
