package io.weft.netlink;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import io.weft.api.net.Cidr;
import io.weft.api.net.PrefixedAddress;
import io.weft.netlink.internal.Attributes;
import io.weft.netlink.internal.MessageBuilder;
import io.weft.netlink.internal.Rt;

/**
 * Encodes Weft's requests as rtnetlink messages and decodes the kernel's replies, in plain Java.
 * Device names are resolved to indexes by the caller ({@code IntFunction}/{@code Resolver}) so
 * the codec itself does no I/O and can be tested with byte fixtures.
 */
final class Codec {
    private Codec() {
    }

    /** Resolves a device name to its ifindex (one lookup, cached by batches). */
    @FunctionalInterface
    interface Resolver {
        int index(String device) throws NetlinkException;
    }

    static final short ACK_REQUEST = Rt.NLM_F_REQUEST | Rt.NLM_F_ACK;
    static final short CREATE = ACK_REQUEST | Rt.NLM_F_CREATE | Rt.NLM_F_EXCL;
    static final short REPLACE = ACK_REQUEST | Rt.NLM_F_CREATE | Rt.NLM_F_REPLACE;

    static byte family(InetAddress a) {
        return a instanceof Inet4Address ? Rt.AF_INET : Rt.AF_INET6;
    }

    // ---- links ----

    static byte[] getLinkByName(String name) {
        return new MessageBuilder(Rt.RTM_GETLINK, ACK_REQUEST).ifinfo(Rt.AF_UNSPEC, 0, 0, 0)
                .attrString(Rt.IFLA_IFNAME, name).build();
    }

    static byte[] dumpLinks() {
        return new MessageBuilder(Rt.RTM_GETLINK, (short) (Rt.NLM_F_REQUEST | Rt.NLM_F_DUMP))
                .ifinfo(Rt.AF_UNSPEC, 0, 0, 0).build();
    }

    static byte[] createVeth(VethPair veth, int peerNetnsFd) {
        MessageBuilder m = new MessageBuilder(Rt.RTM_NEWLINK, CREATE).ifinfo(Rt.AF_UNSPEC, 0, 0, 0)
                .attrString(Rt.IFLA_IFNAME, veth.name());
        if (veth.mtu() != null) {
            m.attrU32(Rt.IFLA_MTU, veth.mtu());
        }
        if (veth.mac() != null) {
            m.attr(Rt.IFLA_ADDRESS, Names.parseMac(veth.mac()));
        }
        m.nest(Rt.IFLA_LINKINFO).attrString(Rt.IFLA_INFO_KIND, "veth").nest(Rt.IFLA_INFO_DATA)
                .nest(Rt.VETH_INFO_PEER).ifinfo(Rt.AF_UNSPEC, 0, 0, 0).attrString(Rt.IFLA_IFNAME, veth.peerName());
        if (veth.mtu() != null) {
            m.attrU32(Rt.IFLA_MTU, veth.mtu());
        }
        if (veth.peerMac() != null) {
            m.attr(Rt.IFLA_ADDRESS, Names.parseMac(veth.peerMac()));
        }
        if (peerNetnsFd >= 0) {
            m.attrU32(Rt.IFLA_NET_NS_FD, peerNetnsFd);
        }
        m.endNest().endNest().endNest();
        return m.build();
    }

    static byte[] createVxlan(VxlanDevice vx, int underlayIndex) {
        MessageBuilder m = new MessageBuilder(Rt.RTM_NEWLINK, CREATE).ifinfo(Rt.AF_UNSPEC, 0, 0, 0)
                .attrString(Rt.IFLA_IFNAME, vx.name());
        if (vx.mtu() != null) {
            m.attrU32(Rt.IFLA_MTU, vx.mtu());
        }
        if (vx.mac() != null) {
            m.attr(Rt.IFLA_ADDRESS, Names.parseMac(vx.mac()));
        }
        m.nest(Rt.IFLA_LINKINFO).attrString(Rt.IFLA_INFO_KIND, "vxlan").nest(Rt.IFLA_INFO_DATA)
                .attrU32(Rt.IFLA_VXLAN_ID, vx.vni());
        if (vx.local() != null) {
            m.attr(vx.local() instanceof Inet4Address ? Rt.IFLA_VXLAN_LOCAL : Rt.IFLA_VXLAN_LOCAL6, vx.local().getAddress());
        }
        if (underlayIndex > 0) {
            m.attrU32(Rt.IFLA_VXLAN_LINK, underlayIndex);
        }
        m.attrBe16(Rt.IFLA_VXLAN_PORT, vx.port()).attrU8(Rt.IFLA_VXLAN_LEARNING, vx.learning() ? 1 : 0);
        m.endNest().endNest();
        return m.build();
    }

