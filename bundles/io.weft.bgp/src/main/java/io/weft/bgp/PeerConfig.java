package io.weft.bgp;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * One neighbour.
 *
 * @param name                 unique name, as status shows it ({@code Mesh_10.0.0.2})
 * @param address              the peer's address
 * @param port                 the peer's port (179)
 * @param peerAs               the peer's AS; equal to the local AS means iBGP
 * @param localAs              AS to present on this session, or 0 for the speaker's
 * @param passive              never connect, only accept
 * @param routeReflectorClient reflect iBGP routes to this peer as a client (RFC 4456)
 * @param password             TCP MD5 password, or {@code null}; never logged, never shown
 * @param nextHopSelf          put our address as the next hop even on iBGP
 * @param keepNextHop          never rewrite the next hop, even on eBGP
 * @param ipv4                 exchange IPv4 unicast
 * @param ipv6                 exchange IPv6 unicast
 * @param ipv4NextHop          our IPv4 next hop when the session runs over IPv6, or {@code null}
 * @param ipv6NextHop          our IPv6 next hop when the session runs over IPv4, or {@code null}
 * @param maxPrefixes          accepted-prefix limit (Cease when exceeded), 0 for none
 * @param sourceAddress        local address for the connection, or {@code null}
 * @param importFilter         which learned routes to accept, or {@code null} for all
 * @param exportFilter         which routes to advertise, or {@code null} for all
 * @param ttlSecurityHops      GTSM (RFC 5082): send with TTL 255 and accept only packets that
 *                             crossed at most this many hops; 0 turns it off
 * @param exportCommunities    standard and large communities added to every route advertised to
 *                             this peer (after the export filter; those already there are not repeated)
 */
