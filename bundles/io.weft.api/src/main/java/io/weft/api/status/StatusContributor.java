package io.weft.api.status;

import org.osgi.annotation.versioning.ConsumerType;

/** A component that reports its health; every registered contributor appears in {@code weft:status}. */
@ConsumerType
public interface StatusContributor {
    /** Current status; cheap (no I/O): called on every status request. */
    ComponentStatus status();
}
