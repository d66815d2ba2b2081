package io.weft.api.encap;

/** The ways a node reaches pods on other nodes; each is implemented by a provider bundle. */
public enum Encapsulation {
    /** Plain routing: {@code <block> via <node IP>} (same subnet) or BGP-learned routes. */
    NONE("none"),
    /** VXLAN device {@code vxlan.calico}, VNI 4096, UDP 4789. */
    VXLAN("vxlan"),
    /** IP-in-IP device {@code tunl0}. */
    IPIP("ipip");

    private final String providerName;

    Encapsulation(String providerName) {
        this.providerName = providerName;
    }

    /** The {@code weft.provider} value of the provider bundle for this encapsulation. */
    public String providerName() {
        return providerName;
    }
}
