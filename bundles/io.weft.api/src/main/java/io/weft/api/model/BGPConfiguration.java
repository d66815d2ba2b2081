package io.weft.api.model;

/**
 * Cluster-wide BGP settings. The resource named {@value #DEFAULT_NAME} applies to every node;
 * one named {@code node.<nodename>} overrides some of its fields for that node.
 */
public record BGPConfiguration(ObjectMeta metadata, BGPConfigurationSpec spec) implements Resource {

    public static final String DEFAULT_NAME = "default";

    /** A missing metadata or spec section reads as an empty one, so callers need not null-check. */
    public BGPConfiguration {
        metadata = metadata == null ? ObjectMeta.EMPTY : metadata;
        spec = spec == null ? BGPConfigurationSpec.EMPTY : spec;
    }

    /** Name of the configuration that overrides the default for one node. */
    public static String nodeScopedName(String nodeName) {
        return "node." + nodeName;
    }

    @Override
    public ResourceKind<BGPConfiguration> kind() {
        return ResourceKind.BGP_CONFIGURATION;
    }

    public BGPConfiguration withMetadata(ObjectMeta metadata) {
        return new BGPConfiguration(metadata, spec);
    }

    public BGPConfiguration withSpec(BGPConfigurationSpec spec) {
        return new BGPConfiguration(metadata, spec);
    }
}
