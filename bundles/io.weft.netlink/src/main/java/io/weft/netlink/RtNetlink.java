package io.weft.netlink;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;

import io.weft.api.net.PrefixedAddress;
import io.weft.netlink.internal.Errno;
import io.weft.netlink.internal.LibC;
import io.weft.netlink.internal.NetlinkSocket;
import io.weft.netlink.internal.Rt;

/**
 * A connection to the kernel's routing netlink in one network namespace: links, addresses,
 * routes, neighbours and FDB entries, each call one request with its ACK checked. Safe to share
 * between threads (requests are serialized); for bulk work use {@link #batch()}.
 *
 * <p>Every failure is a {@link NetlinkException} naming the request in words and the errno;
 * {@link NetlinkException#isAlreadyExists()} and {@link NetlinkException#isNotFound()} let callers
 * be idempotent.
 */
public final class RtNetlink implements AutoCloseable {

    private final Netns netns;
    private final NetlinkSocket socket;

    private RtNetlink(Netns netns, NetlinkSocket socket) {
        this.netns = netns;
        this.socket = socket;
    }

    /** Opens a connection in the calling process's namespace. */
    public static RtNetlink open() throws NetlinkException {
        return open(Netns.current());
    }

    /** Opens a connection in {@code netns}; the socket stays bound to it. */
    public static RtNetlink open(Netns netns) throws NetlinkException {
        return new RtNetlink(netns, netns.call(() -> NetlinkSocket.open(0)));
    }

    public Netns netns() {
        return netns;
    }

    // ---------------------------------------------------------------- links

    public List<Link> links() throws NetlinkException {
        List<Link> links = new ArrayList<>();
        socket.dump(Codec.dumpLinks(), "link show" + where(), m -> links.add(Codec.decodeLink(m)));
        return links;
    }

    public Optional<Link> link(String name) throws NetlinkException {
        Names.checkInterfaceName(name);
        List<Link> found = new ArrayList<>();
        try {
            socket.dump(Codec.getLinkByName(name), "link show " + name + where(), m -> found.add(Codec.decodeLink(m)));
        } catch (NetlinkException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
        return found.stream().findFirst();
    }

    /** The ifindex of {@code name}; ENODEV naming the device when it does not exist. */
    public int linkIndex(String name) throws NetlinkException {
        return link(name).orElseThrow(() -> new NetlinkException("device " + name + where(), Errno.ENODEV,
                "no such interface")).index();
    }

    public void createVeth(VethPair veth) throws NetlinkException {
        String what = "link add " + veth.name() + " type veth peer name " + veth.peerName()
                + (veth.peerNetns().equals(Netns.current()) ? "" : " netns " + veth.peerNetns().path()) + where();
        int fd = veth.peerNetns().equals(netns) ? -1 : veth.peerNetns().openFd();
        try {
            socket.request(Codec.createVeth(veth, fd), what);
        } finally {
            if (fd >= 0) {
                LibC.close(fd);
            }
        }
    }

    public void createVxlan(VxlanDevice vxlan) throws NetlinkException {
        int underlay = vxlan.underlay() == null ? 0 : linkIndex(vxlan.underlay());
        socket.request(Codec.createVxlan(vxlan, underlay), "link add " + vxlan.name() + " type vxlan id " + vxlan.vni()
                + (vxlan.local() == null ? "" : " local " + vxlan.local().getHostAddress())
                + (vxlan.underlay() == null ? "" : " dev " + vxlan.underlay()) + " dstport " + vxlan.port() + where());
    }

    /**
     * Creates an IPIP device. On a kernel without the ipip module the kernel answers EOPNOTSUPP;
     * the message then says so plainly.
     */
    public void createIpip(IpipDevice ipip) throws NetlinkException {
        int underlay = ipip.underlay() == null ? 0 : linkIndex(ipip.underlay());
        String what = "link add " + ipip.name() + " type ipip" + where();
        try {
            socket.request(Codec.createIpip(ipip, underlay), what);
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENOTSUP) {
                throw new NetlinkException(what, e.errno(),
                        "kernel has no ipip support (load the ipip module, or use VXLAN encapsulation)");
            }
            throw e;
        }
    }

