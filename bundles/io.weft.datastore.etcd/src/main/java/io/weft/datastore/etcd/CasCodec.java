package io.weft.datastore.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;

/**
 * The JSON of single-key compare-and-swap transactions ({@code create}, {@code update},
 * {@code delete}), written and read with Jackson's streaming API instead of a tree: these are the
 * calls pod starts and IPAM make most, and a tree costs a map per object on both sides, and
 * decodes the previous value (often a kilobyte-sized IPAM block) that a successful update never
 * looks at. A failed transaction's reply is read as a tree by the caller, as everything else is.
 */
final class CasCodec {

    /** What a successful write needs from a txn or put reply; prev fields are 0 without a previous key. */
    record CasReply(boolean succeeded, long etcdRevision, boolean hadPrevious, long prevCreateRevision,
            long prevVersion, long prevLease) {
    }

    private final JsonFactory factory;

    CasCodec(JsonFactory factory) {
        this.factory = factory;
    }

    /** The txn's single write. */
    enum Op {
        /** put with a lease (or none), if the key does not exist */
        CREATE,
        /** put keeping the key's lease, returning the previous key's metadata, if the mod revision matches */
        UPDATE,
        /** delete, if the mod revision matches */
        DELETE
    }

    /**
     * If {@code etcdKey}'s create revision is 0 ({@link Op#CREATE}) or its mod revision is
     * {@code etcdModRevision}, do {@code op}; otherwise read the key, so that the failure can say
     * what is stored.
     *
     * @param etcdKey the key as etcd stores it, base64
     */
    byte[] txn(Op op, String etcdKey, long etcdModRevision, byte[] value, long leaseId) {
        ByteArrayBuilder out = new ByteArrayBuilder(256 + (value == null ? 0 : value.length / 3 * 4 + 4));
        try (JsonGenerator json = factory.createGenerator(out)) {
            json.writeStartObject();
            json.writeArrayFieldStart("compare");
            json.writeStartObject();
            json.writeStringField("key", etcdKey);
            json.writeStringField("result", "EQUAL");
            if (op == Op.CREATE) {
                json.writeStringField("target", "CREATE");
                json.writeStringField("create_revision", "0"); // etcd's "the key does not exist"
            } else {
                json.writeStringField("target", "MOD");
                json.writeStringField("mod_revision", Long.toString(etcdModRevision));
            }
            json.writeEndObject();
            json.writeEndArray();

            json.writeArrayFieldStart("success");
            json.writeStartObject();
            json.writeObjectFieldStart(op == Op.DELETE ? "request_delete_range" : "request_put");
            json.writeStringField("key", etcdKey);
            if (op != Op.DELETE) {
                json.writeBinaryField("value", value); // standard base64 with padding, as etcd expects
                if (op == Op.UPDATE) {
                    json.writeBooleanField("ignore_lease", true); // an update keeps the key's lease
                    json.writeBooleanField("prev_kv", true);
                } else if (leaseId != 0) {
                    json.writeStringField("lease", Long.toString(leaseId));
                }
            }
            json.writeEndObject();
            json.writeEndObject();
            json.writeEndArray();

            json.writeArrayFieldStart("failure");
            json.writeStartObject();
            json.writeObjectFieldStart("request_range");
            json.writeStringField("key", etcdKey);
            json.writeEndObject();
            json.writeEndObject();
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode an etcd request", e); // in memory: does not happen
        }
        return out.toByteArray();
    }

    /**
     * Reads a txn reply's outcome, the header revision and the previous key's metadata of its first
     * {@code response_put} (a {@code /v3/kv/put} reply's top-level {@code prev_kv} too), skipping
     * everything else, values included.
     */
    CasReply reply(byte[] body) throws IOException {
        try (JsonParser json = factory.createParser(body)) {
            expect(json.nextToken(), JsonToken.START_OBJECT, json);
            Reading reading = new Reading();
            readReply(json, reading);
            return new CasReply(reading.succeeded, reading.revision, reading.hadPrevious, reading.prevCreateRevision,
                    reading.prevVersion, reading.prevLease);
        }
    }

    private static final class Reading {
        boolean succeeded;
        long revision;
        boolean hadPrevious;
        long prevCreateRevision;
        long prevVersion;
        long prevLease;
    }

    /** The reply object's fields; the parser is past its START_OBJECT. */
    private static void readReply(JsonParser json, Reading reading) throws IOException {
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String field = json.currentName();
            JsonToken value = json.nextToken();
            switch (field) {
                case "header" -> {
                    expect(value, JsonToken.START_OBJECT, json);
                    while (json.nextToken() == JsonToken.FIELD_NAME) {
                        boolean revision = "revision".equals(json.currentName());
                        json.nextToken();
                        if (revision) {
                            reading.revision = int64(json);
                        } else {
                            json.skipChildren();
                        }
                    }
                }
                case "succeeded" -> reading.succeeded = value == JsonToken.VALUE_TRUE;
                case "prev_kv" -> readPrevious(json, value, reading);
                case "responses" -> {
                    expect(value, JsonToken.START_ARRAY, json);
                    boolean first = true;
                    while (json.nextToken() == JsonToken.START_OBJECT) {
                        while (json.nextToken() == JsonToken.FIELD_NAME) {
                            boolean put = first && "response_put".equals(json.currentName());
                            JsonToken response = json.nextToken();
                            if (put) {
                                expect(response, JsonToken.START_OBJECT, json);
                                while (json.nextToken() == JsonToken.FIELD_NAME) {
                                    boolean prev = "prev_kv".equals(json.currentName());
                                    JsonToken prevValue = json.nextToken();
                                    if (prev) {
                                        readPrevious(json, prevValue, reading);
                                    } else {
                                        json.skipChildren();
                                    }
                                }
                            } else {
                                json.skipChildren();
                            }
                        }
                        first = false;
                    }
                }
                default -> json.skipChildren();
            }
        }
    }

    private static void readPrevious(JsonParser json, JsonToken value, Reading reading) throws IOException {
        expect(value, JsonToken.START_OBJECT, json);
        reading.hadPrevious = true;
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String field = json.currentName();
            json.nextToken();
            switch (field) {
                case "create_revision" -> reading.prevCreateRevision = int64(json);
                case "version" -> reading.prevVersion = int64(json);
                case "lease" -> reading.prevLease = int64(json);
                default -> json.skipChildren();
            }
        }
    }

    /** An int64: a JSON string in etcd's gateway (a number is accepted too). */
    private static long int64(JsonParser json) throws IOException {
        return json.currentToken() == JsonToken.VALUE_NUMBER_INT ? json.getLongValue()
                : Long.parseLong(json.getText());
    }

    private static void expect(JsonToken actual, JsonToken expected, JsonParser json) throws IOException {
        if (actual != expected) {
            throw new com.fasterxml.jackson.core.JsonParseException(json, "expected " + expected + ", found " + actual);
        }
    }
}
