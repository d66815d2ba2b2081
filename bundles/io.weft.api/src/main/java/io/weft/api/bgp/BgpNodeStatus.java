package io.weft.api.bgp;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.weft.api.status.StatusLines;

/**
 * One node's BGP speaker as it publishes itself in the datastore, under
 * {@code /weft/runtime/bgp/<node>} on a lease (a node whose speaker stopped or died drops out on
 * its own): what {@code weft node status} prints, calicoctl's peer table, from any node's console
 * or from weftctl. Stored as {@code key=value} lines readable with {@code etcdctl get}; each
 * peer's fields are prefixed {@code peer.<n>.}.
 *
 * @param node        the node name
 * @param routerId    the speaker's BGP identifier
 * @param asNumber    the speaker's AS
 * @param peers       every configured session, up or not
 * @param publishedAt when this value was written, or {@code null}
 */
public record BgpNodeStatus(String node, String routerId, long asNumber, List<Peer> peers, Instant publishedAt) {

    /** Where speakers publish: the node name follows. */
    public static final String KEY_PREFIX = "/weft/runtime/bgp/";

    /**
     * One session.
     *
     * @param name         the session's name: {@code Mesh_10.0.0.2}, {@code Global_…}, {@code Node_…}
     * @param address      the peer's address, as text
     * @param type         where the session came from (calicoctl's PEER TYPE)
     * @param peerAs       the peer's AS
     * @param state        the RFC 4271 state as BIRD prints it: {@code Idle}, {@code Connect},
     *                     {@code Active}, {@code OpenSent}, {@code OpenConfirm}, {@code Established}
     * @param since        when the session entered {@code state}
     * @param peerRouterId the peer's BGP identifier while established, else empty
     * @param holdTime     the negotiated hold time in seconds while established, else 0
     * @param received     prefixes the peer announces now (accepted or not)
     * @param accepted     of those, the ones the import rules kept
     * @param advertised   prefixes sent to the peer
     * @param lastError    the last NOTIFICATION or connection error, or empty
     */
    public record Peer(String name, String address, BgpSession.Kind type, long peerAs, String state, Instant since,
            String peerRouterId, int holdTime, int received, int accepted, int advertised, String lastError) {

        /** The state of a session that is up. */
        public static final String ESTABLISHED = "Established";

        public Peer {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(state, "state");
            peerRouterId = peerRouterId == null ? "" : peerRouterId;
            lastError = lastError == null ? "" : lastError;
        }

        public boolean established() {
            return ESTABLISHED.equals(state);
        }

        /** An IPv6 session (calicoctl lists it under "IPv6 BGP status"). */
        public boolean ipv6() {
            return address.indexOf(':') >= 0;
        }
    }

    public BgpNodeStatus {
        Objects.requireNonNull(node, "node");
        routerId = routerId == null ? "" : routerId;
        peers = List.copyOf(peers);
    }

    /** This status's key in the datastore. */
    public String key() {
        return KEY_PREFIX + node;
    }

    /** The stored form: {@code key=value} lines; line breaks inside values become spaces. */
    public byte[] encode() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("node", node);
        f.put("routerId", routerId);
        f.put("asNumber", Long.toString(asNumber));
        f.put("publishedAt", publishedAt == null ? "" : publishedAt.toString());
        f.put("peers", Integer.toString(peers.size()));
        for (int i = 0; i < peers.size(); i++) {
            Peer p = peers.get(i);
            String at = "peer." + i + ".";
            f.put(at + "name", p.name());
            f.put(at + "address", p.address());
            f.put(at + "type", p.type().name());
            f.put(at + "peerAs", Long.toString(p.peerAs()));
            f.put(at + "state", p.state());
            f.put(at + "since", p.since() == null ? "" : p.since().toString());
            f.put(at + "peerRouterId", p.peerRouterId());
            f.put(at + "holdTime", Integer.toString(p.holdTime()));
            f.put(at + "received", Integer.toString(p.received()));
            f.put(at + "accepted", Integer.toString(p.accepted()));
            f.put(at + "advertised", Integer.toString(p.advertised()));
            f.put(at + "lastError", p.lastError());
        }
        return StatusLines.encode(f);
    }

    /**
     * Reads a stored value.
     *
     * @throws IllegalArgumentException naming the field that is missing or malformed
     */
    public static BgpNodeStatus decode(byte[] stored) {
        StatusLines r = StatusLines.decode(stored, "BGP status");
        int count = (int) r.number("peers");
        List<Peer> peers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String at = "peer." + i + ".";
            String kind = r.required(at + "type");
            BgpSession.Kind type;
            try {
                type = BgpSession.Kind.valueOf(kind);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(r.subject() + ": " + at + "type=" + kind
                        + " is not one of MESH, GLOBAL, NODE");
            }
            peers.add(new Peer(r.required(at + "name"), r.required(at + "address"), type, r.number(at + "peerAs"),
                    r.required(at + "state"), r.instant(at + "since"), r.get(at + "peerRouterId"),
                    (int) r.number(at + "holdTime"), (int) r.number(at + "received"), (int) r.number(at + "accepted"),
                    (int) r.number(at + "advertised"), r.get(at + "lastError")));
        }
        return new BgpNodeStatus(r.node(), r.get("routerId"), r.number("asNumber"), peers, r.instant("publishedAt"));
    }
}
