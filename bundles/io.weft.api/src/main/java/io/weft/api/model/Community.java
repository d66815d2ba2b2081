package io.weft.api.model;

/**
 * A named BGP community for {@code BGPConfiguration.spec.communities}, so that prefix
 * advertisements can refer to it by name.
 *
 * @param value standard {@code aa:nn} or large {@code aa:nn:mm} community
 */
public record Community(String name, String value) {
}
