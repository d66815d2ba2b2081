package io.weft.api.model;

import java.util.List;

/**
 * Communities to attach when advertising routes inside {@code cidr}.
 *
 * @param communities names from {@code BGPConfiguration.spec.communities} or literal values
 */
public record PrefixAdvertisement(String cidr, List<String> communities) {

    public PrefixAdvertisement {
        communities = Copies.list(communities);
    }
}
