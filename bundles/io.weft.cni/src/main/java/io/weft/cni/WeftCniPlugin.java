package io.weft.cni;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.weft.api.cni.CniCommand;
import io.weft.api.cni.CniRequest;
import io.weft.api.cni.CniResponse;
import io.weft.api.datastore.DatastoreException;
import io.weft.api.ipam.AssignRequest;
import io.weft.api.ipam.Assignment;
import io.weft.api.ipam.IntendedUse;
import io.weft.api.ipam.IpamException;
import io.weft.api.ipam.IpamService;
import io.weft.api.model.AllocationAttribute;
import io.weft.api.model.IPAMBlock;
import io.weft.api.model.IPPool;
import io.weft.api.model.ObjectMeta;
import io.weft.api.model.ResourceKind;
import io.weft.api.model.WorkloadEndpoint;
import io.weft.api.model.WorkloadEndpointSpec;
import io.weft.api.net.Cidr;
import io.weft.api.resource.InvalidResourceException;
import io.weft.api.resource.ResourceStore;
import io.weft.netlink.NetlinkException;
import io.weft.netlink.Netns;

/**
 * Weft's CNI plugin logic (type {@code weft}, and {@code calico} for conflists written for
 * Calico): ADD allocates from IPAM, wires the pod and records its WorkloadEndpoint; DEL undoes all
 * three and is idempotent; CHECK verifies all three; GC removes attachments the runtime no longer
 * knows; STATUS says whether ADD can work now.
 *
 * <p>Ordering makes failures safe: addresses are allocated first under a handle derived from the
 * container id, then the kernel is wired, then the endpoint written. A failure at any step undoes
 * the earlier ones; a crash between steps leaves state that DEL or GC finds from the request alone
 * (veth name and handle are computed, not looked up).
 */
final class WeftCniPlugin {

    private static final Logger LOG = LoggerFactory.getLogger(WeftCniPlugin.class);
    static final String POD_NAMESPACE_LABEL = "projectcalico.org/namespace";
    static final String ORCHESTRATOR_LABEL = "projectcalico.org/orchestrator";

    /** Where the plugin gets its collaborators; they may come and go at runtime (hot swap). */
    interface Services {
        ResourceStore store();

        IpamService ipam();

        /** The node agent's pod MTU, or 0 when no agent says (see {@link WeftCniPlugin#mtu}). */
        default int podMtu() {
            return 0;
        }
    }

    private final Services services;
    private final PodWiring wiring;
    private final String defaultNode;
    private final String vethPrefix;
    private final int defaultMtu;
    private final ObjectMapper json = new ObjectMapper();
    /** Striped: two pods rarely share a stripe, and a fixed array cannot hand two threads different locks for one pod. */
    private final ReentrantLock[] podLocks = new ReentrantLock[256];
    /** ADD/DEL/CHECK share it; GC takes it alone so it never judges a pod half-way through ADD. */
    private final ReadWriteLock gcLock = new ReentrantReadWriteLock();

    WeftCniPlugin(Services services, PodWiring wiring, String defaultNode, String vethPrefix, int defaultMtu) {
        this.services = services;
        this.wiring = wiring;
        this.defaultNode = defaultNode;
        this.vethPrefix = vethPrefix;
        this.defaultMtu = defaultMtu;
        for (int i = 0; i < podLocks.length; i++) {
            podLocks[i] = new ReentrantLock();
        }
    }

    /**
     * The pod interface's MTU: the network configuration's {@code mtu}; else the operator's
     * configured default ({@code mtu} in PID io.weft.cni); else what the node agent derives from the
     * encapsulation in use (VXLAN host − 50, IPIP host − 20), as Calico does; else 0, the kernel's
     * default. Explicit settings win over the derived one.
     */
    int mtu(NetworkConfig conf) {
        if (conf.mtu() > 0) {
            return conf.mtu();
        }
        if (defaultMtu > 0) {
            return defaultMtu;
        }
        return Math.max(0, services.podMtu());
    }

