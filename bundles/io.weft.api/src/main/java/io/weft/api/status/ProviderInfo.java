package io.weft.api.status;

/**
 * One active provider of an SPI.
 *
 * @param name          its {@code weft.provider} value, e.g. {@code embedded}
 * @param bundle        symbolic name of the bundle that registered it
 * @param bundleVersion that bundle's version
 */
public record ProviderInfo(String name, String bundle, String bundleVersion) {
}