    static byte[] createIpip(IpipDevice ip, int underlayIndex) {
        MessageBuilder m = new MessageBuilder(Rt.RTM_NEWLINK, CREATE).ifinfo(Rt.AF_UNSPEC, 0, 0, 0)
                .attrString(Rt.IFLA_IFNAME, ip.name());
        if (ip.mtu() != null) {
            m.attrU32(Rt.IFLA_MTU, ip.mtu());
        }
        m.nest(Rt.IFLA_LINKINFO).attrString(Rt.IFLA_INFO_KIND, "ipip").nest(Rt.IFLA_INFO_DATA);
        if (ip.local() != null) {
            m.attr(Rt.IFLA_IPTUN_LOCAL, ip.local().getAddress());
        }
        if (underlayIndex > 0) {
            m.attrU32(Rt.IFLA_IPTUN_LINK, underlayIndex);
        }
        m.attrU8(Rt.IFLA_IPTUN_PMTUDISC, 1);
        m.endNest().endNest();
        return m.build();
    }

    /** RTM_NEWLINK on an existing index: flags/mtu/mac/name/namespace changes. */
    static MessageBuilder setLink(int index, int flags, int change) {
        return new MessageBuilder(Rt.RTM_NEWLINK, ACK_REQUEST).ifinfo(Rt.AF_UNSPEC, index, flags, change);
    }

    static byte[] deleteLink(int index) {
        return new MessageBuilder(Rt.RTM_DELLINK, ACK_REQUEST).ifinfo(Rt.AF_UNSPEC, index, 0, 0).build();
    }

    static Link decodeLink(ByteBuffer msg) {
        ByteBuffer b = msg.duplicate().order(ByteOrder.nativeOrder());
        int index = b.getInt(20);
        int flags = b.getInt(24);
        b.position(32);
        Attributes a = new Attributes(b);
        String kind = null;
        Link.Vxlan vxlan = null;
        Attributes info = a.nested(Rt.IFLA_LINKINFO);
        if (info != null) {
            kind = info.string(Rt.IFLA_INFO_KIND);
            Attributes data = info.nested(Rt.IFLA_INFO_DATA);
            if ("vxlan".equals(kind) && data != null) {
                InetAddress local = data.address(Rt.IFLA_VXLAN_LOCAL);
                if (local == null) {
                    local = data.address(Rt.IFLA_VXLAN_LOCAL6);
                }
                Integer learning = data.u8(Rt.IFLA_VXLAN_LEARNING);
                Integer port = data.be16(Rt.IFLA_VXLAN_PORT);
                Integer under = data.u32(Rt.IFLA_VXLAN_LINK);
                vxlan = new Link.Vxlan(nz(data.u32(Rt.IFLA_VXLAN_ID)), local, port == null ? 0 : port,
                        learning != null && learning != 0, nz(under));
            }
        }
        Link.Stats stats = null;
        ByteBuffer s = a.slice(Rt.IFLA_STATS64);
        if (s != null && s.remaining() >= 64) {
            stats = new Link.Stats(s.getLong(0), s.getLong(8), s.getLong(16), s.getLong(24), s.getLong(32),
                    s.getLong(40), s.getLong(48), s.getLong(56));
        }
        return new Link(index, a.string(Rt.IFLA_IFNAME), kind, nz(a.u32(Rt.IFLA_MTU)),
                Names.formatMac(a.bytes(Rt.IFLA_ADDRESS)), (flags & Rt.IFF_UP) != 0, nz(a.u32(Rt.IFLA_LINK)),
                a.u32(Rt.IFLA_LINK_NETNSID), stats, vxlan);
    }

    private static int nz(Integer v) {
        return v == null ? 0 : v;
    }

    // ---- addresses ----

