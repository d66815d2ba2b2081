package io.weft.ipam.hostlocal;

import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import io.weft.api.model.IPAMHandle;
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
import io.weft.datastore.memory.MemoryDatastore;

/** Real stores (memory datastore, the production codec and typed store) and starting resources. */
final class Fixture {

    private Fixture() {
    }

    static ResourceStore memoryStore() {
        return new DatastoreResourceStore(new MemoryDatastore(), new JacksonResourceCodec(), Clock.systemUTC());
    }

    static IPPool pool(String name, String cidr) {
        return new IPPool(ObjectMeta.named(name), IPPoolSpec.of(cidr));
    }

    static IPPool pool(String name, String cidr, String nodeSelector, boolean disabled) {
        return new IPPool(ObjectMeta.named(name), new IPPoolSpec(cidr, null, null, null, false, disabled, false,
                nodeSelector, null, null));
    }

    static void node(ResourceStore store, String name, Map<String, String> labels) throws Exception {
        store.create(new Node(ObjectMeta.named(name).withLabels(labels), NodeSpec.EMPTY));
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

    static List<String> texts(List<InetAddress> addresses) {
        return addresses.stream().map(Fixture::text).toList();
    }

    static IPAMHandle handle(ResourceStore store, String name) throws Exception {
        return store.get(ResourceKind.IPAM_HANDLE, null, name).orElseThrow(() -> new AssertionError("no " + name));
    }

    /** The range the derivation starts from: the n-th network of {@code prefix} in {@code pool}. */
    static Cidr derivedRange(String node, String pool, int prefix) {
        Cidr p = Cidr.parse(pool);
        long count = 1L << (prefix - p.prefixLength());
        return p.subnet(prefix, Math.floorMod(RangeBook.stableHash(node), count));
    }
}