    public void setUp(String name) throws NetlinkException {
        socket.request(Codec.setLink(linkIndex(name), Rt.IFF_UP, Rt.IFF_UP).build(), "link set " + name + " up" + where());
    }

    public void setDown(String name) throws NetlinkException {
        socket.request(Codec.setLink(linkIndex(name), 0, Rt.IFF_UP).build(), "link set " + name + " down" + where());
    }

    public void setMtu(String name, int mtu) throws NetlinkException {
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("MTU " + mtu + " for " + name + " is out of range 68-65535");
        }
        socket.request(Codec.setLink(linkIndex(name), 0, 0).attrU32(Rt.IFLA_MTU, mtu).build(),
                "link set " + name + " mtu " + mtu + where());
    }

    public void setMac(String name, String mac) throws NetlinkException {
        byte[] raw = Names.parseMac(mac);
        socket.request(Codec.setLink(linkIndex(name), 0, 0).attr(Rt.IFLA_ADDRESS, raw).build(),
                "link set " + name + " address " + mac + where());
    }

    public void rename(String name, String newName) throws NetlinkException {
        Names.checkInterfaceName(newName);
        socket.request(Codec.setLink(linkIndex(name), 0, 0).attrString(Rt.IFLA_IFNAME, newName).build(),
                "link set " + name + " name " + newName + where());
    }

    public void moveToNetns(String name, Netns target) throws NetlinkException {
        int index = linkIndex(name);
        int fd = target.openFd();
        try {
            socket.request(Codec.setLink(index, 0, 0).attrU32(Rt.IFLA_NET_NS_FD, fd).build(),
                    "link set " + name + " netns " + target.path() + where());
        } finally {
            LibC.close(fd);
        }
    }

    /** Deletes a link (for a veth, both ends go). */
    public void deleteLink(String name) throws NetlinkException {
        socket.request(Codec.deleteLink(linkIndex(name)), "link del " + name + where());
    }

    // ---------------------------------------------------------------- addresses

    public void addAddress(String device, PrefixedAddress address) throws NetlinkException {
        socket.request(Codec.address(Rt.RTM_NEWADDR, linkIndex(device), address, Codec.CREATE),
                "address add " + address + " dev " + device + where());
    }

    public void deleteAddress(String device, PrefixedAddress address) throws NetlinkException {
        socket.request(Codec.address(Rt.RTM_DELADDR, linkIndex(device), address, Codec.ACK_REQUEST),
                "address del " + address + " dev " + device + where());
    }

    public List<Address> addresses() throws NetlinkException {
        IntFunction<String> names = linkNames();
        List<Address> out = new ArrayList<>();
        socket.dump(Codec.dumpAddresses(), "address show" + where(), m -> out.add(Codec.decodeAddress(m, names)));
        return out;
    }

    // ---------------------------------------------------------------- routes

    public void addRoute(Route route) throws NetlinkException {
        socket.request(Codec.route(Rt.RTM_NEWROUTE, Codec.CREATE, route, this::linkIndex), "route add " + route.describe() + where());
    }

    /** Adds or replaces the route to the same destination (same table, metric). */
    public void replaceRoute(Route route) throws NetlinkException {
        socket.request(Codec.route(Rt.RTM_NEWROUTE, Codec.REPLACE, route, this::linkIndex),
                "route replace " + route.describe() + where());
    }

    public void deleteRoute(Route route) throws NetlinkException {
        socket.request(Codec.route(Rt.RTM_DELROUTE, Codec.ACK_REQUEST, route, this::linkIndex),
                "route del " + route.describe() + where());
    }

    /** Every IPv4 and IPv6 route of every table. */
    public List<Route> routes() throws NetlinkException {
        IntFunction<String> names = linkNames();
        List<Route> out = new ArrayList<>();
        socket.dump(Codec.dumpRoutes(Rt.AF_INET), "route show" + where(), m -> out.add(Codec.decodeRoute(m, names)));
        socket.dump(Codec.dumpRoutes(Rt.AF_INET6), "route show -6" + where(), m -> out.add(Codec.decodeRoute(m, names)));
        return out;
    }

    // ---------------------------------------------------------------- neighbours and FDB

    /** Adds or replaces a neighbour entry ({@code ip neigh replace}). */
    public void replaceNeighbour(Neighbour n) throws NetlinkException {
        socket.request(Codec.neighbour(Rt.RTM_NEWNEIGH, Codec.REPLACE, linkIndex(n.device()), n.address(), n.mac(), n.state()),
                "neigh replace " + n.address().getHostAddress() + " lladdr " + n.mac() + " dev " + n.device() + where());
    }

    public void deleteNeighbour(Neighbour n) throws NetlinkException {
        socket.request(Codec.neighbour(Rt.RTM_DELNEIGH, Codec.ACK_REQUEST, linkIndex(n.device()), n.address(), null, 0),
                "neigh del " + n.address().getHostAddress() + " dev " + n.device() + where());
    }

    public List<Neighbour> neighbours() throws NetlinkException {
        IntFunction<String> names = linkNames();
        List<Neighbour> out = new ArrayList<>();
        for (byte family : new byte[] {Rt.AF_INET, Rt.AF_INET6}) {
            socket.dump(Codec.dumpNeighbours(family), "neigh show" + where(), m -> {
                if (Codec.decodeNeighbour(m, names) instanceof Neighbour n) {
                    out.add(n);
                }
            });
        }
        return out;
    }

    /** Adds or replaces a VXLAN FDB entry ({@code bridge fdb replace MAC dev DEV dst IP self permanent}). */
    public void replaceFdb(FdbEntry e) throws NetlinkException {
        socket.request(Codec.fdb(Rt.RTM_NEWNEIGH, Codec.REPLACE, linkIndex(e.device()), e.mac(), e.destination()),
                "fdb replace " + e.mac() + " dev " + e.device() + " dst " + host(e.destination()) + where());
    }

    public void deleteFdb(FdbEntry e) throws NetlinkException {
        socket.request(Codec.fdb(Rt.RTM_DELNEIGH, Codec.ACK_REQUEST, linkIndex(e.device()), e.mac(), e.destination()),
                "fdb del " + e.mac() + " dev " + e.device() + where());
    }

    /** FDB entries of one device. */
    public List<FdbEntry> fdb(String device) throws NetlinkException {
        IntFunction<String> names = linkNames();
        List<FdbEntry> out = new ArrayList<>();
        socket.dump(Codec.dumpNeighbours(Rt.AF_BRIDGE), "fdb show" + where(), m -> {
            if (Codec.decodeNeighbour(m, names) instanceof FdbEntry f && device.equals(f.device())) {
                out.add(f);
            }
        });
        return out;
    }

    // ---------------------------------------------------------------- batches

    /** Starts a batch: many requests pipelined on this socket, each ACK checked. */
    public Batch batch() {
        return new Batch(this);
    }

    NetlinkException[] execute(List<byte[]> messages, java.util.function.IntFunction<String> descriptions)
            throws NetlinkException {
        return socket.execute(messages, descriptions);
    }

    // ---------------------------------------------------------------- helpers

    private IntFunction<String> linkNames() throws NetlinkException {
        Map<Integer, String> names = new HashMap<>();
        for (Link l : links()) {
            names.put(l.index(), l.name());
        }
        return i -> names.getOrDefault(i, "if" + i);
    }

    String where() {
        return netns.path() == null ? "" : " (netns " + netns.path() + ")";
    }

    private static String host(InetAddress a) {
        return a == null ? "-" : a.getHostAddress();
    }

    @Override
    public void close() {
        socket.close();
    }

}
