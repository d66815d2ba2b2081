package io.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.weft.api.bgp.BgpNodeStatus;
import io.weft.api.bgp.BgpSession;

/**
 * weftctl in calicoctl's etcdv3 mode: DATASTORE_TYPE=etcdv3 and ETCD_ENDPOINTS, no node, a real
 * etcd. Skipped loudly when etcd (Debian package etcd-server) is not installed.
 */
class WeftctlDirectTest {

    @Test
    void weftctlAppliesAndReadsStraightFromEtcd(@TempDir Path dir) throws Exception {
        boolean haveEtcd = Files.isExecutable(Path.of("/usr/bin/etcd"));
        if (!haveEtcd) {
            System.err.println("*** SKIPPING weftctl direct-mode test: /usr/bin/etcd missing (apt-get install etcd-server) ***");
        }
        assumeTrue(haveEtcd, "etcd (Debian package etcd-server) is needed");
        int client = freePort();
        int peer = freePort();
        Process etcd = new ProcessBuilder("etcd", "--name", "t", "--data-dir", dir.resolve("etcd").toString(),
                "--listen-client-urls", "http://127.0.0.1:" + client, "--advertise-client-urls", "http://127.0.0.1:" + client,
                "--listen-peer-urls", "http://127.0.0.1:" + peer, "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer,
                "--initial-cluster", "t=http://127.0.0.1:" + peer)
                .redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile()).start();
        try {
            String url = "http://127.0.0.1:" + client;
            awaitHealthy(url);
            Map<String, String> env = Map.of("DATASTORE_TYPE", "etcdv3", "ETCD_ENDPOINTS", url,
                    "WEFTCTL_CONFIG", dir.resolve("none.cfg").toString());
            Path file = dir.resolve("pool.yaml");
            Files.writeString(file, ResourceCommandsTest.SEED_POOL);
            String noSocket = dir.resolve("no-node.sock").toString();
            String[] applied = WeftctlTest.capture(() -> Weftctl.run(List.of("apply", "-f", file.toString()), noSocket, env));
            assertEquals("0", applied[0], applied[2]);
            assertEquals("Successfully applied 1 'IPPool' resource(s)\n", applied[1]);
            String[] got = WeftctlTest.capture(() -> Weftctl.run(List.of("get", "ippool", "-o", "wide"), noSocket, env));
            assertTrue(got[1].contains("default-ipv4-ippool   10.244.0.0/16   true   Always"), got[1] + got[2]);
            String[] ipam = WeftctlTest.capture(() -> Weftctl.run(List.of("ipam", "show"), noSocket, env));
            assertTrue(ipam[1].contains("10.244.0.0/16"), ipam[1] + ipam[2]);
            // node status reads what a node's BGP speaker wrote to etcd (here written as etcdctl would, by the gateway)
            BgpNodeStatus status = new BgpNodeStatus("rack1-n3", "10.1.0.3", 65001, List.of(new BgpNodeStatus.Peer(
                    "Global_10.1.0.254", "10.1.0.254", BgpSession.Kind.GLOBAL, 65000, "Established",
                    Instant.now().minusSeconds(5), "10.1.0.254", 90, 1, 1, 1, "")), Instant.now());
            put(url, status.key(), status.encode());
            String[] node = WeftctlTest.capture(() -> Weftctl.run(List.of("node", "status", "--node", "rack1-n3"), noSocket, env));
            assertEquals("0", node[0], node[2]);
            assertTrue(node[1].startsWith("Weft process is running.\n\nIPv4 BGP status\n"), node[1]);
            assertTrue(node[1].contains("| 10.1.0.254   | global    | up    |"), node[1]);
            assertTrue(node[1].endsWith("No IPv6 peers found.\n\n"), node[1]);
            String[] missing = WeftctlTest.capture(() -> Weftctl.run(List.of("node", "status", "--node", "rack1-n4"), noSocket, env));
            assertEquals("1", missing[0]);
            assertTrue(missing[2].contains("BGP is not running on node rack1-n4") && missing[2].contains("Nodes running BGP: rack1-n3"),
                    missing[2]);
            String[] bad = WeftctlTest.capture(() -> Weftctl.run(List.of("get", "ippool"), noSocket,
                    Map.of("DATASTORE_TYPE", "kubernetes", "WEFTCTL_CONFIG", dir.resolve("none.cfg").toString())));
            assertEquals("1", bad[0]);
            assertTrue(bad[2].contains("datastore type 'kubernetes' is not supported"), bad[2]);
        } finally {
            etcd.destroyForcibly().waitFor();
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Writes one key through etcd's JSON gateway. */
    private static void put(String url, String key, byte[] value) throws Exception {
        Base64.Encoder b64 = Base64.getEncoder();
        String body = "{\"key\":\"" + b64.encodeToString(key.getBytes(StandardCharsets.UTF_8)) + "\",\"value\":\""
                + b64.encodeToString(value) + "\"}";
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/v3/kv/put"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
    }

    private static void awaitHealthy(String url) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not up yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("etcd did not become healthy at " + url);
    }
}
