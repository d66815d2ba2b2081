package io.weft.netlink.internal;

/** rtnetlink numbers from linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/neighbour.h. */
public final class Rt {
    private Rt() {
    }

    // message types
    public static final short NLMSG_NOOP = 1, NLMSG_ERROR = 2, NLMSG_DONE = 3, NLMSG_OVERRUN = 4;
    public static final short RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18, RTM_SETLINK = 19;
    public static final short RTM_NEWADDR = 20, RTM_DELADDR = 21, RTM_GETADDR = 22;
    public static final short RTM_NEWROUTE = 24, RTM_DELROUTE = 25, RTM_GETROUTE = 26;
    public static final short RTM_NEWNEIGH = 28, RTM_DELNEIGH = 29, RTM_GETNEIGH = 30;

    // header flags
    public static final short NLM_F_REQUEST = 0x1, NLM_F_MULTI = 0x2, NLM_F_ACK = 0x4;
    public static final short NLM_F_ROOT = 0x100, NLM_F_MATCH = 0x200, NLM_F_DUMP = 0x300;
    public static final short NLM_F_REPLACE = 0x100, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400, NLM_F_APPEND = 0x800;
    public static final short NLM_F_CAPPED = 0x100, NLM_F_ACK_TLVS = 0x200;
    public static final int NLMSGERR_ATTR_MSG = 1;

    // address families
    public static final byte AF_UNSPEC = 0, AF_INET = 2, AF_BRIDGE = 7, AF_INET6 = 10;

    // link attributes
    public static final short IFLA_ADDRESS = 1, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_LINK = 5, IFLA_MASTER = 10;
    public static final short IFLA_OPERSTATE = 16, IFLA_LINKINFO = 18, IFLA_NET_NS_FD = 28, IFLA_STATS64 = 23;
    public static final short IFLA_LINK_NETNSID = 37;
    public static final short IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2;
    public static final short VETH_INFO_PEER = 1;
    public static final short IFLA_VXLAN_ID = 1, IFLA_VXLAN_LINK = 3, IFLA_VXLAN_LOCAL = 4, IFLA_VXLAN_LEARNING = 7,
            IFLA_VXLAN_PORT = 15, IFLA_VXLAN_LOCAL6 = 17;
    public static final short IFLA_IPTUN_LINK = 1, IFLA_IPTUN_LOCAL = 2, IFLA_IPTUN_REMOTE = 3, IFLA_IPTUN_TTL = 4,
            IFLA_IPTUN_PMTUDISC = 10;
    public static final int IFF_UP = 0x1;

    // address attributes
    public static final short IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_LABEL = 3, IFA_FLAGS = 8;

    // route
    public static final short RTA_DST = 1, RTA_OIF = 4, RTA_GATEWAY = 5, RTA_PRIORITY = 6, RTA_PREFSRC = 7,
            RTA_METRICS = 8, RTA_MULTIPATH = 9, RTA_TABLE = 15;
    public static final short RTAX_MTU = 2;
    public static final int RTNH_F_ONLINK = 4;
    public static final int RT_TABLE_MAIN = 254;

    // neighbours
    public static final short NDA_DST = 1, NDA_LLADDR = 2, NDA_MASTER = 9;
    public static final short NUD_REACHABLE = 0x02, NUD_STALE = 0x04, NUD_NOARP = 0x40, NUD_PERMANENT = 0x80;
    public static final byte NTF_SELF = 0x02, NTF_MASTER = 0x04;

    // multicast groups (legacy bitmask, bind-time)
    public static final int RTMGRP_LINK = 0x1, RTMGRP_NEIGH = 0x4, RTMGRP_IPV4_IFADDR = 0x10,
            RTMGRP_IPV4_ROUTE = 0x40, RTMGRP_IPV6_IFADDR = 0x100, RTMGRP_IPV6_ROUTE = 0x400;
}
