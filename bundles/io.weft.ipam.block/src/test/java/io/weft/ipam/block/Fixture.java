package io.weft.ipam.block;

import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import io.weft.api.datastore.Datastore;
import io.weft.api.model.AllowedUse;
import io.weft.api.model.IPAMBlock;
import io.weft.api.model.IPAMConfig;
import io.weft.api.model.IPAMConfigSpec;
import io.weft.api.model.IPPool;
import io.weft.api.model.IPPoolSpec;
import io.weft.api.model.IPReservation;
import io.weft.api.model.IPReservationSpec;
import io.weft.api.model.Node;
import io.weft.api.model.NodeSpec;
import io.weft.api.model.ObjectMeta;
import io.weft.api.model.ResourceKind;
import io.weft.api.net.Cidr;
import io.weft.api.resource.ResourceStore;
import io.weft.codec.internal.JacksonResourceCodec;
import io.weft.core.DatastoreResourceStore;
import io.weft.datastore.embedded.EmbeddedDatastore;
import io.weft.datastore.embedded.EmbeddedDatastoreConfig;
import io.weft.datastore.etcd.EtcdDatastore;
import io.weft.datastore.etcd.EtcdDatastoreConfig;
import io.weft.datastore.memory.MemoryDatastore;

/** Real stores and the resources the tests start from. */
final class Fixture {

    private Fixture() {
    }

    static ResourceStore memoryStore() {
        return over(new MemoryDatastore());
    }

    static ResourceStore over(Datastore datastore) {
        return new DatastoreResourceStore(datastore, new JacksonResourceCodec(), Clock.systemUTC());
    }

    /** The production datastore in {@code dir}, without fsync (survives a kill, not a power cut). */
    static EmbeddedDatastore embedded(Path dir) throws Exception {
        EmbeddedDatastoreConfig config = (EmbeddedDatastoreConfig) Proxy.newProxyInstance(
                Fixture.class.getClassLoader(), new Class<?>[] {EmbeddedDatastoreConfig.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "dataDir" -> dir.toString();
                    case "fsync" -> false;
                    case "snapshotThresholdMiB" -> 64;
                    case "journalPreallocateMiB" -> 8; // the default: kills land on zeros ahead of the records too
                    case "annotationType" -> EmbeddedDatastoreConfig.class;
                    case "hashCode" -> 0;
                    case "equals" -> proxy == args[0];
                    case "toString" -> "EmbeddedDatastoreConfig(" + dir + ")";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return new EmbeddedDatastore(config);
    }

    /** The cluster datastore on etcd at {@code endpoint}, with the production defaults otherwise. */
    static EtcdDatastore etcd(String endpoint) {
        EtcdDatastoreConfig config = (EtcdDatastoreConfig) Proxy.newProxyInstance(
                Fixture.class.getClassLoader(), new Class<?>[] {EtcdDatastoreConfig.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "endpoints" -> endpoint;
                    case "annotationType" -> EtcdDatastoreConfig.class;
                    case "hashCode" -> 0;
                    case "equals" -> proxy == args[0];
                    case "toString" -> "EtcdDatastoreConfig(" + endpoint + ")";
                    default -> method.getDefaultValue();
                });
        return new EtcdDatastore(config);
    }

    static IPPool pool(String name, String cidr, Integer blockSize) {
        return new IPPool(ObjectMeta.named(name), new IPPoolSpec(cidr, blockSize, null, null, false, false, false,
                null, null, null));
    }

    static IPPool pool(String name, String cidr, Integer blockSize, String nodeSelector, List<AllowedUse> uses,
            boolean disabled) {
        return new IPPool(ObjectMeta.named(name), new IPPoolSpec(cidr, blockSize, null, null, false, disabled, false,
                nodeSelector, uses, null));
    }

    static void node(ResourceStore store, String name, Map<String, String> labels) throws Exception {
        store.create(new Node(ObjectMeta.named(name).withLabels(labels), NodeSpec.EMPTY));
    }

    static void nodes(ResourceStore store, String... names) throws Exception {
        for (String n : names) {
            node(store, n, Map.of());
        }
    }

    static void ipamConfig(ResourceStore store, boolean strictAffinity, Integer maxBlocksPerHost) throws Exception {
        store.apply(new IPAMConfig(ObjectMeta.named(IPAMConfig.DEFAULT_NAME),
                new IPAMConfigSpec(strictAffinity, true, maxBlocksPerHost)));
    }

    static void reservation(ResourceStore store, String name, String... cidrs) throws Exception {
        store.create(new IPReservation(ObjectMeta.named(name), new IPReservationSpec(List.of(cidrs))));
    }

    static InetAddress ip(String text) {
        return Cidr.parseAddress(text);
    }

    static String text(InetAddress a) {
        return Cidr.format(a);
    }

    static IPAMBlock block(ResourceStore store, Cidr cidr) throws Exception {
        return store.get(ResourceKind.IPAM_BLOCK, null, BlockNames.block(cidr)).orElseThrow();
    }

    /** Waits (up to 5 s) until the allocator's watched settings satisfy {@code condition}. */
    static void awaitWatchedSettings(BlockIpam ipam, java.util.function.Predicate<IpamSettings> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            IpamSettings s = ipam.watchedSettings();
            if (s != null && condition.test(s)) {
                return;
            }
            Thread.sleep(1);
        }
        throw new AssertionError("the allocator's settings watch did not catch up within 5 s");
    }
}
