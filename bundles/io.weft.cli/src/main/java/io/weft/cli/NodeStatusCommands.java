package io.weft.cli;

import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.weft.api.bgp.BgpNodeStatus;
import io.weft.api.datastore.Datastore;
import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.KeyValue;
import io.weft.api.model.NodeNames;
import io.weft.cli.ResourceCommands.Outcome;

/**
 * calicoctl's {@code node status}: the BGP sessions of one node, read from the
 * {@link BgpNodeStatus} its speaker publishes in the datastore, so any node's console and weftctl
 * (through a node or straight to etcd) can show any node's table. Used by {@code weft:node-status}
 * and {@code weftctl node status}.
 */
public final class NodeStatusCommands {

    private final Datastore datastore;
    private final String localNode;
    private final Clock clock;
    private final ZoneId zone;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Over {@code datastore} (may be null: the commands then say so); "this node" is resolved as every Weft bundle does. */
    public NodeStatusCommands(Datastore datastore) {
        this(datastore, NodeNames.resolve(null, System.getenv()), Clock.systemUTC(), ZoneId.systemDefault());
    }

    NodeStatusCommands(Datastore datastore, String localNode, Clock clock, ZoneId zone) {
        this.datastore = datastore;
        this.localNode = localNode;
        this.clock = clock;
        this.zone = zone;
    }

    /**
     * The status of {@code node} (this node when null), as calicoctl's table or with
     * {@code output} {@code json} as JSON. A node that publishes nothing is an error (exit 1)
     * saying how to turn BGP on there, and which nodes do run it.
     */
    public Outcome status(String node, String output) {
        if (output != null && !output.equals("json")) {
            return Outcome.fail("node status -o takes json (or nothing, for the table), not '" + output + "'");
        }
        if (datastore == null) {
            return Outcome.fail("node status reads the BGP status from the datastore, and this node has none bound yet"
                    + " (see weft:status)");
        }
        String name = node == null || node.isBlank() ? localNode : node.trim();
        String key = BgpNodeStatus.KEY_PREFIX + name;
        BgpNodeStatus status;
        try {
            Optional<KeyValue> stored = datastore.get(key);
            if (stored.isEmpty()) {
                return notRunning(name);
            }
            status = BgpNodeStatus.decode(stored.get().value());
        } catch (DatastoreException e) {
            return Outcome.fail("cannot read " + key + " from " + datastore.describe() + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            return Outcome.fail(key + " cannot be read: " + e.getMessage());
        }
        if (output != null) {
            return Outcome.ok(json(status));
        }
        return Outcome.ok(NodeStatusTable.render(status, clock.instant(), zone));
    }

    private Outcome notRunning(String name) throws DatastoreException {
        List<String> running = new ArrayList<>();
        for (KeyValue kv : datastore.list(BgpNodeStatus.KEY_PREFIX).entries()) {
            running.add(kv.key().substring(BgpNodeStatus.KEY_PREFIX.length()));
        }
        StringBuilder err = new StringBuilder();
        err.append("BGP is not running on node ").append(name).append(": it publishes no BGP status (")
                .append(BgpNodeStatus.KEY_PREFIX).append(name).append(").\n");
        err.append("Weft's BGP speaker runs where its configuration exists: on that node, install feature weft-bgp\n");
        err.append("and create etc/io.weft.bgp.cfg with at least routerId = the node's IPv4 address (and peers).\n");
        if (running.isEmpty()) {
            err.append("No node publishes BGP status.\n");
        } else {
            running.sort(null);
            err.append("Nodes running BGP: ").append(String.join(", ", running)).append(" (--node NAME shows one).\n");
        }
        return new Outcome(1, "", err.toString());
    }

    private String json(BgpNodeStatus status) {
        ObjectNode root = json.createObjectNode();
        root.put("node", status.node());
        root.put("routerId", status.routerId());
        root.put("asNumber", status.asNumber());
        root.put("publishedAt", status.publishedAt() == null ? null : status.publishedAt().toString());
        ArrayNode peers = root.putArray("peers");
        for (BgpNodeStatus.Peer p : status.peers()) {
            ObjectNode o = peers.addObject();
            o.put("name", p.name());
            o.put("peerAddress", p.address());
            o.put("family", p.ipv6() ? "IPv6" : "IPv4");
            o.put("peerType", p.type().display());
            o.put("peerAs", p.peerAs());
            o.put("state", NodeStatusTable.state(p));
            o.put("bgpState", p.state());
            o.put("since", p.since() == null ? null : p.since().toString());
            o.put("peerRouterId", p.peerRouterId());
            o.put("holdTime", p.holdTime());
            ObjectNode prefixes = o.putObject("prefixes");
            prefixes.put("received", p.received());
            prefixes.put("accepted", p.accepted());
            prefixes.put("advertised", p.advertised());
            o.put("lastError", p.lastError());
        }
        try {
            return json.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // a tree of plain values always serializes
        }
    }
}