    static byte[] address(short type, int index, PrefixedAddress addr, short flags) {
        byte[] raw = addr.address().getAddress();
        MessageBuilder m = new MessageBuilder(type, flags)
                .ifaddr(family(addr.address()), addr.prefixLength(), 0, 0, index)
                .attr(Rt.IFA_LOCAL, raw).attr(Rt.IFA_ADDRESS, raw);
        return m.build();
    }

    static byte[] dumpAddresses() {
        return new MessageBuilder(Rt.RTM_GETADDR, (short) (Rt.NLM_F_REQUEST | Rt.NLM_F_DUMP))
                .ifaddr(Rt.AF_UNSPEC, 0, 0, 0, 0).build();
    }

    static Address decodeAddress(ByteBuffer msg, IntFunction<String> names) {
        ByteBuffer b = msg.duplicate().order(ByteOrder.nativeOrder());
        int prefix = Byte.toUnsignedInt(b.get(17));
        int scope = Byte.toUnsignedInt(b.get(19));
        int index = b.getInt(20);
        b.position(24);
        Attributes a = new Attributes(b);
        InetAddress addr = a.address(Rt.IFA_LOCAL);
        if (addr == null) {
            addr = a.address(Rt.IFA_ADDRESS);
        }
        return new Address(names.apply(index), index, new PrefixedAddress(addr, prefix), scope);
    }

    // ---- routes ----

    static byte[] route(short type, short flags, Route r, Resolver resolver) throws NetlinkException {
        Cidr dst = r.destination();
        byte fam = family(dst.network());
        int rtFlags = r.onlink() ? Rt.RTNH_F_ONLINK : 0;
        int table = r.table();
        MessageBuilder m = new MessageBuilder(type, flags)
                .rtmsg(fam, dst.prefixLength(), table < 256 ? table : 252 /* RT_TABLE_COMPAT */, r.protocol(),
                        r.scope().code(), r.type().code(), rtFlags);
        m.attr(Rt.RTA_DST, dst.network().getAddress());
        if (table >= 256) {
            m.attrU32(Rt.RTA_TABLE, table);
        }
        if (r.gateway() != null) {
            if (family(r.gateway()) != fam) {
                throw new IllegalArgumentException("route " + r.describe() + ": gateway family differs from destination");
            }
            m.attr(Rt.RTA_GATEWAY, r.gateway().getAddress());
        }
        if (r.device() != null) {
            m.attrU32(Rt.RTA_OIF, resolver.index(r.device()));
        }
        if (r.metric() != null) {
            m.attrU32(Rt.RTA_PRIORITY, r.metric());
        }
        if (r.preferredSource() != null) {
            m.attr(Rt.RTA_PREFSRC, r.preferredSource().getAddress());
        }
        if (r.mtu() != null) {
            m.nest(Rt.RTA_METRICS).attrU32(Rt.RTAX_MTU, r.mtu()).endNest();
        }
        if (!r.nextHops().isEmpty()) {
            // rtnexthop entries: len, flags, hops (weight-1), ifindex, then RTA_GATEWAY
            m.nest(Rt.RTA_MULTIPATH);
            for (Route.NextHop h : r.nextHops()) {
                int gwLen = h.gateway() == null ? 0 : MessageBuilder.align(4 + h.gateway().getAddress().length);
                m.u16(8 + gwLen).u8(h.onlink() ? Rt.RTNH_F_ONLINK : 0).u8(h.weight() - 1)
                        .u32(h.device() == null ? 0 : resolver.index(h.device()));
                if (h.gateway() != null) {
                    m.attr(Rt.RTA_GATEWAY, h.gateway().getAddress());
                }
            }
            m.endNest();
        }
        return m.build();
    }

    static byte[] dumpRoutes(byte family) {
        return new MessageBuilder(Rt.RTM_GETROUTE, (short) (Rt.NLM_F_REQUEST | Rt.NLM_F_DUMP))
                .rtmsg(family, 0, 0, 0, 0, 0, 0).build();
    }

