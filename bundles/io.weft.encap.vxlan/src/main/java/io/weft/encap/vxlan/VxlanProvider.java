package io.weft.encap.vxlan;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.weft.api.encap.BlockRoute;
import io.weft.api.encap.DataplaneException;
import io.weft.api.encap.Encapsulation;
import io.weft.api.encap.EncapsulationProvider;
import io.weft.api.encap.EncapsulationTarget;
import io.weft.api.net.PrefixedAddress;
import io.weft.api.provider.WeftProvider;
import io.weft.netlink.Address;
import io.weft.netlink.Batch;
import io.weft.netlink.FdbEntry;
import io.weft.netlink.Link;
import io.weft.netlink.Neighbour;
import io.weft.netlink.NetlinkException;
import io.weft.netlink.Netns;
import io.weft.netlink.RtNetlink;
import io.weft.netlink.VxlanDevice;

/**
 * VXLAN encapsulation: owns {@code vxlan.calico} and its permanent ARP and FDB entries, and
 * returns the routes to remote blocks for the agent to program. Each {@link #reconcile} compares
 * the kernel with the {@link VxlanPlan} and changes only what differs, so it doubles as drift
 * repair (a deleted device, ARP or FDB entry comes back).
 */
// PID io.weft.agent: the provider programs the namespace the agent programs (its hostNetns);
// otherwise an agent pointed at a lab namespace would find its tunnel device in the runtime's own
@Component(service = EncapsulationProvider.class, configurationPid = "io.weft.agent")
@WeftProvider("vxlan")
public class VxlanProvider implements EncapsulationProvider {

    private static final Logger LOG = LoggerFactory.getLogger(VxlanProvider.class);

    private final Netns netns;
    private RtNetlink netlink;
    private List<String> lastUnreachable = List.of();

    /** The DS constructor: programs the namespace the node runtime lives in. */
    public VxlanProvider() {
        this(Netns.current());
    }

    /**
     * The DS constructor: programs the agent's namespace, {@code hostNetns} in PID
     * {@code io.weft.agent}, else the namespace the node runtime lives in.
     */
    @Activate
    public VxlanProvider(Map<String, Object> properties) {
        this(namespaceOf(properties));
    }

    static Netns namespaceOf(Map<String, ?> properties) {
        Object configured = properties.get("hostNetns");
        return Netns.hostSetting(configured == null ? null : configured.toString());
    }

    /** Programs {@code netns} (tests run several nodes in one process). */
    public VxlanProvider(Netns netns) {
        this.netns = Objects.requireNonNull(netns, "netns");
    }

    @Override
    public Encapsulation encapsulation() {
        return Encapsulation.VXLAN;
    }

    @Override
    public int podMtu(int hostMtu) {
        return hostMtu - VxlanPlan.OVERHEAD;
    }

    @Override
    public List<BlockRoute> routes(EncapsulationTarget target) {
        return VxlanPlan.of(target).routes();
    }