    CniResponse handle(CniRequest request) {
        String version = "1.1.0";
        long started = System.nanoTime();
        try {
            if (request.command() == CniCommand.VERSION) {
                return ok(versionResult(request.config()));
            }
            NetworkConfig conf = NetworkConfig.parse(json, request.config());
            version = conf.cniVersion();
            byte[] out = switch (request.command()) {
                case ADD -> withPodLock(request, () -> bytes(add(request, conf)));
                case DEL -> withPodLock(request, () -> del(request, conf));
                case CHECK -> withPodLock(request, () -> check(request, conf));
                case STATUS -> status(conf);
                case GC -> gc(conf);
                case VERSION -> throw new IllegalStateException("handled above");
            };
            LOG.debug("CNI {} {} done in {} µs", request.command(), request.containerId(),
                    (System.nanoTime() - started) / 1000);
            return ok(out);
        } catch (CniFailure f) {
            LOG.warn("CNI {} for container {} failed (code {}): {} — {}", request.command(), request.containerId(),
                    f.code(), f.getMessage(), f.details());
            return error(version, f);
        } catch (RuntimeException e) {
            LOG.error("CNI {} for container {} failed unexpectedly", request.command(), request.containerId(), e);
            return error(version, new CniFailure(CniFailure.IO_FAILURE, "internal error: " + e,
                    "see the node runtime's log (data/log/karaf.log) and report it"));
        }
    }

    // ------------------------------------------------------------------------------------ ADD

    private ObjectNode add(CniRequest request, NetworkConfig conf) throws CniFailure {
        Pod pod = Pod.of(request, conf, defaultNode, vethPrefix, true);
        ResourceStore store = store();
        IpamService ipam = ipam();

        Optional<WorkloadEndpoint> existing = getEndpoint(store, pod);
        if (existing.isPresent() && pod.containerId().equals(existing.get().spec().containerID())) {
            // the same ADD again (a runtime retry): answer as before if everything is still in place
            List<InetAddress> ips = addressesOf(existing.get());
            if (!ips.isEmpty() && problems(pod, ips, conf).isEmpty()) {
                LOG.info("CNI ADD {}: already wired as {}, answering with the same result", pod, pod.hostVeth());
                return result(conf, pod, ips, existing.get().spec().mac());
            }
        }

        List<InetAddress> addresses = allocate(ipam, store, pod, conf);
        int mtu = mtu(conf);
        PodWiring.Plan plan = new PodWiring.Plan(pod.hostVeth(), pod.netns(), pod.ifName(), mtu, addresses);
        String mac;
        try {
            mac = wiring.wire(plan);
        } catch (NetlinkException e) {
            release(ipam, pod);
            int code = e.isNotFound() && !pod.netns().exists() ? CniFailure.INVALID_ENVIRONMENT : CniFailure.DATAPLANE_FAILURE;
            throw new CniFailure(code, "could not wire pod " + pod + ": " + e.getMessage(),
                    "nothing was left behind (addresses released, veth removed); check CNI_NETNS " + request.netns(), e);
        } catch (RuntimeException e) {
            release(ipam, pod);
            throw e;
        }
        try {
            store.apply(endpoint(pod, addresses, mac));
        } catch (DatastoreException | InvalidResourceException | RuntimeException e) {
            unwireQuietly(pod);
            release(ipam, pod);
            throw new CniFailure(CniFailure.DATASTORE_FAILURE, "could not record WorkloadEndpoint " + pod.endpointName()
                    + ": " + e.getMessage(), "nothing was left behind; the runtime may retry", e);
        }
        LOG.info("CNI ADD {}: {} on {} ({})", pod, addresses.stream().map(Cidr::format).toList(), pod.hostVeth(), pod.node());
        return result(conf, pod, addresses, mac);
    }

