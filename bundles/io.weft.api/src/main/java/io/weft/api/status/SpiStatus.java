package io.weft.api.status;

import java.util.List;

/**
 * The providers currently registered for one SPI.
 *
 * @param spi       short SPI name, e.g. {@code datastore}
 * @param required  the node cannot do its job without one (datastore, IPAM)
 * @param providers active providers, highest ranking first (consumers bind the first)
 */
public record SpiStatus(String spi, boolean required, List<ProviderInfo> providers) {
    public SpiStatus {
        providers = List.copyOf(providers);
    }

    /** True when nothing provides this SPI. */
    public boolean missing() {
        return providers.isEmpty();
    }
}
