package io.weft.bgp.internal;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.weft.api.net.Cidr;
import io.weft.api.routing.RouteSink;
import io.weft.api.routing.RouteSource;
import io.weft.bgp.BgpSpeaker;
import io.weft.bgp.Community;
import io.weft.bgp.PeerConfig;
import io.weft.bgp.SpeakerConfig;

/**
 * The speaker as a service: configured under PID {@code io.weft.bgp}, it advertises what every
 * {@link RouteSource} offers and hands learned best paths to every {@link RouteSink}; both come
 * and go at runtime. Peers come from the configuration for now (sessions derived from
 * BGPPeer/Node resources by the peering topologies are the next step).
 */
@Component(service = {}, configurationPid = "io.weft.bgp", configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true)
@Designate(ocd = BgpSpeakerComponent.Config.class)
public final class BgpSpeakerComponent {

    @ObjectClassDefinition(name = "Weft BGP speaker", description = "Weft's BGP-4 speaker (io.weft.bgp)")
    public @interface Config {
        @AttributeDefinition(description = "BGP identifier, an IPv4 address (the node's)")
        String routerId();

        @AttributeDefinition(description = "local AS number (Calico's default is 64512)")
        long asNumber() default 64512;

        @AttributeDefinition(description = "TCP port to accept sessions on; 0 accepts none")
        int port() default 179;

        @AttributeDefinition(description = "address to listen on; empty for all")
        String listenAddress() default "";

        @AttributeDefinition(description = "route-reflector cluster id (IPv4 form); empty when not a reflector")
        String clusterId() default "";

        @AttributeDefinition(description = "graceful-restart time advertised, seconds; -1 to not offer it")
        int gracefulRestartSeconds() default 120;

        @AttributeDefinition(description = "hold time offered, seconds (0 or 3-65535)")
        int holdTimeSeconds() default 90;

        @AttributeDefinition(description = "peers, one per entry: 'NAME ADDRESS AS [passive] [rr-client] [next-hop-self] [export-community=65000:100]...'")
        String[] peers() default {};
    }

    private final BgpSpeaker speaker;
    private final Map<RouteSource, AutoCloseable> sources = new ConcurrentHashMap<>();
    private final Map<RouteSink, AutoCloseable> sinks = new ConcurrentHashMap<>();

    @Activate
    public BgpSpeakerComponent(Config config) throws InterruptedException {
        SpeakerConfig sc = speakerConfig(config);
        List<PeerConfig> peers = new ArrayList<>();
        for (String p : config.peers()) {
            peers.add(parsePeer(p));
        }
        speaker = BgpSpeaker.start(sc);
        try {
            for (PeerConfig p : peers) {
                speaker.addPeer(p);
            }
        } catch (RuntimeException e) {
            speaker.close();
            throw e;
        }
    }

    static SpeakerConfig speakerConfig(Config c) {
        if (c.routerId() == null || c.routerId().isBlank()) {
            throw new IllegalArgumentException("io.weft.bgp: routerId is required (the node's IPv4 address)");
        }
        SpeakerConfig sc = SpeakerConfig.of(address("routerId", c.routerId()), c.asNumber()).withPort(c.port())
                .withTimers(Duration.ofSeconds(c.holdTimeSeconds()), null)
                .withGracefulRestart(c.gracefulRestartSeconds() < 0 ? null : Duration.ofSeconds(c.gracefulRestartSeconds()), false);
        if (!c.listenAddress().isBlank()) {
            sc = sc.withListenAddress(address("listenAddress", c.listenAddress()));
        }
        if (!c.clusterId().isBlank()) {
            sc = sc.withClusterId(address("clusterId", c.clusterId()));
        }
        return sc;
    }

    /** {@code NAME ADDRESS AS [passive] [rr-client] [next-hop-self] [export-community=C]...} */
    static PeerConfig parsePeer(String entry) {
        String[] f = entry.trim().split("\\s+");
        if (f.length < 3) {
            throw new IllegalArgumentException("io.weft.bgp: peer '" + entry
                    + "' needs at least NAME ADDRESS AS, e.g. 'Global_10.0.0.2 10.0.0.2 65002 passive'");
        }
        long as;
        try {
            as = Long.parseLong(f[2]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("io.weft.bgp: peer '" + entry + "': AS '" + f[2] + "' is not a number");
        }
        PeerConfig p = PeerConfig.of(f[0], address("peer " + f[0] + " address", f[1]), as);
        List<Community> exportCommunities = new ArrayList<>();
        for (int i = 3; i < f.length; i++) {
            if (f[i].startsWith("export-community=")) {
                try {
                    exportCommunities.add(Community.parse(f[i].substring("export-community=".length())));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("io.weft.bgp: peer '" + entry + "': " + e.getMessage(), e);
                }
                continue;
            }
            switch (f[i]) {
                case "passive" -> p = p.withPassive(true);
                case "rr-client" -> p = p.withRouteReflectorClient(true);
                case "next-hop-self" -> p = p.withNextHop(true, false);
                default -> throw new IllegalArgumentException("io.weft.bgp: peer '" + entry + "': unknown option '" + f[i]
                        + "' (use passive, rr-client, next-hop-self, export-community=65000:100)");
            }
        }
        return exportCommunities.isEmpty() ? p : p.withExportCommunities(exportCommunities);
    }

    private static InetAddress address(String field, String text) {
        try {
            return Cidr.parseAddress(text.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("io.weft.bgp: " + field + " '" + text + "' is not an IP address");
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindSource(RouteSource source) {
        sources.put(source, speaker.subscribe(source));
    }

    void unbindSource(RouteSource source) {
        closeQuietly(sources.remove(source));
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindSink(RouteSink sink) {
        sinks.put(sink, speaker.addSink(sink));
    }

    void unbindSink(RouteSink sink) {
        closeQuietly(sinks.remove(sink));
    }

    BgpSpeaker speaker() {
        return speaker;
    }

    @Deactivate
    void deactivate() {
        sources.values().forEach(BgpSpeakerComponent::closeQuietly);
        sinks.values().forEach(BgpSpeakerComponent::closeQuietly);
        speaker.close();
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                SpeakerCore.LOG.warn("closing a route subscription: {}", e.toString());
            }
        }
    }
}
