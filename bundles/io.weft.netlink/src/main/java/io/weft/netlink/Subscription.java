package io.weft.netlink;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

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
 *
 * <p>{@link #pause()} stops the kernel sending notifications at once without closing anything
 * (a program about to write a million routes does not want each one echoed back);
 * {@link #resume()} starts them again, and the caller re-reads what changed meanwhile.
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

    /** How long a blocked read lasts: bounds how long {@link #close()} waits for the reader. */
    private static final int READ_TIMEOUT_MS = 250;

    private final NetlinkSocket socket;
    private final RtNetlink lookups;
    /** The RTNLGRP_* numbers this subscription listens to. */
    private final int[] groups;
    private final Thread reader;
    private final Map<Integer, String> names = new ConcurrentHashMap<>();
    private volatile boolean closing;

    private Subscription(NetlinkSocket socket, RtNetlink lookups, int[] groups, Consumer<Event> listener,
            String threadName) {
        this.socket = socket;
        this.lookups = lookups;
        this.groups = groups;
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
            socket.setReceiveTimeout(READ_TIMEOUT_MS);
            lookups = RtNetlink.open(netns);
        } catch (NetlinkException e) {
            socket.close();
            throw e;
        }
        Subscription s = new Subscription(socket, lookups, groupNumbers(g), listener, "weft-netlink-events-"
                + (netns.path() == null ? "host" : netns.path().getFileName()));
        try {
            for (Link l : lookups.links()) {
                s.names.put(l.index(), l.name());
            }
        } catch (NetlinkException | RuntimeException e) {
            socket.close();
            lookups.close();
            throw e;
        }
        s.reader.start();
        return s;
    }

    /** RTMGRP_* bits to RTNLGRP_* numbers: bit i is group i + 1. */
    private static int[] groupNumbers(int bits) {
        return java.util.stream.IntStream.range(0, 32).filter(i -> (bits & (1 << i)) != 0).map(i -> i + 1).toArray();
    }

    /**
     * Stops the kernel sending this subscription's notifications, from now on; those it queued
     * already are still delivered. Nothing is closed: {@link #resume()} starts them again.
     */
    public void pause() throws NetlinkException {
        for (int g : groups) {
            socket.membership(g, false);
        }
    }

    /**
     * Starts notifications again after {@link #pause()}. What changed while paused is not told:
     * the caller re-reads the state it cares about after this returns.
     */
    public void resume() throws NetlinkException {
        for (int g : groups) {
            socket.membership(g, true);
        }
    }

    private void read(Consumer<Event> listener) {
        try {
            readUntilClosed(listener);
        } finally {
            // the reader closes its own socket: a descriptor closed under a blocked read could be
            // reused by another open before the read loop looked again, and read someone else's data
            socket.close();
            lookups.close();
        }
    }

    private void readUntilClosed(Consumer<Event> listener) {
        while (!closing) {
            ByteBuffer msgs;
            try {
                msgs = socket.receiveNotifications();
            } catch (NetlinkException e) {
                if (closing) {
                    return;
                }
                deliver(listener, new Event(Kind.OVERFLOW, false, null)); // ENOBUFS or worse: re-read
                continue;
            }
            while (msgs.remaining() >= 16 && !closing) {
                int at = msgs.position();
                int len = msgs.getInt(at);
                if (len < 16 || at + len > msgs.limit()) {
                    break;
                }
                ByteBuffer one = msgs.duplicate().order(msgs.order());
                one.limit(at + len).position(at);
                Event e;
                try {
                    e = decode(one.slice().order(msgs.order()));
                } catch (RuntimeException undecodable) {
                    // one message the codec cannot read must not end the subscription
                    System.getLogger(Subscription.class.getName()).log(System.Logger.Level.WARNING,
                            "undecodable netlink notification skipped: " + undecodable);
                    e = null;
                }
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

    /**
     * Stops notifications and ends the reader: no event is delivered after this returns, unless
     * the listener itself calls it or is stuck (the reader then ends after its current event).
     */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        try {
            pause(); // before closing is set: until then the reader keeps the socket open
        } catch (NetlinkException e) {
            // the reader ends within READ_TIMEOUT_MS anyway
        }
        closing = true;
        if (Thread.currentThread() == reader) {
            return;
        }
        try {
            reader.join(READ_TIMEOUT_MS * 8L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
