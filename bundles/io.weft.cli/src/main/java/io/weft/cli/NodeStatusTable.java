package io.weft.cli;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import io.weft.api.bgp.BgpNodeStatus;
import io.weft.api.net.Cidr;

/**
 * {@code node status} as calicoctl prints it: a line saying the process runs, then per address
 * family {@code IPv4 BGP status} with the bordered peer table ({@code PEER ADDRESS | PEER TYPE |
 * STATE | SINCE | INFO}) or {@code No IPv4 peers found.}, and a blank line at the end. Plain, so
 * it is tested against golden text.
 */
final class NodeStatusTable {
    /** BIRD's {@code iso short} time format prints the time of day for changes younger than this, else the date. */
    static final Duration TIME_OF_DAY_LIMIT = Duration.ofHours(20);
    private static final DateTimeFormatter TIME_OF_DAY = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd");

    private NodeStatusTable() {
    }

    /** The whole report; {@code now} and {@code zone} decide how SINCE is written. */
    static String render(BgpNodeStatus status, Instant now, ZoneId zone) {
        StringBuilder out = new StringBuilder("Weft process is running.\n");
        family(out, "4", status.peers().stream().filter(p -> !p.ipv6()).toList(), now, zone);
        family(out, "6", status.peers().stream().filter(BgpNodeStatus.Peer::ipv6).toList(), now, zone);
        return out.append('\n').toString();
    }

    private static void family(StringBuilder out, String version, List<BgpNodeStatus.Peer> peers, Instant now, ZoneId zone) {
        out.append("\nIPv").append(version).append(" BGP status\n");
        if (peers.isEmpty()) {
            out.append("No IPv").append(version).append(" peers found.\n");
            return;
        }
        BorderedTable table = new BorderedTable("PEER ADDRESS", "PEER TYPE", "STATE", "SINCE", "INFO");
        for (BgpNodeStatus.Peer p : peers.stream().sorted(BY_ADDRESS).toList()) {
            table.add(p.address(), p.type().display(), state(p), since(p.since(), now, zone), info(p));
        }
        out.append(table.render());
    }

    /** BIRD's protocol state: {@code up} while established, {@code start} while it tries. */
    static String state(BgpNodeStatus.Peer p) {
        return p.established() ? "up" : "start";
    }

    /** The BGP state, and for a session that is not up the last error, as BIRD's info column has them. */
    static String info(BgpNodeStatus.Peer p) {
        if (p.established() || p.lastError().isEmpty()) {
            return p.state();
        }
        return p.state() + " " + p.lastError();
    }

    /** As BIRD prints a protocol's last change: {@code 04:01:17} within 20 hours, else {@code 2026-04-30}. */
    static String since(Instant since, Instant now, ZoneId zone) {
        if (since == null) {
            return "";
        }
        boolean recent = Duration.between(since, now).compareTo(TIME_OF_DAY_LIMIT) < 0;
        return (recent ? TIME_OF_DAY : DATE).format(since.atZone(zone));
    }

    /** Numeric address order, as the table of a mesh is easiest to scan. */
    private static final Comparator<BgpNodeStatus.Peer> BY_ADDRESS = Comparator.comparing(
            (BgpNodeStatus.Peer p) -> bytes(p.address()), Arrays::compareUnsigned).thenComparing(BgpNodeStatus.Peer::name);

    private static byte[] bytes(String address) {
        try {
            InetAddress a = Cidr.parseAddress(address);
            return a.getAddress();
        } catch (RuntimeException e) {
            return new byte[0]; // unreadable addresses first rather than no table at all
        }
    }
}
