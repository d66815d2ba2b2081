package io.weft.codec.internal;

import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import io.weft.api.model.AffinityState;
import io.weft.api.model.AllocationAttribute;
import io.weft.api.model.BlockAffinity;
import io.weft.api.model.BlockAffinitySpec;
import io.weft.api.model.IPAMBlock;
import io.weft.api.model.IPAMBlockSpec;
import io.weft.api.model.IPAMHandle;
import io.weft.api.model.IPAMHandleSpec;
import io.weft.api.model.ObjectMeta;
import io.weft.api.model.Resource;

/**
 * The allocator's hot path through the codec: IPAMBlock, IPAMHandle and BlockAffinity values
 * that the store itself wrote, read with Jackson's streaming parser straight into the model and
 * written straight from it. Every pod start reads and writes a block and a handle; the generic
 * path (a {@link WireNode} tree with line numbers, then the mapping readers, then a map tree for
 * the writer) made those about 70% of an allocation's CPU time.
 *
 * <p>The output is byte for byte what the generic path writes, and whatever this reader does
 * not recognise exactly (another kind, a value of an unexpected type, malformed JSON) makes it
 * answer {@code null}, so the caller falls back to the generic reader and its precise error
 * messages. Unknown fields are skipped, as the generic reader does for stored values.
 */
final class StoredIpamJson {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private StoredIpamJson() {
    }

    /** Thrown inside the reader when a value is not what the fast path handles; never escapes. */
    private static final class NotHandled extends Exception {
        private static final long serialVersionUID = 1L;
        static final NotHandled INSTANCE = new NotHandled();

        private NotHandled() {
            super(null, null, false, false);
        }
    }

    // ---- writing

    /** The stored JSON of {@code resource}, or null if it is not one of the three kinds. */
    static byte[] write(Resource resource) {
        StringBuilder out;
        if (resource instanceof IPAMBlock b) {
            EncodedAttributes last = b.metadata().name() == null ? null : LAST_ENCODED.get(b.metadata().name());
            // sized for the whole block up front (growing a builder copies what it holds): as
            // long as its last write, or an estimate
            out = start(last != null ? last.blockLength + 512 : 512 + 6 * b.spec().allocations().size()
                    + 4 * b.spec().unallocated().size() + 140 * b.spec().attributes().size()
                    + 16 * b.spec().sequenceNumberForAllocation().size(), "IPAMBlock", b.metadata());
            EncodedAttributes now = block(out, b.spec(), last);
            if (b.metadata().name() != null) {
                if (LAST_ENCODED.size() >= BLOCK_CACHE_LIMIT) {
                    LAST_ENCODED.clear();
                }
                LAST_ENCODED.put(b.metadata().name(), now.withBlockLength(out.length() + 1));
            }
        } else if (resource instanceof IPAMHandle h) {
            out = start(256, "IPAMHandle", h.metadata());
            handle(out, h.spec());
        } else if (resource instanceof BlockAffinity a) {
            out = start(256, "BlockAffinity", a.metadata());
            affinity(out, a.spec());
        } else {
            return null;
        }
        out.append("}");
        return utf8(out);
    }