    private List<InetAddress> allocate(IpamService ipam, ResourceStore store, Pod pod, NetworkConfig conf) throws CniFailure {
        try {
            // a retried ADD after a crash finds its addresses under the same handle: reuse, never double-allocate
            List<InetAddress> held = ipam.addressesOf(pod.handle());
            if (!held.isEmpty()) {
                return held;
            }
            if (!conf.assignIpv4() && !conf.assignIpv6()) {
                throw new CniFailure(CniFailure.INVALID_NETWORK_CONFIG, "ipam assigns no address family",
                        "set \"assign_ipv4\": \"true\" and/or \"assign_ipv6\": \"true\" in ipam");
            }
            Map<String, String> attributes = new LinkedHashMap<>();
            attributes.put("node", pod.node());
            if (pod.isKubernetes()) {
                attributes.put("namespace", pod.namespace());
                attributes.put("pod", pod.pod());
            }
            attributes.put("timestamp", Instant.now().toString());
            Assignment a = ipam.assign(new AssignRequest(pod.handle(), pod.node(), conf.assignIpv4() ? 1 : 0,
                    conf.assignIpv6() ? 1 : 0, pools(store, conf.ipv4Pools(), "ipv4_pools"),
                    pools(store, conf.ipv6Pools(), "ipv6_pools"), IntendedUse.WORKLOAD, attributes));
            return a.addresses().stream().map(Assignment.AssignedAddress::address).toList();
        } catch (IpamException e) {
            int code = e.reason() == IpamException.Reason.CONFLICT || e.reason() == IpamException.Reason.DATASTORE
                    ? CniFailure.TRY_AGAIN_LATER : CniFailure.IPAM_FAILURE;
            throw new CniFailure(code, "IPAM: " + e.getMessage(), switch (e.reason()) {
                case NO_POOL -> "create an enabled IPPool that selects node " + pod.node() + " (weft:get ippool -o wide)";
                case EXHAUSTED -> "add an IPPool or free addresses (weft:ipam-show --show-blocks, weft:ipam-check)";
                default -> "the runtime may retry";
            }, e);
        }
    }

    private List<Cidr> pools(ResourceStore store, List<String> entries, String field) throws CniFailure {
        List<Cidr> out = new ArrayList<>();
        for (String entry : entries) {
            if (entry.contains("/")) {
                try {
                    out.add(Cidr.parse(entry));
                    continue;
                } catch (IllegalArgumentException e) {
                    throw new CniFailure(CniFailure.INVALID_NETWORK_CONFIG, "ipam." + field + ": " + e.getMessage(),
                            "list pool CIDRs such as 10.244.0.0/16 or IPPool names");
                }
            }
            try {
                IPPool pool = store.get(ResourceKind.IP_POOL, null, entry).orElseThrow(() -> new CniFailure(
                        CniFailure.INVALID_NETWORK_CONFIG, "ipam." + field + ": no IPPool named \"" + entry + "\"",
                        "list existing pools with weft:get ippool, or give a CIDR"));
                out.add(Cidr.parse(pool.spec().cidr()));
            } catch (DatastoreException e) {
                throw new CniFailure(CniFailure.TRY_AGAIN_LATER, "datastore: " + e.getMessage(), "the runtime may retry", e);
            }
        }
        return out;
    }