    @Override
    public synchronized void reconcile(EncapsulationTarget target) throws DataplaneException {
        VxlanPlan plan;
        try {
            plan = VxlanPlan.of(target);
        } catch (IllegalArgumentException e) {
            throw new DataplaneException("VXLAN: " + e.getMessage(), e);
        }
        if (!plan.unreachable().equals(lastUnreachable)) {
            plan.unreachable().forEach(u -> LOG.warn("VXLAN: cannot reach {}", u));
            lastUnreachable = plan.unreachable();
        }
        try {
            RtNetlink nl = netlink();
            ensureDevice(nl, plan.device());
            ensureAddress(nl, plan.address());
            ensureNeighbours(nl, plan.neighbours());
            ensureFdb(nl, plan.fdb());
        } catch (NetlinkException e) {
            throw new DataplaneException("VXLAN: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void teardown() throws DataplaneException {
        try {
            RtNetlink nl = netlink();
            if (nl.link(VxlanPlan.DEVICE).isPresent()) {
                nl.deleteLink(VxlanPlan.DEVICE);
                LOG.info("VXLAN: removed {} (no pool uses VXLAN any more)", VxlanPlan.DEVICE);
            }
        } catch (NetlinkException e) {
            if (!e.isNotFound()) {
                throw new DataplaneException("VXLAN teardown: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Leaves the device and its entries in place: traffic keeps flowing while the bundle is
     * updated or swapped, and the next provider (or this one restarted) adopts the device.
     */
    @Deactivate
    public synchronized void close() {
        if (netlink != null) {
            netlink.close();
            netlink = null;
        }
    }

    private RtNetlink netlink() throws NetlinkException {
        if (netlink == null) {
            netlink = RtNetlink.open(netns);
        }
        return netlink;
    }

    private static void ensureDevice(RtNetlink nl, VxlanDevice want) throws NetlinkException {
        Link have = nl.link(want.name()).orElse(null);
        if (have != null && !sameTunnel(nl, have, want)) {
            // VNI, port, local address and underlay cannot be changed on a live device
            LOG.info("VXLAN: recreating {} ({} differs from VNI {} port {} local {} dev {})", want.name(),
                    have.vxlan(), want.vni(), want.port(), want.local().getHostAddress(), want.underlay());
            nl.deleteLink(want.name());
            have = null;
        }
        if (have == null) {
            nl.createVxlan(want);
            LOG.info("VXLAN: created {} VNI {} port {} local {} dev {} mtu {} address {}", want.name(), want.vni(),
                    want.port(), want.local().getHostAddress(), want.underlay(), want.mtu(), want.mac());
            have = nl.link(want.name()).orElseThrow(() -> new NetlinkException("link show " + want.name(),
                    new IllegalStateException("created but not listed")));
        }
        if (want.mtu() != null && have.mtu() != want.mtu()) {
            nl.setMtu(want.name(), want.mtu());
        }
        if (want.mac() != null && !want.mac().equalsIgnoreCase(have.mac())) {
            nl.setMac(want.name(), want.mac());
        }
        if (!have.up()) {
            nl.setUp(want.name());
        }
    }

    private static boolean sameTunnel(RtNetlink nl, Link have, VxlanDevice want) throws NetlinkException {
        Link.Vxlan v = have.vxlan();
        if (!"vxlan".equals(have.kind()) || v == null) {
            return false;
        }
        int underlay = want.underlay() == null ? 0 : nl.linkIndex(want.underlay());
        return v.vni() == want.vni() && v.port() == want.port() && Objects.equals(v.local(), want.local())
                && v.underlayIndex() == underlay && !v.learning();
    }

    private static void ensureAddress(RtNetlink nl, PrefixedAddress want) throws NetlinkException {
        boolean present = false;
        for (Address a : nl.addresses()) {
            if (!VxlanPlan.DEVICE.equals(a.device()) || !a.address().isIpv4()) {
                continue;
            }
            if (a.address().equals(want)) {
                present = true;
            } else {
                nl.deleteAddress(VxlanPlan.DEVICE, a.address()); // an old tunnel address
            }
        }
        if (want != null && !present) {
            nl.addAddress(VxlanPlan.DEVICE, want);
        }
    }

    private static void ensureNeighbours(RtNetlink nl, List<Neighbour> want) throws NetlinkException {
        Map<InetAddress, Neighbour> desired = new HashMap<>();
        want.forEach(n -> desired.put(n.address(), n));
        Batch batch = nl.batch();
        for (Neighbour have : nl.neighbours()) {
            if (!VxlanPlan.DEVICE.equals(have.device())) {
                continue;
            }
            Neighbour d = desired.get(have.address());
            if (d == null) {
                if (have.isPermanent()) {
                    batch.deleteNeighbour(have);
                }
            } else if (have.isPermanent() && d.mac().equalsIgnoreCase(have.mac())) {
                desired.remove(have.address());
            }
        }
        for (Neighbour n : desired.values()) {
            batch.replaceNeighbour(n);
        }
        if (batch.size() > 0) {
            batch.execute().throwIfFailed();
        }
    }

    private static void ensureFdb(RtNetlink nl, List<FdbEntry> want) throws NetlinkException {
        Map<String, FdbEntry> desired = new HashMap<>();
        want.forEach(f -> desired.put(f.mac().toLowerCase(), f));
        Batch batch = nl.batch();
        for (FdbEntry have : nl.fdb(VxlanPlan.DEVICE)) {
            FdbEntry d = desired.get(have.mac().toLowerCase());
            if (d == null) {
                if (have.destination() != null) {
                    batch.deleteFdb(have);
                }
            } else if (Objects.equals(d.destination(), have.destination())) {
                desired.remove(have.mac().toLowerCase());
            }
        }
        for (FdbEntry f : desired.values()) {
            batch.replaceFdb(f);
        }
        if (batch.size() > 0) {
            batch.execute().throwIfFailed();
        }
    }
}