public record PeerConfig(String name, InetAddress address, int port, long peerAs, long localAs, boolean passive,
        boolean routeReflectorClient, String password, boolean nextHopSelf, boolean keepNextHop, boolean ipv4,
        boolean ipv6, InetAddress ipv4NextHop, InetAddress ipv6NextHop, int maxPrefixes, InetAddress sourceAddress,
        RouteFilter importFilter, RouteFilter exportFilter, int ttlSecurityHops,
        List<Community> exportCommunities) {

    public PeerConfig {
        exportCommunities = exportCommunities == null ? List.of() : List.copyOf(exportCommunities);
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        if (peerAs < 1 || peerAs > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("peer " + name + ": peerAs " + peerAs + " is out of range 1-4294967295");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("peer " + name + ": port " + port + " is out of range 1-65535");
        }
        if (password != null && (password.isEmpty() || password.length() > 80)) {
            throw new IllegalArgumentException("peer " + name + ": the MD5 password must be 1-80 characters (TCP_MD5SIG limit)");
        }
        if (maxPrefixes < 0) {
            throw new IllegalArgumentException("peer " + name + ": maxPrefixes must be 0 (no limit) or positive");
        }
        if (ttlSecurityHops < 0 || ttlSecurityHops > 254) {
            throw new IllegalArgumentException("peer " + name + ": ttlSecurityHops " + ttlSecurityHops
                    + " is out of range 0 (off) - 254");
        }
        if (!ipv4 && !ipv6) {
            throw new IllegalArgumentException("peer " + name + ": enable ipv4, ipv6 or both");
        }
    }

    /** A peer with defaults: port 179, IPv4 and IPv6, active, no password. */
    public static PeerConfig of(String name, InetAddress address, long peerAs) {
        return new PeerConfig(name, address, 179, peerAs, 0, false, false, null, false, false, true, true, null, null,
                0, null, null, null, 0, List.of());
    }

    public PeerConfig withPort(int p) {
        return new PeerConfig(name, address, p, peerAs, localAs, passive, routeReflectorClient, password, nextHopSelf,
                keepNextHop, ipv4, ipv6, ipv4NextHop, ipv6NextHop, maxPrefixes, sourceAddress, importFilter, exportFilter, ttlSecurityHops, exportCommunities);
    }

    public PeerConfig withPassive(boolean p) {
        return new PeerConfig(name, address, port, peerAs, localAs, p, routeReflectorClient, password, nextHopSelf,
                keepNextHop, ipv4, ipv6, ipv4NextHop, ipv6NextHop, maxPrefixes, sourceAddress, importFilter, exportFilter, ttlSecurityHops, exportCommunities);
    }

    public PeerConfig withRouteReflectorClient(boolean c) {
        return new PeerConfig(name, address, port, peerAs, localAs, passive, c, password, nextHopSelf, keepNextHop,
                ipv4, ipv6, ipv4NextHop, ipv6NextHop, maxPrefixes, sourceAddress, importFilter, exportFilter, ttlSecurityHops, exportCommunities);
    }

    public PeerConfig withPassword(String pw) {
        return new PeerConfig(name, address, port, peerAs, localAs, passive, routeReflectorClient, pw, nextHopSelf,
                keepNextHop, ipv4, ipv6, ipv4NextHop, ipv6NextHop, maxPrefixes, sourceAddress, importFilter, exportFilter, ttlSecurityHops, exportCommunities);
    }

    public PeerConfig withNextHop(boolean self, boolean keep) {
        return new PeerConfig(name, address, port, peerAs, localAs, passive, routeReflectorClient, password, self, keep,
                ipv4, ipv6, ipv4NextHop, ipv6NextHop, maxPrefixes, sourceAddress, importFilter, exportFilter, ttlSecurityHops, exportCommunities);
    }

    public PeerConfig withFamilies(boolean v4, boolean v6) {
        return new PeerConfig(name, address, port, peerAs, localAs, passive, routeReflectorClient, password, nextHopSelf,
                keepNextHop, v4, v6, ipv4NextHop, ipv6NextHop, maxPrefixes, sourceAddress, importFilter, exportFilter, ttlSecurityHops, exportCommunities);
    }

    public PeerConfig withNextHopAddresses(InetAddress v4, InetAddress v6) {
        return new PeerConfig(name, address, port, peerAs, localAs, passive, routeReflectorClient, password, nextHopSelf,
                keepNextHop, ipv4, ipv6, v4, v6, maxPrefixes, sourceAddress, importFilter, exportFilter, ttlSecurityHops, exportCommunities);
    }

    public PeerConfig withMaxPrefixes(int max) {
        return new PeerConfig(name, address, port, peerAs, localAs, passive, routeReflectorClient, password, nextHopSelf,
                keepNextHop, ipv4, ipv6, ipv4NextHop, ipv6NextHop, max, sourceAddress, importFilter, exportFilter, ttlSecurityHops, exportCommunities);
    }

    public PeerConfig withSourceAddress(InetAddress source) {
        return new PeerConfig(name, address, port, peerAs, localAs, passive, routeReflectorClient, password, nextHopSelf,
                keepNextHop, ipv4, ipv6, ipv4NextHop, ipv6NextHop, maxPrefixes, source, importFilter, exportFilter, ttlSecurityHops, exportCommunities);
    }

    public PeerConfig withFilters(RouteFilter in, RouteFilter out) {
        return new PeerConfig(name, address, port, peerAs, localAs, passive, routeReflectorClient, password, nextHopSelf,
                keepNextHop, ipv4, ipv6, ipv4NextHop, ipv6NextHop, maxPrefixes, sourceAddress, in, out, ttlSecurityHops, exportCommunities);
    }

    public PeerConfig withTtlSecurity(int hops) {
        return new PeerConfig(name, address, port, peerAs, localAs, passive, routeReflectorClient, password, nextHopSelf,
                keepNextHop, ipv4, ipv6, ipv4NextHop, ipv6NextHop, maxPrefixes, sourceAddress, importFilter, exportFilter,
                hops, exportCommunities);
    }

    public PeerConfig withExportCommunities(List<Community> communities) {
        return new PeerConfig(name, address, port, peerAs, localAs, passive, routeReflectorClient, password, nextHopSelf,
                keepNextHop, ipv4, ipv6, ipv4NextHop, ipv6NextHop, maxPrefixes, sourceAddress, importFilter, exportFilter,
                ttlSecurityHops, communities);
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "PeerConfig[" + name + " " + address.getHostAddress() + ":" + port + " AS" + peerAs
                + (password != null ? " md5" : "") + (passive ? " passive" : "") + (routeReflectorClient ? " rr-client" : "") + "]";
    }
}
