package io.weft.cli.direct;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.weft.api.datastore.Datastore;
import io.weft.cli.CtlCommandLine;
import io.weft.cli.ResourceCommands;
import io.weft.codec.internal.JacksonResourceCodec;
import io.weft.core.DatastoreResourceStore;
import io.weft.datastore.etcd.EtcdDatastore;
import io.weft.datastore.etcd.EtcdDatastoreConfig;
import io.weft.ipam.block.BlockIpam;

/**
 * weftctl talking to etcd directly, as calicoctl does with {@code DATASTORE_TYPE=etcdv3}: it
 * builds the same store, codec and IPAM the node uses, in plain Java, runs one command and
 * closes. Used outside OSGi only (the bin/weftctl class path); inside the framework this
 * package's imports are optional and never wired.
 *
 * <p>Configured like calicoctl: environment ({@code DATASTORE_TYPE}, {@code ETCD_ENDPOINTS},
 * {@code ETCD_USERNAME}, {@code ETCD_PASSWORD}, {@code ETCD_CA_CERT_FILE}, {@code ETCD_CERT_FILE},
 * {@code ETCD_KEY_FILE}) over a properties file ({@code WEFTCTL_CONFIG}, default
 * {@code /etc/weft/weftctl.cfg}: {@code datastoreType}, {@code etcdEndpoints}, …).
 */
public final class DirectDatastore {
    private DirectDatastore() {
    }

    /** Settings read from the file and the environment; {@code null} datastore type: use the node. */
    public record Settings(String datastoreType, Map<String, Object> etcd) {
        public boolean direct() {
            return datastoreType != null && (datastoreType.equals("etcdv3") || datastoreType.equals("etcd"));
        }
    }

    public static Settings settings(Map<String, String> env) throws IOException {
        Properties file = new Properties();
        Path path = Path.of(env.getOrDefault("WEFTCTL_CONFIG", "/etc/weft/weftctl.cfg"));
        if (Files.isReadable(path)) {
            try (var in = Files.newBufferedReader(path)) {
                file.load(in);
            }
        }
        String type = pick(env, "DATASTORE_TYPE", file, "datastoreType");
        if (type != null && !type.equals("etcdv3") && !type.equals("etcd") && !type.equals("embedded")) {
            throw new IOException("datastore type '" + type + "' is not supported; use etcdv3 (direct) or embedded "
                    + "(through the node's admin socket)");
        }
        Map<String, Object> etcd = new HashMap<>();
        put(etcd, "endpoints", pick(env, "ETCD_ENDPOINTS", file, "etcdEndpoints"));
        put(etcd, "username", pick(env, "ETCD_USERNAME", file, "etcdUsername"));
        put(etcd, "_password", pick(env, "ETCD_PASSWORD", file, "etcdPassword"));
        put(etcd, "caFile", pick(env, "ETCD_CA_CERT_FILE", file, "etcdCACertFile"));
        put(etcd, "certFile", pick(env, "ETCD_CERT_FILE", file, "etcdCertFile"));
        put(etcd, "keyFile", pick(env, "ETCD_KEY_FILE", file, "etcdKeyFile"));
        put(etcd, "keyPrefix", pick(env, "ETCD_KEY_PREFIX", file, "etcdKeyPrefix"));
        return new Settings(type, etcd);
    }

    private static String pick(Map<String, String> env, String variable, Properties file, String key) {
        String v = env.get(variable);
        if (v == null || v.isBlank()) {
            v = file.getProperty(key);
        }
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static void put(Map<String, Object> map, String key, String value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    /** Runs one command against etcd and closes the connection. */
    public static ResourceCommands.Outcome run(Settings settings, List<String> args, String input) {
        EtcdDatastore etcd = new EtcdDatastore(config(EtcdDatastoreConfig.class, settings.etcd()));
        try {
            Datastore datastore = etcd;
            JacksonResourceCodec codec = new JacksonResourceCodec();
            DatastoreResourceStore store = new DatastoreResourceStore(datastore, codec, Clock.systemUTC());
            return CtlCommandLine.execute(args, input, store, codec, new BlockIpam(store), datastore);
        } finally {
            etcd.close();
        }
    }

    /** A configuration annotation instance: the given values, the annotation's defaults for the rest. */
    @SuppressWarnings("unchecked")
    static <A> A config(Class<A> type, Map<String, Object> values) {
        return (A) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, a) -> {
            if (method.getName().equals("annotationType")) {
                return type;
            }
            Object v = values.get(method.getName());
            if (v == null) {
                return method.getDefaultValue();
            }
            return method.getReturnType() == int.class ? Integer.valueOf(v.toString()) : v;
        });
    }
}
