package io.weft.ipam.block;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.weft.api.datastore.DatastoreException;
import io.weft.api.model.IPAMConfig;
import io.weft.api.model.IPAMConfigSpec;
import io.weft.api.model.IPPool;
import io.weft.api.model.IPReservation;
import io.weft.api.model.ResourceKind;
import io.weft.api.net.Cidr;
import io.weft.api.resource.ResourceStore;

/**
 * What one IPAM call needs before it allocates: the pools, the cluster's IPAMConfig and the
 * reserved ranges. Immutable; {@link SettingsCache} keeps a current one from a watch, and
 * {@link #load} reads one fresh.
 */
final class IpamSettings {

    /** Calico's documented default when IPAMConfig leaves maxBlocksPerHost unset. */
    static final int DEFAULT_MAX_BLOCKS_PER_HOST = 20;

    private static final Logger LOG = LoggerFactory.getLogger(IpamSettings.class);

    final List<Pool> pools;
    final IPAMConfigSpec config;
    private final List<Reservation> reservations;

    private record Reservation(String name, Cidr cidr) {
    }

    private IpamSettings(List<Pool> pools, IPAMConfigSpec config, List<Reservation> reservations) {
        this.pools = pools;
        this.config = config;
        this.reservations = reservations;
    }

    static IpamSettings load(ResourceStore store) throws DatastoreException {
        return of(store.list(ResourceKind.IP_POOL, null),
                store.get(ResourceKind.IPAM_CONFIG, null, IPAMConfig.DEFAULT_NAME).orElse(null),
                store.list(ResourceKind.IP_RESERVATION, null));
    }

    /** The settings these resources make ({@code config} null when there is none). */
    static IpamSettings of(Collection<IPPool> pools, IPAMConfig config, Collection<IPReservation> reservations) {
        return new IpamSettings(usable(pools), config == null ? IPAMConfigSpec.DEFAULTS : config.spec(),
                reservations(reservations));
    }

    /** Every usable pool, sorted by name (Calico's order: the datastore lists by name). */
    static List<Pool> pools(ResourceStore store) throws DatastoreException {
        return usable(store.list(ResourceKind.IP_POOL, null));
    }

    private static List<Pool> usable(Collection<IPPool> pools) {
        List<Pool> out = new ArrayList<>();
        for (IPPool p : pools) {
            Pool pool = Pool.of(p);
            if (pool == null) {
                LOG.warn("IPPool \"{}\": cidr {} with blockSize {} cannot be cut into blocks; skipping it",
                        p.metadata().name(), p.spec().cidr(), p.spec().blockSize());
            } else {
                out.add(pool);
            }
        }
        out.sort(Comparator.comparing(Pool::name, Comparator.nullsFirst(Comparator.naturalOrder())));
        return out;
    }

    private static List<Reservation> reservations(Collection<IPReservation> reservations) {
        List<Reservation> out = new ArrayList<>();
        for (IPReservation r : reservations) {
            for (String text : r.spec().reservedCIDRs()) {
                try {
                    out.add(new Reservation(r.metadata().name(), Cidr.parse(text)));
                } catch (IllegalArgumentException e) {
                    LOG.warn("IPReservation \"{}\": ignoring {}", r.metadata().name(), e.getMessage());
                }
            }
        }
        return out;
    }

    /** True if {@code other} holds the same pools (at the same versions), IPAMConfig and reservations. */
    boolean sameAs(IpamSettings other) {
        return other != null && pools.equals(other.pools) && config.equals(other.config)
                && reservations.equals(other.reservations);
    }

    /** 0 for no limit. */
    int maxBlocksPerHost() {
        Integer max = config.maxBlocksPerHost();
        return max == null ? DEFAULT_MAX_BLOCKS_PER_HOST : max;
    }

    boolean reserved(InetAddress address) {
        for (Reservation r : reservations) {
            if (r.cidr().contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** The reservation that covers {@code address}, by name. */
    Optional<String> reservationOf(InetAddress address) {
        return reservations.stream().filter(r -> r.cidr().contains(address)).map(Reservation::name).findFirst();
    }

    /** True if every address of {@code block} is reserved: claiming it would be pointless. */
    boolean fullyReserved(Cidr block) {
        for (Reservation r : reservations) {
            if (r.cidr().contains(block)) {
                return true;
            }
        }
        return false;
    }

    Optional<Pool> poolOf(InetAddress address) {
        return pools.stream().filter(p -> p.contains(address)).findFirst();
    }
}