    static Route decodeRoute(ByteBuffer msg, IntFunction<String> names) {
        ByteBuffer b = msg.duplicate().order(ByteOrder.nativeOrder());
        int family = Byte.toUnsignedInt(b.get(16));
        int dstLen = Byte.toUnsignedInt(b.get(17));
        int table = Byte.toUnsignedInt(b.get(20));
        int protocol = Byte.toUnsignedInt(b.get(21));
        int scope = Byte.toUnsignedInt(b.get(22));
        int type = Byte.toUnsignedInt(b.get(23));
        int flags = b.getInt(24);
        b.position(28);
        Attributes a = new Attributes(b);
        Integer t32 = a.u32(Rt.RTA_TABLE);
        if (t32 != null) {
            table = t32;
        }
        InetAddress dst = a.address(Rt.RTA_DST);
        if (dst == null) {
            dst = family == Rt.AF_INET ? Inets.ANY4 : Inets.ANY6;
        }
        Integer oif = a.u32(Rt.RTA_OIF);
        Integer mtu = null;
        Attributes metrics = a.nested(Rt.RTA_METRICS);
        if (metrics != null) {
            mtu = metrics.u32(Rt.RTAX_MTU);
        }
        List<Route.NextHop> hops = new ArrayList<>();
        ByteBuffer mp = a.slice(Rt.RTA_MULTIPATH);
        if (mp != null) {
            while (mp.remaining() >= 8) {
                int at = mp.position();
                int len = Short.toUnsignedInt(mp.getShort(at));
                int hflags = Byte.toUnsignedInt(mp.get(at + 2));
                int weight = Byte.toUnsignedInt(mp.get(at + 3)) + 1;
                int ifindex = mp.getInt(at + 4);
                if (len < 8 || at + len > mp.limit()) {
                    break;
                }
                ByteBuffer attrs = mp.duplicate().order(ByteOrder.nativeOrder());
                attrs.limit(at + len).position(at + 8);
                InetAddress gw = new Attributes(attrs.slice().order(ByteOrder.nativeOrder())).address(Rt.RTA_GATEWAY);
                hops.add(new Route.NextHop(gw, ifindex == 0 ? null : names.apply(ifindex), weight,
                        (hflags & Rt.RTNH_F_ONLINK) != 0));
                mp.position(at + MessageBuilder.align(len));
            }
        }
        return new Route(new Cidr(dst, dstLen), a.address(Rt.RTA_GATEWAY), oif == null ? null : names.apply(oif),
                table, protocol, RouteType.of(type), RouteScope.of(scope), (flags & Rt.RTNH_F_ONLINK) != 0,
                a.u32(Rt.RTA_PRIORITY), mtu, a.address(Rt.RTA_PREFSRC), hops);
    }

    // ---- neighbours and FDB ----

    static byte[] neighbour(short type, short flags, int index, InetAddress ip, String mac, int state) {
        MessageBuilder m = new MessageBuilder(type, flags).ndmsg(family(ip), index, state, 0, 0)
                .attr(Rt.NDA_DST, ip.getAddress());
        if (mac != null) {
            m.attr(Rt.NDA_LLADDR, Names.parseMac(mac));
        }
        return m.build();
    }

    static byte[] fdb(short type, short flags, int index, String mac, InetAddress dst) {
        MessageBuilder m = new MessageBuilder(type, flags)
                .ndmsg(Rt.AF_BRIDGE, index, Rt.NUD_PERMANENT, Rt.NTF_SELF, 0)
                .attr(Rt.NDA_LLADDR, Names.parseMac(mac));
        if (dst != null) {
            m.attr(Rt.NDA_DST, dst.getAddress());
        }
        return m.build();
    }

    static byte[] dumpNeighbours(byte family) {
        return new MessageBuilder(Rt.RTM_GETNEIGH, (short) (Rt.NLM_F_REQUEST | Rt.NLM_F_DUMP))
                .ndmsg(family, 0, 0, 0, 0).build();
    }

    /** Decodes an RTM_NEWNEIGH; for AF_BRIDGE messages the result is an FDB entry. */
    static Object decodeNeighbour(ByteBuffer msg, IntFunction<String> names) {
        ByteBuffer b = msg.duplicate().order(ByteOrder.nativeOrder());
        int family = Byte.toUnsignedInt(b.get(16));
        int index = b.getInt(20);
        int state = Short.toUnsignedInt(b.getShort(24));
        b.position(28);
        Attributes a = new Attributes(b);
        String mac = Names.formatMac(a.bytes(Rt.NDA_LLADDR));
        if (family == Rt.AF_BRIDGE) {
            return new FdbEntry(names.apply(index), mac, a.address(Rt.NDA_DST));
        }
        return new Neighbour(names.apply(index), a.address(Rt.NDA_DST), mac, state);
    }
}
