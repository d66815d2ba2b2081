package io.weft.bgp;

/** RFC 4271 section 8 session states, as BIRD and calicoctl print them. */
public enum PeerState {
    IDLE("Idle"), CONNECT("Connect"), ACTIVE("Active"), OPEN_SENT("OpenSent"), OPEN_CONFIRM("OpenConfirm"),
    ESTABLISHED("Established");

    private final String display;

    PeerState(String display) {
        this.display = display;
    }

    /** The state as operators read it ("Established"). */
    public String display() {
        return display;
    }
}