    private static byte[] utf8(StringBuilder out) {
        // the JDK's encoder copies an all-ASCII string in bulk (vectorised), far quicker than a
        // charAt loop over the builder
        return out.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static StringBuilder start(int capacity, String kind, ObjectMeta m) {
        StringBuilder out = new StringBuilder(capacity);
        out.append("{\"kind\":\"").append(kind).append("\",\"apiVersion\":\"").append(Resource.API_VERSION)
                .append("\",\"metadata\":{");
        int fields = 0;
        fields = string(out, fields, "name", m.name());
        fields = string(out, fields, "namespace", m.namespace());
        fields = string(out, fields, "uid", m.uid());
        fields = string(out, fields, "resourceVersion", m.resourceVersion());
        if (m.creationTimestamp() != null) {
            fields = key(out, fields, "creationTimestamp");
            GoJsonWriter.string(out, ResourceEncoder.timestamp(m.creationTimestamp()));
        }
        fields = stringMap(out, fields, "labels", m.labels());
        stringMap(out, fields, "annotations", m.annotations());
        out.append("},\"spec\":");
        return out;
    }

    private static int key(StringBuilder out, int fields, String key) {
        if (fields > 0) {
            out.append(',');
        }
        out.append('"').append(key).append("\":");
        return fields + 1;
    }

    /** Written only when non-empty, like the generic encoder's optional strings. */
    private static int string(StringBuilder out, int fields, String key, String value) {
        if (value == null || value.isEmpty()) {
            return fields;
        }
        int n = key(out, fields, key);
        GoJsonWriter.string(out, value);
        return n;
    }

    private static int stringMap(StringBuilder out, int fields, String key, Map<String, String> map) {
        if (map == null || map.isEmpty()) {
            return fields;
        }
        int n = key(out, fields, key);
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : map.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            GoJsonWriter.string(out, e.getKey());
            out.append(':');
            GoJsonWriter.string(out, e.getValue());
        }
        out.append('}');
        return n;
    }

    private static EncodedAttributes block(StringBuilder out, IPAMBlockSpec s, EncodedAttributes last) {
        out.append("{\"cidr\":");
        GoJsonWriter.string(out, s.cidr() == null ? "" : s.cidr());
        string(out, 1, "affinity", s.affinity());
        out.append(",\"allocations\":[");
        List<Integer> allocations = s.allocations();
        for (int i = 0; i < allocations.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            Integer a = allocations.get(i);
            if (a == null) {
                out.append("null");
            } else {
                out.append(a.intValue());
            }
        }
        out.append("],\"unallocated\":[");
        List<Integer> unallocated = s.unallocated();
        for (int i = 0; i < unallocated.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(unallocated.get(i).intValue());
        }
        out.append("],\"attributes\":[");
        List<AllocationAttribute> attributes = s.attributes();
        AllocationAttribute[] objects = attributes.toArray(new AllocationAttribute[0]);
        String[] json = new String[objects.length];
        int next = 0; // where the last write's attributes are matched up to: they keep their order
        for (int i = 0; i < objects.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            String encoded = null;
            if (last != null) {
                // an allocation appends one attribute, a release drops some: look a few ahead
                for (int k = next; k < last.objects.length && k < next + LOOK_AHEAD; k++) {
                    if (last.objects[k] == objects[i]) {
                        encoded = last.json[k];
                        next = k + 1;
                        break;
                    }
                }
            }
            json[i] = encoded != null ? encoded : attributeJson(objects[i]);
            out.append(json[i]);
        }
        out.append("],\"sequenceNumber\":").append(s.sequenceNumber()).append(",\"sequenceNumberForAllocation\":{");
        boolean first = true;
        for (Map.Entry<String, Long> e : s.sequenceNumberForAllocation().entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            GoJsonWriter.string(out, e.getKey());
            out.append(':').append(e.getValue().longValue());
        }
        out.append("},\"deleted\":").append(s.deleted()).append(",\"strictAffinity\":").append(s.strictAffinity())
                .append('}');
        return new EncodedAttributes(objects, json, 0);
    }

    /**
     * A block's attributes as its last write encoded them, by block name. The next write of the
     * block (the next pod start or stop on its node) holds mostly the same attribute objects in
     * the same order, and takes their JSON from here by walking both lists: one reference
     * comparison each, where a lookup in {@link #ATTRIBUTE_JSON} per attribute cost a hash
     * probe into a large table. Only a guess: an object not found is encoded (or looked up).
     */
    private record EncodedAttributes(AllocationAttribute[] objects, String[] json, int blockLength) {
        EncodedAttributes withBlockLength(int length) {
            return new EncodedAttributes(objects, json, length);
        }
    }

