package io.weft.datastore.etcd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.buffer.Unpooled;

/** Configuration checks and the gateway's byte-level details; no etcd needed. */
class EtcdSettingsTest {

    @Test
    void endpointsAreNormalisedAndNonsenseIsRefusedWithTheFix() {
        assertEquals("http://10.0.0.1:2379,https://etcd-0:2380,http://[::1]:2379",
                EtcdSettings.of(" http://10.0.0.1 , https://etcd-0:2380/,http://[::1]").endpointList());

        for (String bad : List.of("10.0.0.1:2379", "ftp://etcd:2379", "http://etcd:2379/v3")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EtcdSettings.of(bad));
            assertEquals("io.weft.datastore.etcd endpoints: \"" + bad + "\" is not an etcd client URL such as "
                    + "http://10.0.0.1:2379 or https://etcd-0:2379", e.getMessage());
        }
        assertEquals("io.weft.datastore.etcd endpoints: none given; set at least one etcd client URL such as "
                + "http://10.0.0.1:2379", assertThrows(IllegalArgumentException.class, () -> EtcdSettings.of(" , "))
                        .getMessage());
    }

    @Test
    void tlsFilesMustExistAndComeInPairs() {
        EtcdSettings plain = EtcdSettings.of("https://etcd:2379");
        assertEquals("io.weft.datastore.etcd: certFile and keyFile go together; set both for a client certificate, "
                + "or neither", assertThrows(IllegalArgumentException.class,
                        () -> plain.withTls(null, Path.of("/etc/hostname"), null)).getMessage());
        assertEquals("io.weft.datastore.etcd: cannot read /nonexistent/ca.pem (no such file, or no permission); check "
                + "the caFile/certFile/keyFile settings", assertThrows(IllegalArgumentException.class,
                        () -> plain.withTls(Path.of("/nonexistent/ca.pem"), null, null)).getMessage());
    }

    @Test
    void thePasswordNeverShowsInTheSettingsText() {
        EtcdSettings settings = EtcdSettings.of("http://etcd:2379").withCredentials("weft", "hunter2")
                .withKeyPrefix("/cluster-a");
        assertEquals("etcd http://etcd:2379 as user weft under key prefix /cluster-a", settings.toString());
    }

    @Test
    void prefixEndsAreComputedOnBytes() {
        assertArrayEquals(new byte[] { 'a', 'c' }, GatewayCodec.prefixEnd(new byte[] { 'a', 'b' }));
        assertArrayEquals(new byte[] { 'b' }, GatewayCodec.prefixEnd(new byte[] { 'a', (byte) 0xff }));
        assertArrayEquals(new byte[] { 0 }, GatewayCodec.prefixEnd(new byte[] { (byte) 0xff, (byte) 0xff }));
    }

    @Test
    void revisionsAreEtcdsMinusOne() {
        assertEquals(0, GatewayCodec.toWeftRevision(1)); // etcd's empty store
        assertEquals(1, GatewayCodec.toWeftRevision(2)); // its first write
        assertEquals(0, GatewayCodec.toWeftRevision(0)); // absent: a key that does not exist
        assertEquals(8, GatewayCodec.toEtcdRevision(7));
    }

    @Test
    void streamedObjectsAreCutWhereverTheChunksFall() {
        JsonObjectSplitter splitter = new JsonObjectSplitter();
        String stream = "{\"result\":{\"a\":\"x}{\\\"\"}}\n{\"result\":{\"b\":[1,{\"c\":2}]}}\n";
        List<String> objects = new java.util.ArrayList<>();
        for (int i = 0; i < stream.length(); i += 7) {
            byte[] chunk = stream.substring(i, Math.min(stream.length(), i + 7)).getBytes(StandardCharsets.UTF_8);
            splitter.feed(Unpooled.wrappedBuffer(chunk)).forEach(o -> objects.add(new String(o, StandardCharsets.UTF_8)));
        }
        assertEquals(List.of("{\"result\":{\"a\":\"x}{\\\"\"}}", "{\"result\":{\"b\":[1,{\"c\":2}]}}"), objects);
    }
}
