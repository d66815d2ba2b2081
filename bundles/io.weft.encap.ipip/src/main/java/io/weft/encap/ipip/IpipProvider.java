package io.weft.encap.ipip;

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
import io.weft.netlink.IpipDevice;
import io.weft.netlink.Link;
import io.weft.netlink.NetlinkException;
import io.weft.netlink.Netns;
import io.weft.netlink.RtNetlink;

/**
 * IP-in-IP encapsulation on the kernel's fallback device {@code tunl0} (it appears when the ipip
 * module loads; this provider creates it when it is missing). On a kernel without ipip,
 * {@link #reconcile} fails with a message saying so, and the agent reports it and keeps routing
 * the other pools.
 */
// PID io.weft.agent: the provider programs the namespace the agent programs (its hostNetns);
// otherwise an agent pointed at a lab namespace would find its tunnel device in the runtime's own
@Component(service = EncapsulationProvider.class, configurationPid = "io.weft.agent")
@WeftProvider("ipip")
public class IpipProvider implements EncapsulationProvider {

    private static final Logger LOG = LoggerFactory.getLogger(IpipProvider.class);

    private final Netns netns;
    private RtNetlink netlink;

    public IpipProvider() {
        this(Netns.current());
    }

    /**
     * The DS constructor: programs the agent's namespace, {@code hostNetns} in PID
     * {@code io.weft.agent}, else the namespace the node runtime lives in.
     */
    @Activate
    public IpipProvider(Map<String, Object> properties) {
        this(namespaceOf(properties));
    }

    static Netns namespaceOf(Map<String, ?> properties) {
        Object configured = properties.get("hostNetns");
        return Netns.hostSetting(configured == null ? null : configured.toString());
    }

    public IpipProvider(Netns netns) {
        this.netns = Objects.requireNonNull(netns, "netns");
    }

    @Override
    public Encapsulation encapsulation() {
        return Encapsulation.IPIP;
    }

    @Override
    public int podMtu(int hostMtu) {
        return hostMtu - IpipPlan.OVERHEAD;
    }

    @Override
    public List<BlockRoute> routes(EncapsulationTarget target) {
        return IpipPlan.of(target).routes();
    }

    @Override
    public synchronized void reconcile(EncapsulationTarget target) throws DataplaneException {
        IpipPlan plan;
        try {
            plan = IpipPlan.of(target);
        } catch (IllegalArgumentException e) {
            throw new DataplaneException("IPIP: " + e.getMessage(), e);
        }
        try {
            RtNetlink nl = netlink();
            Link tunl = nl.link(IpipPlan.DEVICE).orElse(null);
            if (tunl == null) {
                nl.createIpip(new IpipDevice(IpipPlan.DEVICE, null, null, plan.mtu()));
                LOG.info("IPIP: created {}", IpipPlan.DEVICE);
                tunl = nl.link(IpipPlan.DEVICE).orElseThrow(() -> new NetlinkException("link show " + IpipPlan.DEVICE,
                        new IllegalStateException("created but not listed")));
            }
            if (tunl.mtu() != plan.mtu()) {
                nl.setMtu(IpipPlan.DEVICE, plan.mtu());
            }
            ensureAddress(nl, plan.address());
            if (!tunl.up()) {
                nl.setUp(IpipPlan.DEVICE);
            }
        } catch (NetlinkException e) {
            throw new DataplaneException("IPIP: " + e.getMessage(), e);
        }
    }

    private static void ensureAddress(RtNetlink nl, PrefixedAddress want) throws NetlinkException {
        boolean present = false;
        for (Address a : nl.addresses()) {
            if (!IpipPlan.DEVICE.equals(a.device()) || !a.address().isIpv4()) {
                continue;
            }
            if (a.address().equals(want)) {
                present = true;
            } else {
                nl.deleteAddress(IpipPlan.DEVICE, a.address());
            }
        }
        if (want != null && !present) {
            nl.addAddress(IpipPlan.DEVICE, want);
        }
    }

    /**
     * tunl0 belongs to the kernel module and cannot be deleted; teardown takes it down and
     * removes our address, which also drops every route through it.
     */
    @Override
    public synchronized void teardown() throws DataplaneException {
        try {
            RtNetlink nl = netlink();
            if (nl.link(IpipPlan.DEVICE).isEmpty()) {
                return;
            }
            ensureAddress(nl, null);
            nl.setDown(IpipPlan.DEVICE);
        } catch (NetlinkException e) {
            throw new DataplaneException("IPIP teardown: " + e.getMessage(), e);
        }
    }

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
}