    private WorkloadEndpoint endpoint(Pod pod, List<InetAddress> addresses, String mac) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(POD_NAMESPACE_LABEL, pod.namespace());
        labels.put(ORCHESTRATOR_LABEL, pod.orchestrator());
        List<String> networks = addresses.stream()
                .map(a -> Cidr.format(a) + (a instanceof Inet6Address ? "/128" : "/32")).toList();
        ObjectMeta meta = ObjectMeta.namespaced(pod.namespace(), pod.endpointName()).withLabels(labels);
        WorkloadEndpointSpec spec = new WorkloadEndpointSpec(pod.orchestrator(),
                pod.isKubernetes() ? null : pod.containerId(), pod.node(), pod.containerId(),
                pod.isKubernetes() ? pod.pod() : null, pod.ifName(), null, networks, null,
                pod.isKubernetes() ? List.of("kns." + pod.namespace()) : null, pod.hostVeth(), mac, null);
        return new WorkloadEndpoint(meta, spec);
    }

    // ------------------------------------------------------------------------------------ DEL

    private byte[] del(CniRequest request, NetworkConfig conf) throws CniFailure {
        Pod pod = Pod.of(request, conf, defaultNode, vethPrefix, false);
        ResourceStore store = store();
        IpamService ipam = ipam();
        Optional<WorkloadEndpoint> wep = getEndpoint(store, pod);
        if (wep.isPresent() && !pod.containerId().equals(wep.get().spec().containerID())) {
            // a newer sandbox of the same pod owns the veth and endpoint now: only this container's addresses go
            LOG.info("CNI DEL {}: endpoint belongs to container {}; releasing only this container's addresses", pod,
                    wep.get().spec().containerID());
            release(ipam, pod);
            return new byte[0];
        }
        try {
            wiring.unwire(wep.map(w -> w.spec().interfaceName()).filter(n -> n != null && !n.isEmpty())
                    .orElse(pod.hostVeth()));
        } catch (NetlinkException e) {
            throw new CniFailure(CniFailure.DATAPLANE_FAILURE, "could not remove " + pod.hostVeth() + ": " + e.getMessage(),
                    "the runtime retries DEL; nothing else was changed", e);
        }
        if (wep.isPresent()) {
            try {
                store.delete(ResourceKind.WORKLOAD_ENDPOINT, pod.namespace(), pod.endpointName());
            } catch (DatastoreException e) {
                if (!isNotFound(e)) {
                    throw new CniFailure(CniFailure.TRY_AGAIN_LATER, "datastore: " + e.getMessage(),
                            "the runtime retries DEL", e);
                }
            }
        }
        List<InetAddress> released = releaseOrFail(ipam, pod);
        LOG.info("CNI DEL {}: released {}", pod, released.stream().map(Cidr::format).toList());
        return new byte[0];
    }

    // ------------------------------------------------------------------------------------ CHECK

    private byte[] check(CniRequest request, NetworkConfig conf) throws CniFailure {
        if (!conf.checkSupported()) {
            throw new CniFailure(CniFailure.INCOMPATIBLE_VERSION, "CHECK needs cniVersion 0.4.0 or later, got "
                    + conf.cniVersion(), "raise cniVersion in the conflist");
        }
        Pod pod = Pod.of(request, conf, defaultNode, vethPrefix, true);
        ResourceStore store = store();
        Optional<WorkloadEndpoint> wep = getEndpoint(store, pod);
        List<String> problems = new ArrayList<>();
        if (wep.isEmpty()) {
            throw new CniFailure(CniFailure.UNKNOWN_CONTAINER, "no WorkloadEndpoint " + pod.namespace() + "/"
                    + pod.endpointName() + " for container " + pod.containerId(), "the pod was never added, or was deleted");
        }
        if (!pod.containerId().equals(wep.get().spec().containerID())) {
            problems.add("WorkloadEndpoint " + pod.endpointName() + " belongs to container " + wep.get().spec().containerID());
        }
        List<InetAddress> ips = addressesOf(wep.get());
        try {
            List<InetAddress> held = ipam().addressesOf(pod.handle());
            for (InetAddress a : ips) {
                if (!held.contains(a)) {
                    problems.add("IPAM handle " + pod.handle() + " does not hold " + Cidr.format(a));
                }
            }
        } catch (IpamException e) {
            problems.add("IPAM: " + e.getMessage());
        }
        if (conf.prevResult() != null) {
            for (JsonNode ip : conf.prevResult().path("ips")) {
                String address = ip.path("address").asText("");
                int slash = address.indexOf('/');
                InetAddress a = Cidr.parseAddress(slash < 0 ? address : address.substring(0, slash));
                if (!ips.contains(a)) {
                    problems.add("prevResult address " + address + " is not the pod's (" + ips.stream().map(Cidr::format).toList() + ")");
                }
            }
        }
        problems.addAll(problems(pod, ips, conf));
        if (!problems.isEmpty()) {
            throw new CniFailure(CniFailure.CHECK_FAILED, "pod " + pod + " network differs from what ADD set up",
                    String.join("; ", problems));
        }
        return new byte[0];
    }

    private List<String> problems(Pod pod, List<InetAddress> ips, NetworkConfig conf) throws CniFailure {
        try {
            return wiring.check(new PodWiring.Plan(pod.hostVeth(), pod.netns(), pod.ifName(),
                    mtu(conf), ips));
        } catch (NetlinkException e) {
            return List.of("cannot inspect the kernel: " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------ STATUS, GC, VERSION

    private byte[] status(NetworkConfig conf) throws CniFailure {
        requireVersion110(conf, "STATUS");
        ResourceStore store = services.store();
        IpamService ipam = services.ipam();
        if (store == null || ipam == null) {
            throw new CniFailure(CniFailure.PLUGIN_NOT_AVAILABLE, "Weft cannot add pods now",
                    store == null ? "no datastore is bound (weft:status shows which is missing)"
                            : "no IPAM provider is installed (feature:install weft-ipam-block)");
        }
        try {
            boolean anyPool = store.list(ResourceKind.IP_POOL, null).stream().anyMatch(p -> !p.spec().disabled());
            if (!anyPool) {
                throw new CniFailure(CniFailure.PLUGIN_NOT_AVAILABLE, "no enabled IPPool",
                        "create one (weft:apply -f pool.yaml) or set CALICO_IPV4POOL_CIDR before first start");
            }
        } catch (DatastoreException e) {
            throw new CniFailure(CniFailure.PLUGIN_NOT_AVAILABLE, "datastore unreachable: " + e.getMessage(),
                    "check the datastore (weft:status)", e);
        }
        return new byte[0];
    }

    private byte[] gc(NetworkConfig conf) throws CniFailure {
        requireVersion110(conf, "GC");
        if (conf.validAttachments() == null) {
            throw new CniFailure(CniFailure.INVALID_NETWORK_CONFIG, "GC without cni.dev/valid-attachments",
                    "the runtime must pass the attachments it still uses");
        }
        String node = conf.nodename().isEmpty() ? defaultNode : conf.nodename();
        Set<String> valid = new HashSet<>();
        for (NetworkConfig.Attachment a : conf.validAttachments()) {
            valid.add(a.containerId());
        }
        ResourceStore store = store();
        IpamService ipam = ipam();
        gcLock.writeLock().lock();
        try {
            List<String> removed = new ArrayList<>();
            Set<String> keptVeths = new HashSet<>();
            for (WorkloadEndpoint w : store.list(ResourceKind.WORKLOAD_ENDPOINT, null)) {
                WorkloadEndpointSpec s = w.spec();
                if (!node.equals(s.node()) || s.containerID() == null) {
                    continue;
                }
                if (valid.contains(s.containerID())) {
                    keptVeths.add(s.interfaceName());
                    continue;
                }
                wiring.unwire(s.interfaceName());
                store.delete(ResourceKind.WORKLOAD_ENDPOINT, w.metadata().namespace(), w.metadata().name());
                ipam.releaseHandle(PodNames.ipamHandle(s.containerID()));
                removed.add(s.containerID());
            }
            // addresses of pods whose ADD never finished (no endpoint): found through their allocation attributes
            for (IPAMBlock block : store.list(ResourceKind.IPAM_BLOCK, null)) {
                for (AllocationAttribute attr : block.spec().attributes()) {
                    String handle = attr.handleId();
                    if (handle == null || !handle.startsWith("k8s-pod-network.")
                            || !node.equals(attr.secondary().get("node"))) {
                        continue;
                    }
                    String cid = handle.substring("k8s-pod-network.".length());
                    if (!valid.contains(cid) && !ipam.releaseHandle(handle).isEmpty()) {
                        removed.add(cid);
                    }
                }
            }
            for (String veth : wiring.hostVeths(vethPrefix)) {
                if (!keptVeths.contains(veth) && !validVeth(veth, conf.validAttachments())) {
                    wiring.unwire(veth);
                    removed.add(veth);
                }
            }
            LOG.info("CNI GC on {}: kept {} attachments, removed {}", node, valid.size(), removed);
            return new byte[0];
        } catch (DatastoreException | IpamException | NetlinkException e) {
            throw new CniFailure(CniFailure.TRY_AGAIN_LATER, "GC interrupted: " + e.getMessage(),
                    "the runtime will run GC again; what was removed stays removed", e);
        } finally {
            gcLock.writeLock().unlock();
        }
    }

    /** Non-Kubernetes workloads' veths are named from the container id, so a valid one is recognisable. */
    private boolean validVeth(String veth, List<NetworkConfig.Attachment> valid) {
        for (NetworkConfig.Attachment a : valid) {
            if (veth.equals(PodNames.hostVeth(vethPrefix, null, null, a.containerId()))) {
                return true;
            }
        }
        return false;
    }

    private byte[] versionResult(byte[] config) {
        ObjectNode out = json.createObjectNode();
        out.put("cniVersion", "1.1.0");
        ArrayNode versions = out.putArray("supportedVersions");
        NetworkConfig.SUPPORTED_VERSIONS.forEach(versions::add);
        return bytes(out);
    }

    private static void requireVersion110(NetworkConfig conf, String verb) throws CniFailure {
        if (!conf.atLeast110()) {
            throw new CniFailure(CniFailure.INCOMPATIBLE_VERSION, verb + " needs cniVersion 1.1.0, got " + conf.cniVersion(),
                    "set \"cniVersion\": \"1.1.0\" in the conflist");
        }
    }

    // ------------------------------------------------------------------------------------ results

    /**
     * The result as Calico returns it: the host veth, the pod interface (index 1) with its MAC and
     * sandbox, and the addresses on it. Results before 1.0.0 carry each address's "version".
     * A prevResult from an earlier plugin in the chain is kept and ours appended.
     */
    private ObjectNode result(NetworkConfig conf, Pod pod, List<InetAddress> ips, String mac) {
        ObjectNode out = json.createObjectNode();
        out.put("cniVersion", conf.cniVersion());
        ArrayNode interfaces = out.putArray("interfaces");
        ArrayNode addresses = out.putArray("ips");
        ArrayNode routes = null;
        JsonNode dns = null;
        JsonNode prev = conf.prevResult();
        if (prev != null) {
            prev.path("interfaces").forEach(interfaces::add);
            prev.path("ips").forEach(addresses::add);
            if (prev.path("routes").isArray()) {
                routes = out.putArray("routes");
                prev.path("routes").forEach(routes::add);
            }
            dns = prev.get("dns");
        }
        int base = interfaces.size();
        interfaces.addObject().put("name", pod.hostVeth());
        ObjectNode eth = interfaces.addObject().put("name", pod.ifName());
        if (mac != null) {
            eth.put("mac", mac);
        }
        eth.put("sandbox", pod.netns().path().toString());
        boolean withVersion = !conf.cniVersion().startsWith("1.");
        for (InetAddress a : ips) {
            boolean six = a instanceof Inet6Address;
            ObjectNode ip = addresses.addObject();
            if (withVersion) {
                ip.put("version", six ? "6" : "4");
            }
            ip.put("address", Cidr.format(a) + (six ? "/128" : "/32"));
            ip.put("interface", base + 1);
        }
        out.set("dns", dns == null ? json.createObjectNode() : dns);
        return out;
    }

    // ------------------------------------------------------------------------------------ helpers

    private interface Work {
        byte[] run() throws CniFailure;
    }

    private byte[] withPodLock(CniRequest request, Work work) throws CniFailure {
        String cid = request.containerId();
        if (cid == null || cid.isBlank()) {
            throw new CniFailure(CniFailure.INVALID_ENVIRONMENT, "CNI_CONTAINERID is not set",
                    "the runtime must pass the container id for " + request.command());
        }
        // one pod at a time, not one container: a new sandbox's ADD and the old sandbox's DEL share the
        // veth name, so they must not interleave
        String ns = request.args().get("K8S_POD_NAMESPACE");
        String pod = request.args().get("K8S_POD_NAME");
        String key = ns != null && !ns.isEmpty() && pod != null && !pod.isEmpty() ? "pod " + ns + "/" + pod : "container " + cid;
        gcLock.readLock().lock();
        ReentrantLock lock = podLocks[Math.floorMod(key.hashCode(), podLocks.length)];
        lock.lock();
        try {
            return work.run();
        } finally {
            lock.unlock();
            gcLock.readLock().unlock();
        }
    }

    private ResourceStore store() throws CniFailure {
        ResourceStore s = services.store();
        if (s == null) {
            throw new CniFailure(CniFailure.TRY_AGAIN_LATER, "no datastore is bound yet",
                    "the node runtime is starting or its datastore provider is being swapped; weft:status shows which");
        }
        return s;
    }

    private IpamService ipam() throws CniFailure {
        IpamService i = services.ipam();
        if (i == null) {
            throw new CniFailure(CniFailure.TRY_AGAIN_LATER, "no IPAM provider is installed",
                    "feature:install weft-ipam-block (or weft-ipam-hostlocal) on the node's console");
        }
        return i;
    }

    private static Optional<WorkloadEndpoint> getEndpoint(ResourceStore store, Pod pod) throws CniFailure {
        try {
            return store.get(ResourceKind.WORKLOAD_ENDPOINT, pod.namespace(), pod.endpointName());
        } catch (DatastoreException e) {
            throw new CniFailure(CniFailure.TRY_AGAIN_LATER, "datastore: " + e.getMessage(), "the runtime may retry", e);
        }
    }

    private static List<InetAddress> addressesOf(WorkloadEndpoint wep) {
        List<InetAddress> out = new ArrayList<>();
        for (String n : wep.spec().ipNetworks()) {
            int slash = n.indexOf('/');
            out.add(Cidr.parseAddress(slash < 0 ? n : n.substring(0, slash)));
        }
        return out;
    }

    private static boolean isNotFound(DatastoreException e) {
        return e instanceof io.weft.api.datastore.KeyNotFoundException;
    }

    private void release(IpamService ipam, Pod pod) {
        try {
            ipam.releaseHandle(pod.handle());
        } catch (IpamException | RuntimeException e) {
            LOG.warn("CNI {}: could not release {} ({}); weft:ipam-check will report it", pod, pod.handle(), e.getMessage());
        }
    }

    private List<InetAddress> releaseOrFail(IpamService ipam, Pod pod) throws CniFailure {
        try {
            return ipam.releaseHandle(pod.handle());
        } catch (IpamException e) {
            throw new CniFailure(CniFailure.TRY_AGAIN_LATER, "IPAM release of " + pod.handle() + ": " + e.getMessage(),
                    "the runtime retries DEL", e);
        }
    }

    private void unwireQuietly(Pod pod) {
        try {
            wiring.unwire(pod.hostVeth());
        } catch (NetlinkException | RuntimeException e) {
            LOG.warn("CNI {}: could not remove {}: {}", pod, pod.hostVeth(), e.getMessage());
        }
    }

    private byte[] bytes(JsonNode node) {
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static CniResponse ok(byte[] stdout) {
        return new CniResponse(0, stdout, null);
    }

    private CniResponse error(String version, CniFailure f) {
        ObjectNode out = json.createObjectNode();
        out.put("cniVersion", version);
        out.put("code", f.code());
        out.put("msg", f.getMessage());
        if (!f.details().isEmpty()) {
            out.put("details", f.details());
        }
        String stderr = "weft: " + f.getMessage() + (f.details().isEmpty() ? "" : " (" + f.details() + ")") + "\n";
        return new CniResponse(f.code(), bytes(out), stderr.getBytes(StandardCharsets.UTF_8));
    }

    /** Who the request is about, and every name derived from it. */
    record Pod(String containerId, String namespace, String pod, String orchestrator, String node, String ifName,
            Netns netns, String hostVeth, String endpointName, String handle) {

        static Pod of(CniRequest r, NetworkConfig conf, String defaultNode, String vethPrefix, boolean needNetns)
                throws CniFailure {
            String cid = r.containerId();
            String ifName = r.ifName();
            if (ifName == null || ifName.isBlank()) {
                throw new CniFailure(CniFailure.INVALID_ENVIRONMENT, "CNI_IFNAME is not set",
                        "the runtime must name the pod's interface (usually eth0)");
            }
            if (ifName.length() > 15 || ifName.contains("/") || ifName.contains(" ")) {
                throw new CniFailure(CniFailure.INVALID_ENVIRONMENT, "CNI_IFNAME '" + ifName + "' is not an interface name",
                        "use at most 15 characters without '/' or spaces");
            }
            Netns netns = null;
            if (r.netns() != null && !r.netns().isBlank()) {
                netns = Netns.ofPath(java.nio.file.Path.of(r.netns()));
            } else if (needNetns) {
                throw new CniFailure(CniFailure.INVALID_ENVIRONMENT, "CNI_NETNS is not set",
                        "the runtime must pass the pod's network namespace path");
            }
            if (needNetns && !netns.exists()) {
                throw new CniFailure(CniFailure.INVALID_ENVIRONMENT, "network namespace " + r.netns() + " does not exist",
                        "the pod sandbox is gone; the runtime should DEL it");
            }
            String ns = r.args().get("K8S_POD_NAMESPACE");
            String pod = r.args().get("K8S_POD_NAME");
            boolean k8s = ns != null && !ns.isEmpty() && pod != null && !pod.isEmpty();
            String node = conf.nodename().isEmpty() ? defaultNode : conf.nodename();
            String orchestrator = k8s ? PodNames.K8S : PodNames.CNI;
            String namespace = k8s ? ns : "default";
            String workload = k8s ? pod : cid;
            return new Pod(cid, namespace, k8s ? pod : null, orchestrator, node, ifName, netns,
                    PodNames.hostVeth(vethPrefix, ns, k8s ? pod : null, cid),
                    PodNames.workloadEndpoint(node, orchestrator, workload, ifName), PodNames.ipamHandle(cid));
        }

        boolean isKubernetes() {
            return pod != null;
        }

        @Override
        public String toString() {
            return isKubernetes() ? namespace + "/" + pod + " (" + shortId() + ")" : "container " + shortId();
        }

        private String shortId() {
            return containerId.length() > 12 ? containerId.substring(0, 12) : containerId;
        }
    }
}
