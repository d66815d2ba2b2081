package io.weft.datastore.etcd;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The validated configuration of one etcd client. Every complaint names the setting and the fix,
 * because a component that fails to activate only shows its exception in the log.
 *
 * @param endpoints      normalised client URLs ({@code scheme://host:port})
 * @param username       etcd user, empty for none
 * @param password       never appears in {@link #toString()}
 * @param caFile         trust anchor for https endpoints, or null for the JVM's default trust store
 * @param certFile       client certificate, or null
 * @param keyFile        client key (PKCS#8 PEM), or null
 * @param keyPrefix      prepended to every key in etcd
 * @param requestTimeout time one request may take once connected
 * @param dialTimeout    time to wait for a connection
 */
record EtcdSettings(List<URI> endpoints, String username, String password, Path caFile, Path certFile,
        Path keyFile, String keyPrefix, Duration requestTimeout, Duration dialTimeout) {

    static final int DEFAULT_PORT = 2379;

    EtcdSettings {
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException(EtcdDatastoreConfig.PID + " endpoints: none given; set at least one "
                    + "etcd client URL such as http://10.0.0.1:2379");
        }
        username = username == null ? "" : username.trim();
        password = password == null ? "" : password;
        keyPrefix = keyPrefix == null ? "" : keyPrefix;
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException(EtcdDatastoreConfig.PID + ": certFile and keyFile go together; set "
                    + "both for a client certificate, or neither");
        }
        for (Path file : new Path[] { caFile, certFile, keyFile }) {
            if (file != null && !Files.isReadable(file)) {
                throw new IllegalArgumentException(EtcdDatastoreConfig.PID + ": cannot read " + file
                        + " (no such file, or no permission); check the caFile/certFile/keyFile settings");
            }
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException(EtcdDatastoreConfig.PID + " requestTimeoutMs: must be positive, was "
                    + requestTimeout.toMillis());
        }
        if (dialTimeout.isNegative() || dialTimeout.isZero()) {
            throw new IllegalArgumentException(EtcdDatastoreConfig.PID + " dialTimeoutMs: must be positive, was "
                    + dialTimeout.toMillis());
        }
    }

    static EtcdSettings from(EtcdDatastoreConfig config) {
        return new EtcdSettings(parseEndpoints(config.endpoints()), config.username(), config._password(),
                file(config.caFile()), file(config.certFile()), file(config.keyFile()), config.keyPrefix(),
                Duration.ofMillis(config.requestTimeoutMs()), Duration.ofMillis(config.dialTimeoutMs()));
    }

    /** Plain settings for one or more endpoints: no authentication, no TLS files, default timeouts. */
    static EtcdSettings of(String endpoints) {
        return new EtcdSettings(parseEndpoints(endpoints), "", "", null, null, null, "", Duration.ofSeconds(10),
                Duration.ofSeconds(3));
    }

    EtcdSettings withCredentials(String user, String secret) {
        return new EtcdSettings(endpoints, user, secret, caFile, certFile, keyFile, keyPrefix, requestTimeout,
                dialTimeout);
    }

    EtcdSettings withTls(Path ca, Path cert, Path key) {
        return new EtcdSettings(endpoints, username, password, ca, cert, key, keyPrefix, requestTimeout, dialTimeout);
    }

    EtcdSettings withKeyPrefix(String prefix) {
        return new EtcdSettings(endpoints, username, password, caFile, certFile, keyFile, prefix, requestTimeout,
                dialTimeout);
    }

    EtcdSettings withTimeouts(Duration request, Duration dial) {
        return new EtcdSettings(endpoints, username, password, caFile, certFile, keyFile, keyPrefix, request, dial);
    }

    boolean authenticates() {
        return !username.isEmpty();
    }

    /** {@code http://a:2379,http://b:2379}: what describe() and error messages show. */
    String endpointList() {
        return endpoints.stream().map(URI::toString).collect(Collectors.joining(","));
    }

    static List<URI> parseEndpoints(String list) {
        List<URI> uris = new ArrayList<>();
        for (String part : (list == null ? "" : list).split(",")) {
            String text = part.trim();
            if (!text.isEmpty()) {
                uris.add(endpoint(text));
            }
        }
        return uris;
    }

    private static URI endpoint(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                || !(uri.getRawPath() == null || uri.getRawPath().isEmpty() || "/".equals(uri.getRawPath()))) {
            throw new IllegalArgumentException(EtcdDatastoreConfig.PID + " endpoints: \"" + text + "\" is not an etcd "
                    + "client URL such as http://10.0.0.1:2379 or https://etcd-0:2379");
        }
        int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
        return URI.create(uri.getScheme() + "://" + uri.getRawAuthority().replaceFirst(":\\d+$", "") + ":" + port);
    }

    private static Path file(String value) {
        return value == null || value.isBlank() ? null : Path.of(value.trim());
    }

    @Override
    public String toString() {
        return "etcd " + endpointList() + (authenticates() ? " as user " + username : "")
                + (keyPrefix.isEmpty() ? "" : " under key prefix " + keyPrefix)
                + (caFile != null || certFile != null ? " with TLS files" : "");
    }
}
