package io.weft.bgp;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * The speaker's own settings.
 *
 * @param routerId             BGP identifier (an IPv4 address), unique in the AS
 * @param localAs              this speaker's AS (4-octet capable)
 * @param listenAddress        where to accept sessions, or {@code null} for the wildcard address
 * @param port                 TCP port to listen on (179); 0 to accept no connections (active only)
 * @param clusterId            route-reflector cluster id, or {@code null} when this speaker does not reflect
 * @param holdTime             hold time offered in OPEN (90 s; 0 disables keepalives)
 * @param connectRetry         wait between connection attempts (RFC 4271 suggests 120 s; BIRD uses 5 s)
 * @param gracefulRestartTime  restart time advertised (RFC 4724), or {@code null} to not offer graceful restart
 * @param restarting           set the Restart State bit: this speaker restarted and peers should keep its routes
 */
public record SpeakerConfig(InetAddress routerId, long localAs, InetAddress listenAddress, int port,
        InetAddress clusterId, Duration holdTime, Duration connectRetry, Duration gracefulRestartTime,
        boolean restarting) {

    public SpeakerConfig {
        Objects.requireNonNull(routerId, "routerId");
        if (routerId.getAddress().length != 4) {
            throw new IllegalArgumentException("routerId " + routerId.getHostAddress()
                    + " is not an IPv4 address; a BGP identifier is 4 bytes (use the node's IPv4 address)");
        }
        if (localAs < 1 || localAs > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("localAs " + localAs + " is out of range 1-4294967295");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range 0-65535");
        }
        if (clusterId != null && clusterId.getAddress().length != 4) {
            throw new IllegalArgumentException("clusterId must be an IPv4-formatted id such as 224.0.0.1");
        }
        holdTime = holdTime == null ? Duration.ofSeconds(90) : holdTime;
        long hold = holdTime.toSeconds();
        if (hold != 0 && (hold < 3 || hold > 65535)) {
            throw new IllegalArgumentException("holdTime " + hold + " s is invalid: use 0 or 3-65535 s");
        }
        connectRetry = connectRetry == null ? Duration.ofSeconds(5) : connectRetry;
        if (gracefulRestartTime != null && (gracefulRestartTime.toSeconds() < 0 || gracefulRestartTime.toSeconds() > 4095)) {
            throw new IllegalArgumentException("gracefulRestartTime must be 0-4095 s (12 bits in the capability)");
        }
    }

    /** Defaults as Calico's BIRD configuration has them: port 179, hold 90 s, graceful restart 120 s. */
    public static SpeakerConfig of(InetAddress routerId, long localAs) {
        return new SpeakerConfig(routerId, localAs, null, 179, null, null, null, Duration.ofSeconds(120), false);
    }

    public SpeakerConfig withPort(int newPort) {
        return new SpeakerConfig(routerId, localAs, listenAddress, newPort, clusterId, holdTime, connectRetry,
                gracefulRestartTime, restarting);
    }

    public SpeakerConfig withListenAddress(InetAddress address) {
        return new SpeakerConfig(routerId, localAs, address, port, clusterId, holdTime, connectRetry,
                gracefulRestartTime, restarting);
    }

    public SpeakerConfig withClusterId(InetAddress id) {
        return new SpeakerConfig(routerId, localAs, listenAddress, port, id, holdTime, connectRetry,
                gracefulRestartTime, restarting);
    }

    public SpeakerConfig withTimers(Duration hold, Duration retry) {
        return new SpeakerConfig(routerId, localAs, listenAddress, port, clusterId, hold, retry,
                gracefulRestartTime, restarting);
    }

    public SpeakerConfig withGracefulRestart(Duration time, boolean restartingNow) {
        return new SpeakerConfig(routerId, localAs, listenAddress, port, clusterId, holdTime, connectRetry, time,
                restartingNow);
    }
}
