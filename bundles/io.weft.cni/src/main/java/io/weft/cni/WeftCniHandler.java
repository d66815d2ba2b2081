package io.weft.cni;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import io.weft.api.cni.CniHandler;
import io.weft.api.cni.CniRequest;
import io.weft.api.cni.CniResponse;
import io.weft.api.cni.PodNetworkSettings;
import io.weft.api.ipam.IpamService;
import io.weft.api.model.NodeNames;
import io.weft.api.resource.ResourceStore;
import io.weft.netlink.Netns;

/**
 * The {@code weft} plugin type as a service (also answers {@code calico}, so conflists written for
 * Calico work unchanged). The datastore and IPAM provider are dynamic: while one is being swapped,
 * requests get "try again later" instead of the component going away under the CNI server.
 */
@Component(service = CniHandler.class, configurationPid = {"io.weft.node", CniConfig.PID},
        property = {"weft.provider=weft", "weft.provider=calico"})
public class WeftCniHandler implements CniHandler, WeftCniPlugin.Services {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile ResourceStore store;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile IpamService ipam;

    /** The node agent's pod MTU (host MTU less the encapsulation's overhead), used when nothing else sets one. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile PodNetworkSettings podNetwork;

    private final WeftCniPlugin plugin;
    private final long providerWaitNanos;

    @Activate
    public WeftCniHandler(CniConfig config) {
        this.plugin = new WeftCniPlugin(this, new PodWiring(Netns.hostSetting(config.hostNetns())),
                NodeNames.resolve(config.nodeName(), System.getenv()), config.vethPrefix(), config.mtu());
        this.providerWaitNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(Math.max(0, config.providerWaitMillis()));
    }

    /** For tests and tools: fixed collaborators. */
    public WeftCniHandler(ResourceStore store, IpamService ipam, Netns hostNetns, String nodeName) {
        this.store = store;
        this.ipam = ipam;
        this.plugin = new WeftCniPlugin(this, new PodWiring(hostNetns), nodeName, "cali", 0);
        this.providerWaitNanos = 0;
    }

    /** For tests and tools: fixed collaborators, with the node agent's pod settings. */
    public WeftCniHandler(ResourceStore store, IpamService ipam, PodNetworkSettings podNetwork, Netns hostNetns,
            String nodeName) {
        this(store, ipam, hostNetns, nodeName);
        this.podNetwork = podNetwork;
    }

    @Override
    public int podMtu() {
        PodNetworkSettings settings = podNetwork;
        return settings == null ? 0 : settings.podMtu();
    }

    @Override
    public CniResponse handle(CniRequest request) {
        return plugin.handle(request);
    }

    @Override
    public ResourceStore store() {
        return awaitProvider(() -> store);
    }

    @Override
    public IpamService ipam() {
        return awaitProvider(() -> ipam);
    }

    /**
     * The provider, waiting briefly for one while the node starts or a provider is swapped: the
     * pod start then succeeds instead of failing and being retried by the kubelet seconds later.
     */
    private <T> T awaitProvider(java.util.function.Supplier<T> current) {
        T value = current.get();
        long deadline = System.nanoTime() + providerWaitNanos;
        while (value == null && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            value = current.get();
        }
        return value;
    }
}
