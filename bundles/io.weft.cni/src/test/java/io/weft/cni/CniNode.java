package io.weft.cni;

import static io.weft.netlink.NetnsLab.ip;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.weft.api.cni.CniResponse;
import io.weft.api.model.IPPool;
import io.weft.api.model.IPPoolSpec;
import io.weft.api.model.ObjectMeta;
import io.weft.api.resource.ResourceStore;
import io.weft.codec.internal.JacksonResourceCodec;
import io.weft.core.DatastoreResourceStore;
import io.weft.datastore.memory.MemoryDatastore;
import io.weft.ipam.block.BlockIpam;
import io.weft.netlink.NetnsLab;
import io.weft.netlink.Netns;

/**
 * One Weft node in a lab namespace: the node's own netns (with an uplink and a default route, so
 * proxy ARP answers for 169.254.1.1), the real block IPAM over a real typed store, and the CNI
 * server on a socket in a temp dir — driven over that socket exactly as the shim does.
 */
final class CniNode implements AutoCloseable {

    static final String NODE = "node-1";
    final NetnsLab lab;
    final String hostNs;
    final ResourceStore store;
    final BlockIpam ipam;
    final CniServer server;
    final Path socket;
    private final ObjectMapper json = new ObjectMapper();

    CniNode(NetnsLab lab, Path dir, String poolCidr, int blockSize) throws Exception {
        this.lab = lab;
        this.hostNs = lab.netns("node");
        String ext = lab.netns("ext");
        // uplink with a default route: proxy ARP only answers for 169.254.1.1 if another interface routes it
        NetnsLab.run("ip", "link", "add", "up0", "netns", hostNs, "type", "veth", "peer", "name", "up0", "netns", ext);
        ip(hostNs, "addr", "add", "192.168.250.1/24", "dev", "up0");
        ip(hostNs, "link", "set", "up0", "up");
        ip(ext, "addr", "add", "192.168.250.2/24", "dev", "up0");
        ip(ext, "link", "set", "up0", "up");
        ip(hostNs, "route", "add", "default", "via", "192.168.250.2");
        NetnsLab.run("ip", "netns", "exec", hostNs, "sysctl", "-qw", "net.ipv4.ip_forward=1");

        store = new DatastoreResourceStore(new MemoryDatastore(), new JacksonResourceCodec(), Clock.systemUTC());
        store.create(new IPPool(ObjectMeta.named("default-ipv4-ippool"), new IPPoolSpec(poolCidr, blockSize, null, null,
                true, false, false, null, null, null)));
        ipam = new BlockIpam(store);
        socket = dir.resolve("cni.sock");
        server = new CniServer(socket, 1 << 20, 16, true);
        server.addHandler(new WeftCniHandler(store, ipam, Netns.named(hostNs), NODE),
                Map.of("weft.provider", new String[] {"weft", "calico"}));
    }

    /** A pod sandbox: an empty namespace with loopback up, as the runtime creates it. */
    String sandbox(String name) {
        return lab.netns(name);
    }

    static String config(String version) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"k8s-pod-network\",\"type\":\"weft\","
                + "\"log_level\":\"info\",\"mtu\":1440,\"ipam\":{\"type\":\"weft\"}}";
    }

    CniResponse call(String command, String containerId, String netns, String pod, String stdin) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", command);
        if (containerId != null) {
            env.put("CNI_CONTAINERID", containerId);
        }
        if (netns != null) {
            env.put("CNI_NETNS", "/var/run/netns/" + netns);
        }
        env.put("CNI_IFNAME", "eth0");
        if (pod != null) {
            env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=" + pod
                    + ";K8S_POD_INFRA_CONTAINER_ID=" + containerId);
        }
        env.put("CNI_PATH", "/opt/cni/bin");
        return raw(env, stdin.getBytes(StandardCharsets.UTF_8));
    }

    CniResponse raw(Map<String, String> env, byte[] stdin) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            CniWire.writeRequest(new DataOutputStream(Channels.newOutputStream(ch)), env, stdin);
            ch.shutdownOutput();
            return CniWire.readResponse(new DataInputStream(Channels.newInputStream(ch)));
        }
    }

    JsonNode json(CniResponse r) throws IOException {
        return json.readTree(r.stdout());
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
    }
}
