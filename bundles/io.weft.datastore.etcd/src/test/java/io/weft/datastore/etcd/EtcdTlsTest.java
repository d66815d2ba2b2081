package io.weft.datastore.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.weft.api.datastore.Datastore;
import io.weft.api.datastore.DatastoreUnavailableException;
import io.weft.datastore.kv.WatchRecorder;

/**
 * etcd serving clients over TLS with client-certificate authentication ({@code --client-cert-auth}),
 * with a throwaway CA made by openssl: EC P-256 keys in PKCS#8 PEM, as etcd deployments use.
 */
class EtcdTlsTest {

    @TempDir
    static Path pki;

    @RegisterExtension
    final EtcdServer etcd = new EtcdServer().tls(pki.resolve("server.pem"), pki.resolve("server.key"),
            pki.resolve("ca.pem"));

    @BeforeAll
    static void makeCertificates() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")),
                "openssl is missing: the TLS test makes its certificates with it (Debian package openssl)");
        newCa("ca");
        newCa("other-ca");
        // clientAuth too: etcd's JSON gateway dials etcd's own gRPC port with the server certificate,
        // and --client-cert-auth then demands it (otherwise every call fails: "connection closed")
        issue("server", "etcd", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n");
        issue("client", "weft", "extendedKeyUsage=clientAuth\n");
    }

    private static void newCa(String name) throws Exception {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", name + ".key", "-out", name + ".pem", "-days", "1", "-subj", "/CN=weft-test-" + name);
    }

    private static void issue(String name, String commonName, String extensions) throws Exception {
        Files.writeString(pki.resolve(name + ".ext"), extensions);
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                name + ".key", "-out", name + ".csr", "-subj", "/CN=" + commonName);
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".pem", "-days", "1", "-extfile", name + ".ext");
    }

    private static void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("/usr/bin/openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(pki.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
        }
    }

    @Test
    void aClientCertificateSignedByTheCaOpensEtcdOverTls() throws Exception {
        assertTrue(Files.readString(pki.resolve("client.key")).startsWith("-----BEGIN PRIVATE KEY-----"));
        EtcdSettings settings = EtcdSettings.of(etcd.clientUrl())
                .withTls(pki.resolve("ca.pem"), pki.resolve("client.pem"), pki.resolve("client.key"));
        try (EtcdDatastore store = new EtcdDatastore(settings)) {
            WatchRecorder watcher = new WatchRecorder();
            store.watch("/t/", Datastore.FROM_SNAPSHOT, watcher);
            watcher.nextSnapshot();
            store.create("/t/1", "secure".getBytes(StandardCharsets.UTF_8), Datastore.NO_LEASE);
            assertEquals(List.of("PUT /t/1=secure @1"), watcher.nextEventLines(1));
            assertEquals("secure", store.get("/t/1").orElseThrow().valueAsString());
        }
    }

    @Test
    void aServerCertificateFromAnotherCaIsRefusedWithAMessageNamingTheTlsSettings() throws Exception {
        EtcdSettings settings = EtcdSettings.of(etcd.clientUrl())
                .withTls(pki.resolve("other-ca.pem"), pki.resolve("client.pem"), pki.resolve("client.key"));
        try (EtcdDatastore store = new EtcdDatastore(settings)) {
            DatastoreUnavailableException e = assertThrows(DatastoreUnavailableException.class, () -> store.get("/t"));
            assertTrue(e.getMessage().startsWith("etcd at " + etcd.clientUrl() + " is unreachable: TLS handshake "
                    + "failed ("), e.getMessage());
            assertTrue(e.getMessage().endsWith("); check the io.weft.datastore.etcd caFile, certFile and keyFile "
                    + "settings against etcd's certificate"), e.getMessage());
        }
    }
}
