package io.weft.datastore.etcd;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.weft.api.datastore.Datastore;
import io.weft.api.datastore.KeyValue;
import io.weft.api.datastore.WatchEvent;

/**
 * Translates between Weft's model and the JSON of etcd's gateway: keys and values as base64,
 * int64 fields as strings, default-valued fields left out, the configured key prefix, and
 * revisions.
 *
 * <p><b>Revisions.</b> etcd starts an empty store at revision 1 and gives the first write
 * revision 2; Weft's contract starts at 0 and gives the first write revision 1. Weft revision =
 * etcd revision − 1, applied here and nowhere else, so every revision a Weft caller sees (key
 * revisions, snapshot revisions, watch start revisions) counts the changes made to the etcd
 * cluster. {@code etcdctl} shows the same numbers plus one.
 */
final class GatewayCodec {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final byte[] EMPTY = new byte[0];
    /** etcd's "every key from here on" range end, and the smallest key. */
    private static final byte[] ZERO_BYTE = { 0 };

    private final byte[] keyPrefix;

    GatewayCodec(String keyPrefix) {
        this.keyPrefix = keyPrefix.getBytes(StandardCharsets.UTF_8);
    }

    static long toEtcdRevision(long weftRevision) {
        return weftRevision + 1;
    }

    static long toWeftRevision(long etcdRevision) {
        return etcdRevision > 0 ? etcdRevision - 1 : 0;
    }

    /** The store revision in a reply's header, in Weft terms. */
    static long headerRevision(JsonNode reply) {
        return toWeftRevision(int64(reply.path("header"), "revision"));
    }

    /** etcd's revision in a reply's header. */
    static long etcdHeaderRevision(JsonNode reply) {
        return int64(reply.path("header"), "revision");
    }

    /** An int64 field: a JSON string, or absent when it is 0. */
    static long int64(JsonNode node, String field) {
        return node.path(field).asLong(0);
    }

    static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** A bytes field: base64, or absent when empty. */
    static byte[] bytes(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? EMPTY : Base64.getDecoder().decode(value.asText());
    }

    static ObjectNode object() {
        return NODES.objectNode();
    }

    /** The key as etcd stores it: prefix + UTF-8, base64. */
    String key(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("datastore keys must not be empty");
        }
        return base64(etcdKey(key));
    }

    private byte[] etcdKey(String key) {
        byte[] utf8 = key.getBytes(StandardCharsets.UTF_8);
        byte[] full = Arrays.copyOf(keyPrefix, keyPrefix.length + utf8.length);
        System.arraycopy(utf8, 0, full, keyPrefix.length, utf8.length);
        return full;
    }

    /**
     * Sets {@code key} and {@code range_end} on a range or watch request so that it covers every key
     * starting with {@code prefix}. The end is computed on bytes: etcd compares keys as bytes.
     */
    ObjectNode prefixRange(ObjectNode request, String prefix) {
        byte[] start = etcdKey(prefix);
        if (start.length == 0) {
            // etcd's spelling of "every key": key and range_end both "\0"
            request.put("key", base64(ZERO_BYTE));
            request.put("range_end", base64(ZERO_BYTE));
        } else {
            request.put("key", base64(start));
            request.put("range_end", base64(prefixEnd(start)));
        }
        return request;
    }

    /** The least byte string above every string that starts with {@code prefix}; "\0" (no end) when none. */
    static byte[] prefixEnd(byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xff) {
                byte[] end = Arrays.copyOf(prefix, i + 1);
                end[i]++;
                return end;
            }
        }
        return ZERO_BYTE.clone();
    }

    /** Weft's key for an etcd key (base64 field {@code field} of {@code node}). */
    String weftKey(JsonNode node, String field) {
        byte[] full = bytes(node, field);
        int from = startsWithPrefix(full) ? keyPrefix.length : 0;
        return new String(full, from, full.length - from, StandardCharsets.UTF_8);
    }

    private boolean startsWithPrefix(byte[] full) {
        return full.length >= keyPrefix.length
                && Arrays.equals(full, 0, keyPrefix.length, keyPrefix, 0, keyPrefix.length);
    }

    /** One {@code mvccpb.KeyValue}. */
    KeyValue keyValue(JsonNode kv) {
        return new KeyValue(weftKey(kv, "key"), bytes(kv, "value"), toWeftRevision(int64(kv, "create_revision")),
                toWeftRevision(int64(kv, "mod_revision")), int64(kv, "version"), int64(kv, "lease"));
    }

    /** The {@code kvs} of a range reply, or of a txn's {@code response_range}. */
    List<KeyValue> keyValues(JsonNode rangeReply) {
        JsonNode kvs = rangeReply.path("kvs");
        List<KeyValue> out = new ArrayList<>(kvs.size());
        for (JsonNode kv : kvs) {
            out.add(keyValue(kv));
        }
        return out;
    }

    /**
     * One {@code mvccpb.Event}. A delete carries only the key and the deletion revision; the rest
     * comes from {@code prev_kv} when etcd still had it.
     */
    WatchEvent event(JsonNode event) {
        JsonNode kv = event.path("kv");
        JsonNode prevNode = event.get("prev_kv");
        KeyValue previous = prevNode == null ? null : keyValue(prevNode);
        if ("DELETE".equals(event.path("type").asText("PUT"))) {
            KeyValue tombstone = new KeyValue(weftKey(kv, "key"), EMPTY,
                    previous == null ? 0 : previous.createRevision(), toWeftRevision(int64(kv, "mod_revision")), 0,
                    Datastore.NO_LEASE);
            return new WatchEvent(WatchEvent.Type.DELETE, tombstone, previous);
        }
        return new WatchEvent(WatchEvent.Type.PUT, keyValue(kv), previous);
    }
}