    private static final ConcurrentHashMap<String, EncodedAttributes> LAST_ENCODED = new ConcurrentHashMap<>();
    private static final int BLOCK_CACHE_LIMIT = 256;
    private static final int LOOK_AHEAD = 8;

    /**
     * Encoded allocation attributes, by identity. A block keeps its attribute objects from write to
     * write and is rewritten on every allocation and release, so each attribute (a handle and the
     * pod's namespace, name and node) is encoded once instead of on every write of its block.
     * Keyed by identity, not value: hashing and comparing each attribute's sorted map cost as
     * much as encoding it. An equal attribute in another object (a block read afresh) is simply
     * encoded again. Bounded: emptied when it grows past {@link #ATTRIBUTE_CACHE_LIMIT} entries.
     */
    private static final ConcurrentHashMap<Identity, String> ATTRIBUTE_JSON = new ConcurrentHashMap<>();
    private static final int ATTRIBUTE_CACHE_LIMIT = 8192; // a node writes a few blocks of at most 64 each

    private record Identity(AllocationAttribute attribute) {
        @Override
        public int hashCode() {
            return System.identityHashCode(attribute);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Identity other && other.attribute == attribute;
        }
    }

    private static String attributeJson(AllocationAttribute a) {
        Identity key = new Identity(a);
        String json = ATTRIBUTE_JSON.get(key);
        if (json == null) {
            StringBuilder out = new StringBuilder(128).append('{');
            int fields = string(out, 0, "handle_id", a.handleId());
            stringMap(out, fields, "secondary", a.secondary());
            json = out.append('}').toString();
            if (ATTRIBUTE_JSON.size() >= ATTRIBUTE_CACHE_LIMIT) {
                ATTRIBUTE_JSON.clear();
            }
            ATTRIBUTE_JSON.put(key, json);
        }
        return json;
    }

    private static void handle(StringBuilder out, IPAMHandleSpec s) {
        out.append("{\"handleID\":");
        GoJsonWriter.string(out, s.handleID() == null ? "" : s.handleID());
        out.append(",\"block\":{");
        boolean first = true;
        for (Map.Entry<String, Integer> e : s.block().entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            GoJsonWriter.string(out, e.getKey());
            out.append(':').append(e.getValue().intValue());
        }
        out.append("},\"deleted\":").append(s.deleted()).append('}');
    }

    private static void affinity(StringBuilder out, BlockAffinitySpec s) {
        out.append("{\"state\":");
        GoJsonWriter.string(out, s.state() == null ? "" : s.state().wireName());
        out.append(",\"node\":");
        GoJsonWriter.string(out, s.node() == null ? "" : s.node());
        string(out, 2, "type", s.type());
        out.append(",\"cidr\":");
        GoJsonWriter.string(out, s.cidr() == null ? "" : s.cidr());
        // a string, as the generic encoder writes it for old Calico releases
        out.append(",\"deleted\":\"").append(s.deleted()).append("\"}");
    }

    // ---- reading

    /** The resource in {@code bytes}, or null when the generic reader must handle them. */
    static Resource read(byte[] bytes) {
        try (JsonParser p = JSON.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String kind = null;
            ObjectMeta meta = ObjectMeta.EMPTY;
            Object spec = null;
            String apiVersion = null;
            // kind comes first in what the store writes; the spec is read according to it
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "kind" -> kind = text(p, value);
                    case "apiVersion" -> apiVersion = text(p, value);
                    case "metadata" -> meta = metadata(p, value);
                    case "spec" -> {
                        if (kind == null) {
                            return null;
                        }
                        spec = switch (kind) {
                            case "IPAMBlock" -> block(p, value);
                            case "IPAMHandle" -> handle(p, value);
                            case "BlockAffinity" -> affinity(p, value);
                            default -> throw NotHandled.INSTANCE;
                        };
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null
                    || !Resource.API_VERSION.equals(apiVersion) || kind == null) {
                return null;
            }
            return switch (kind) {
                case "IPAMBlock" -> new IPAMBlock(meta, (IPAMBlockSpec) spec);
                case "IPAMHandle" -> new IPAMHandle(meta, (IPAMHandleSpec) spec);
                case "BlockAffinity" -> new BlockAffinity(meta, (BlockAffinitySpec) spec);
                default -> null;
            };
        } catch (NotHandled | IOException | RuntimeException e) {
            return null;
        }
    }

