package io.weft.api.model;

/**
 * How a BGP peering sets the next hop of the routes it sends ({@code BGPPeer.spec.nextHopMode}).
 * {@code Auto} follows BGP's usual rules (self for eBGP, unchanged for iBGP), {@code Self} always
 * rewrites it, {@code Keep} never does; {@code Keep} supersedes {@code keepOriginalNextHop: true}.
 */
public enum NextHopMode {
    AUTO("Auto"),
    SELF("Self"),
    KEEP("Keep");

    private final String wireName;

    NextHopMode(String wireName) {
        this.wireName = wireName;
    }

    /** The exact spelling Calico uses in resources and on the wire. */
    public String wireName() {
        return wireName;
    }

    /**
     * Parses Calico's spelling, case-sensitively as Calico does.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static NextHopMode parse(String text) {
        return WireNames.parse(NextHopMode.class, text, NextHopMode::wireName);
    }
}
