package io.weft.api.model;

/**
 * Addresses inside IP pools that IPAM must never hand out, for example ones already used by
 * hardware on the pod network.
 */
public record IPReservation(ObjectMeta metadata, IPReservationSpec spec) implements Resource {

    /** A missing metadata or spec section reads as an empty one, so callers need not null-check. */
    public IPReservation {
        metadata = metadata == null ? ObjectMeta.EMPTY : metadata;
        spec = spec == null ? IPReservationSpec.EMPTY : spec;
    }

    @Override
    public ResourceKind<IPReservation> kind() {
        return ResourceKind.IP_RESERVATION;
    }

    public IPReservation withMetadata(ObjectMeta metadata) {
        return new IPReservation(metadata, spec);
    }

    public IPReservation withSpec(IPReservationSpec spec) {
        return new IPReservation(metadata, spec);
    }
}
