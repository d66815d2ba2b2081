package io.weft.netlink;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.weft.api.net.PrefixedAddress;
import io.weft.netlink.internal.Rt;

/**
 * Many requests pipelined on one socket: sent in chunks, each ACK matched to its request.
 * Device names are resolved once per batch. Requests are independent: one failing does not
 * stop the others, and {@link #execute()} reports each failure.
 */
public final class Batch {

    private final RtNetlink netlink;
    private final List<byte[]> messages = new ArrayList<>();
    /** Describes request i in words; built only when a request fails (hot path for 100k routes). */
    private final List<java.util.function.Supplier<String>> descriptions = new ArrayList<>();
    private final Map<String, Integer> indexes = new HashMap<>();

    Batch(RtNetlink netlink) {
        this.netlink = netlink;
    }

    private int index(String device) throws NetlinkException {
        Integer i = indexes.get(device);
        if (i == null) {
            i = netlink.linkIndex(device);
            indexes.put(device, i);
        }
        return i;
    }

    private Batch add(byte[] message, java.util.function.Supplier<String> description) {
        messages.add(message);
        descriptions.add(description);
        return this;
    }

    public Batch addRoute(Route route) throws NetlinkException {
        return add(Codec.route(Rt.RTM_NEWROUTE, Codec.CREATE, route, this::index), () -> "route add " + route.describe());
    }

    public Batch replaceRoute(Route route) throws NetlinkException {
        return add(Codec.route(Rt.RTM_NEWROUTE, Codec.REPLACE, route, this::index), () -> "route replace " + route.describe());
    }

    public Batch deleteRoute(Route route) throws NetlinkException {
        return add(Codec.route(Rt.RTM_DELROUTE, Codec.ACK_REQUEST, route, this::index), () -> "route del " + route.describe());
    }

    public Batch addAddress(String device, PrefixedAddress address) throws NetlinkException {
        return add(Codec.address(Rt.RTM_NEWADDR, index(device), address, Codec.CREATE),
                () -> "address add " + address + " dev " + device);
    }

    public Batch replaceNeighbour(Neighbour n) throws NetlinkException {
        return add(Codec.neighbour(Rt.RTM_NEWNEIGH, Codec.REPLACE, index(n.device()), n.address(), n.mac(), n.state()),
                () -> "neigh replace " + n.address().getHostAddress() + " dev " + n.device());
    }

    public Batch deleteNeighbour(Neighbour n) throws NetlinkException {
        return add(Codec.neighbour(Rt.RTM_DELNEIGH, Codec.ACK_REQUEST, index(n.device()), n.address(), null, 0),
                () -> "neigh del " + n.address().getHostAddress() + " dev " + n.device());
    }

    public Batch replaceFdb(FdbEntry e) throws NetlinkException {
        return add(Codec.fdb(Rt.RTM_NEWNEIGH, Codec.REPLACE, index(e.device()), e.mac(), e.destination()),
                () -> "fdb replace " + e.mac() + " dev " + e.device());
    }

    public Batch deleteFdb(FdbEntry e) throws NetlinkException {
        return add(Codec.fdb(Rt.RTM_DELNEIGH, Codec.ACK_REQUEST, index(e.device()), e.mac(), e.destination()),
                () -> "fdb del " + e.mac() + " dev " + e.device());
    }

    public int size() {
        return messages.size();
    }

    /** Sends everything queued and clears the batch. */
    public Result execute() throws NetlinkException {
        List<java.util.function.Supplier<String>> what = List.copyOf(descriptions);
        NetlinkException[] errors = netlink.execute(messages, i -> what.get(i).get() + netlink.where());
        messages.clear();
        descriptions.clear();
        List<NetlinkException> failures = new ArrayList<>();
        for (NetlinkException e : errors) {
            if (e != null) {
                failures.add(e);
            }
        }
        return new Result(errors.length, failures);
    }

    /** What a batch did. */
    public record Result(int requests, List<NetlinkException> failures) {
        public Result {
            failures = List.copyOf(failures);
        }

        public boolean ok() {
            return failures.isEmpty();
        }

        /** Throws the first failure, with the count of others in its message. */
        public void throwIfFailed() throws NetlinkException {
            if (!failures.isEmpty()) {
                NetlinkException first = failures.get(0);
                if (failures.size() == 1) {
                    throw first;
                }
                throw new NetlinkException(first.getMessage() + " (and " + (failures.size() - 1)
                        + " more of " + requests + " requests failed)", first);
            }
        }
    }
}
