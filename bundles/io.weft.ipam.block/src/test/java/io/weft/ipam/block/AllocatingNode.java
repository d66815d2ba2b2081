package io.weft.ipam.block;

import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.weft.api.ipam.AssignRequest;
import io.weft.api.model.IPAMHandle;
import io.weft.api.model.ResourceKind;
import io.weft.api.net.Cidr;
import io.weft.api.resource.ResourceStore;
import io.weft.datastore.embedded.EmbeddedDatastore;

/**
 * The child JVM of {@link KillDashNineTest}: two nodes' pods start and stop as fast as the block
 * IPAM allows, on the embedded store in {@code args[0]}, until the process is killed. Prints
 * {@code A <handle> <address> ok} once an assignment has returned, {@code releasing <handle>}
 * before a release starts and {@code R <handle> ok} once it has returned; a line the kill cuts short lacks its {@code ok} and was not acknowledged.
 * Pods left by an earlier, killed run are released like its own, as a retried CNI DEL would.
 */
public final class AllocatingNode {

    private AllocatingNode() {
    }

    public static void main(String[] args) throws Exception {
        EmbeddedDatastore datastore = Fixture.embedded(Path.of(args[0]));
        ResourceStore store = Fixture.over(datastore);
        String run = args[1];
        Random random = new Random(Long.parseLong(args[2]));
        BlockIpam ipam = new BlockIpam(store);
        List<String> live = new ArrayList<>();
        for (IPAMHandle h : store.list(ResourceKind.IPAM_HANDLE, null)) {
            live.add(Inventory.handleId(h));
        }
        PrintStream out = System.out;
        for (long n = 0; ; n++) {
            if (!live.isEmpty() && (live.size() >= 40 || random.nextInt(3) == 0)) {
                String handle = live.remove(random.nextInt(live.size()));
                out.println("releasing " + handle); // from here on its state is unknown until "R ... ok"
                out.flush();
                ipam.releaseHandle(handle);
                out.println("R " + handle + " ok");
            } else {
                String handle = "k8s-pod-network." + run + "-" + n;
                String node = random.nextBoolean() ? "n1" : "n2";
                InetAddress a = ipam.assign(AssignRequest.podIpv4(handle, node, Map.of("pod", run + "-" + n)))
                        .ipv4().get(0);
                live.add(handle);
                out.println("A " + handle + " " + Cidr.format(a) + " ok");
            }
            out.flush();
        }
    }
}
