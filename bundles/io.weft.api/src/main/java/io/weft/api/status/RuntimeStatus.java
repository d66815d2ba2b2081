package io.weft.api.status;

import org.osgi.annotation.versioning.ProviderType;

/** The node runtime's view of itself: which providers are live for each SPI, and component health. */
@ProviderType
public interface RuntimeStatus {
    RuntimeReport report();
}
