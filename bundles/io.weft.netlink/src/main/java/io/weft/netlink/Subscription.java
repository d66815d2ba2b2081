package io.weft.netlink;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import io.weft.netlink.internal.Errno;
import io.weft.netlink.internal.MessageBuilder;
import io.weft.netlink.internal.NetlinkSocket;
import io.weft.netlink.internal.Rt;

/**
 * Kernel change notifications of one namespace (rtnetlink multicast groups), decoded and handed
 * to a listener on a dedicated thread, in the order the kernel sent them. The agent uses them to
 * repair drift (a route deleted by hand) before the next periodic resync.
 *
 * <p>If the kernel drops notifications because the listener fell behind (ENOBUFS), the listener
 * receives an {@link Event} of kind {@link Kind#OVERFLOW}: it must then re-read the state.
 */
public final class Subscription implements AutoCloseable {

    /** What changed. */
    public enum Kind { LINK, ADDRESS, ROUTE, NEIGHBOUR, OVERFLOW }

    /**
     * One change.
     *
     * @param kind    what kind of object
     * @param deleted true for RTM_DEL* messages
     * @param subject the decoded {@link Link}, {@link Address}, {@link Route}, {@link Neighbour} or
     *                {@link FdbEntry}; {@code null} for OVERFLOW
     */
    public record Event(Kind kind, boolean deleted, Object subject) {
    }

    private final NetlinkSocket socket;
    private final RtNetlink lookups;
    private final Thread reader;
    private final Map<Integer, String> names = new ConcurrentHashMap<>();

    private Subscription(NetlinkSocket socket, RtNetlink lookups, Consumer<Event> listener, String threadName) {
        this.socket = socket;
        this.lookups = lookups;
        this.reader = new Thread(() -> read(listener), threadName);
        reader.setDaemon(true);
    }

    /** Subscribes to {@code kinds} of changes in {@code netns}. */
    public static Subscription open(Netns netns, Set<Kind> kinds, Consumer<Event> listener) throws NetlinkException {
        int groups = 0;
        for (Kind k : kinds.isEmpty() ? EnumSet.allOf(Kind.class) : kinds) {
            groups |= switch (k) {
                case LINK -> Rt.RTMGRP_LINK;
                case ADDRESS -> Rt.RTMGRP_IPV4_IFADDR | Rt.RTMGRP_IPV6_IFADDR;
                case ROUTE -> Rt.RTMGRP_IPV4_ROUTE | Rt.RTMGRP_IPV6_ROUTE;
                case NEIGHBOUR -> Rt.RTMGRP_NEIGH;
                case OVERFLOW -> 0;
            };
        }
        int g = groups;
        NetlinkSocket socket = netns.call(() -> NetlinkSocket.open(g));
        RtNetlink lookups;
        try {
            socket.setReceiveTimeout(500);
            lookups = RtNetlink.open(netns);
        } catch (NetlinkException e) {
            socket.close();
            throw e;
        }
        Subscription s = new Subscription(socket, lookups, listener, "weft-netlink-events-"
                + (netns.path() == null ? "host" : netns.path().getFileName()));
        for (Link l : lookups.links()) {
            s.names.put(l.index(), l.name());
        }
        s.reader.start();
        return s;
    }

    private void read(Consumer<Event> listener) {
        while (!socket.isClosed()) {
            ByteBuffer msgs;
            try {
                msgs = socket.receiveNotifications();
            } catch (NetlinkException e) {
                if (e.errno() == Errno.ENOBUFS) {
                    deliver(listener, new Event(Kind.OVERFLOW, false, null));
                    continue;
                }
                if (socket.isClosed()) {
                    return;
                }
                deliver(listener, new Event(Kind.OVERFLOW, false, null));
                continue;
            }
            while (msgs.remaining() >= 16) {
                int at = msgs.position();
                int len = msgs.getInt(at);
                if (len < 16 || at + len > msgs.limit()) {
                    break;
                }
                ByteBuffer one = msgs.duplicate().order(msgs.order());
                one.limit(at + len).position(at);
                Event e = decode(one.slice().order(msgs.order()));
                if (e != null) {
                    deliver(listener, e);
                }
                msgs.position(at + MessageBuilder.align(len));
            }
        }
    }

    private Event decode(ByteBuffer m) {
        short type = m.getShort(4);
        switch (type) {
            case Rt.RTM_NEWLINK, Rt.RTM_DELLINK -> {
                Link l = Codec.decodeLink(m);
                if (type == Rt.RTM_DELLINK) {
                    names.remove(l.index());
                } else {
                    names.put(l.index(), l.name());
                }
                return new Event(Kind.LINK, type == Rt.RTM_DELLINK, l);
            }
            case Rt.RTM_NEWADDR, Rt.RTM_DELADDR -> {
                return new Event(Kind.ADDRESS, type == Rt.RTM_DELADDR, Codec.decodeAddress(m, this::name));
            }
            case Rt.RTM_NEWROUTE, Rt.RTM_DELROUTE -> {
                return new Event(Kind.ROUTE, type == Rt.RTM_DELROUTE, Codec.decodeRoute(m, this::name));
            }
            case Rt.RTM_NEWNEIGH, Rt.RTM_DELNEIGH -> {
                return new Event(Kind.NEIGHBOUR, type == Rt.RTM_DELNEIGH, Codec.decodeNeighbour(m, this::name));
            }
            default -> {
                return null;
            }
        }
    }

    private String name(int index) {
        String n = names.get(index);
        if (n == null) {
            try {
                for (Link l : lookups.links()) {
                    names.put(l.index(), l.name());
                }
            } catch (NetlinkException e) {
                // keep the numeric name below
            }
            n = names.getOrDefault(index, "if" + index);
        }
        return n;
    }

    private static void deliver(Consumer<Event> listener, Event e) {
        try {
            listener.accept(e);
        } catch (RuntimeException ex) {
            System.getLogger(Subscription.class.getName()).log(System.Logger.Level.WARNING,
                    "netlink event listener failed on " + e, ex);
        }
    }

    @Override
    public void close() {
        socket.close();
        lookups.close();
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