    private static String text(JsonParser p, JsonToken token) throws NotHandled, IOException {
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token != JsonToken.VALUE_STRING) {
            throw NotHandled.INSTANCE;
        }
        String s = p.getText();
        return s.isEmpty() ? null : s;
    }

    private static boolean flag(JsonParser p, JsonToken token) throws NotHandled {
        return switch (token) {
            case VALUE_TRUE -> true;
            case VALUE_FALSE, VALUE_NULL -> false;
            default -> throw NotHandled.INSTANCE;
        };
    }

    private static long number(JsonParser p, JsonToken token, long max) throws NotHandled, IOException {
        if (token != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw NotHandled.INSTANCE;
        }
        long n = p.getLongValue();
        if (n < 0 || n > max) {
            throw NotHandled.INSTANCE;
        }
        return n;
    }

    private static void expect(JsonToken actual, JsonToken expected) throws NotHandled {
        if (actual != expected) {
            throw NotHandled.INSTANCE;
        }
    }

    private static Map<String, String> stringMap(JsonParser p, JsonToken token) throws NotHandled, IOException {
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(token, JsonToken.START_OBJECT);
        Map<String, String> out = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_STRING || out.containsKey(key)) {
                throw NotHandled.INSTANCE; // numbers, nulls, duplicates: the generic reader's rules apply
            }
            out.put(key, p.getText());
        }
        return out;
    }

    private static ObjectMeta metadata(JsonParser p, JsonToken token) throws NotHandled, IOException {
        if (token == JsonToken.VALUE_NULL) {
            return ObjectMeta.EMPTY;
        }
        expect(token, JsonToken.START_OBJECT);
        String name = null;
        String namespace = null;
        String uid = null;
        String resourceVersion = null;
        Instant created = null;
        Map<String, String> labels = null;
        Map<String, String> annotations = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "name" -> name = text(p, value);
                case "namespace" -> namespace = text(p, value);
                case "uid" -> uid = text(p, value);
                case "resourceVersion" -> resourceVersion = text(p, value);
                case "creationTimestamp" -> {
                    String t = text(p, value);
                    try {
                        created = t == null ? null : OffsetDateTime.parse(t).toInstant();
                    } catch (DateTimeParseException e) {
                        throw NotHandled.INSTANCE;
                    }
                }
                case "labels" -> labels = stringMap(p, value);
                case "annotations" -> annotations = stringMap(p, value);
                default -> p.skipChildren();
            }
        }
        return new ObjectMeta(name, namespace, labels, annotations, uid, resourceVersion, created);
    }

    private static IPAMBlockSpec block(JsonParser p, JsonToken token) throws NotHandled, IOException {
        expect(token, JsonToken.START_OBJECT);
        String cidr = null;
        String affinity = null;
        boolean strict = false;
        boolean deleted = false;
        long sequence = 0;
        List<Integer> allocations = null;
        List<Integer> unallocated = null;
        List<AllocationAttribute> attributes = null;
        Map<String, Long> sequences = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "cidr" -> cidr = text(p, value);
                case "affinity" -> affinity = text(p, value);
                case "strictAffinity" -> strict = flag(p, value);
                case "deleted" -> deleted = flag(p, value);
                case "sequenceNumber" -> sequence = value == JsonToken.VALUE_NULL ? 0
                        : number(p, value, Long.MAX_VALUE);
                case "allocations" -> {
                    if (value != JsonToken.VALUE_NULL) {
                        expect(value, JsonToken.START_ARRAY);
                        allocations = new ArrayList<>(64);
                        JsonToken item;
                        while ((item = p.nextToken()) != JsonToken.END_ARRAY) {
                            allocations.add(item == JsonToken.VALUE_NULL ? null
                                    : (int) number(p, item, Integer.MAX_VALUE));
                        }
                    }
                }
                case "unallocated" -> {
                    if (value != JsonToken.VALUE_NULL) {
                        expect(value, JsonToken.START_ARRAY);
                        unallocated = new ArrayList<>(64);
                        JsonToken item;
                        while ((item = p.nextToken()) != JsonToken.END_ARRAY) {
                            unallocated.add((int) number(p, item, Integer.MAX_VALUE));
                        }
                    }
                }
                case "attributes" -> {
                    if (value != JsonToken.VALUE_NULL) {
                        expect(value, JsonToken.START_ARRAY);
                        attributes = new ArrayList<>();
                        JsonToken item;
                        while ((item = p.nextToken()) != JsonToken.END_ARRAY) {
                            attributes.add(attribute(p, item));
                        }
                    }
                }
                case "sequenceNumberForAllocation" -> {
                    if (value != JsonToken.VALUE_NULL) {
                        expect(value, JsonToken.START_OBJECT);
                        sequences = new LinkedHashMap<>();
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String key = p.currentName();
                            sequences.put(key, number(p, p.nextToken(), Long.MAX_VALUE));
                        }
                    }
                }
                default -> p.skipChildren();
            }
        }
        return new IPAMBlockSpec(cidr, affinity, strict, allocations, unallocated, attributes, deleted, sequence,
                sequences);
    }

    private static AllocationAttribute attribute(JsonParser p, JsonToken token) throws NotHandled, IOException {
        expect(token, JsonToken.START_OBJECT);
        String handle = null;
        Map<String, String> secondary = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "handle_id" -> handle = text(p, value);
                case "secondary" -> secondary = stringMap(p, value);
                default -> p.skipChildren();
            }
        }
        return new AllocationAttribute(handle, secondary);
    }

    private static IPAMHandleSpec handle(JsonParser p, JsonToken token) throws NotHandled, IOException {
        expect(token, JsonToken.START_OBJECT);
        String id = null;
        boolean deleted = false;
        Map<String, Integer> block = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "handleID" -> id = text(p, value);
                case "deleted" -> deleted = flag(p, value);
                case "block" -> {
                    if (value != JsonToken.VALUE_NULL) {
                        expect(value, JsonToken.START_OBJECT);
                        block = new LinkedHashMap<>();
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String key = p.currentName();
                            block.put(key, (int) number(p, p.nextToken(), Integer.MAX_VALUE));
                        }
                    }
                }
                default -> p.skipChildren();
            }
        }
        return new IPAMHandleSpec(id, block, deleted);
    }

    private static BlockAffinitySpec affinity(JsonParser p, JsonToken token) throws NotHandled, IOException {
        expect(token, JsonToken.START_OBJECT);
        AffinityState state = null;
        String node = null;
        String type = null;
        String cidr = null;
        boolean deleted = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "state" -> {
                    String s = text(p, value);
                    state = s == null ? null : AffinityState.parse(s);
                }
                case "node" -> node = text(p, value);
                case "type" -> type = text(p, value);
                case "cidr" -> cidr = text(p, value);
                case "deleted" -> {
                    if (value == JsonToken.VALUE_STRING) {
                        String d = p.getText();
                        if (!d.equals("true") && !d.equals("false")) {
                            throw NotHandled.INSTANCE;
                        }
                        deleted = d.equals("true");
                    } else {
                        deleted = flag(p, value);
                    }
                }
                default -> p.skipChildren();
            }
        }
        return new BlockAffinitySpec(state, node, type, cidr, deleted);
    }
}
