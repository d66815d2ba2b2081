package io.weft.api.model;

/**
 * Dataplane agent settings. The resource named {@value #DEFAULT_NAME} applies to every node;
 * one named {@code node.<nodename>} overrides individual fields for that node.
 */
public record FelixConfiguration(ObjectMeta metadata, FelixConfigurationSpec spec) implements Resource {

    public static final String DEFAULT_NAME = "default";

    /** A missing metadata or spec section reads as an empty one, so callers need not null-check. */
    public FelixConfiguration {
        metadata = metadata == null ? ObjectMeta.EMPTY : metadata;
        spec = spec == null ? FelixConfigurationSpec.EMPTY : spec;
    }

    /** Name of the configuration that overrides the default for one node. */
    public static String nodeScopedName(String nodeName) {
        return "node." + nodeName;
    }

    @Override
    public ResourceKind<FelixConfiguration> kind() {
        return ResourceKind.FELIX_CONFIGURATION;
    }

    public FelixConfiguration withMetadata(ObjectMeta metadata) {
        return new FelixConfiguration(metadata, spec);
    }

    public FelixConfiguration withSpec(FelixConfigurationSpec spec) {
        return new FelixConfiguration(metadata, spec);
    }
}
