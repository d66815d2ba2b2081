package io.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
