package io.weft.api.model;

/**
 * Cluster-wide IPAM settings; Calico reads only the resource named {@value #DEFAULT_NAME}, and
 * uses {@link IPAMConfigSpec#DEFAULTS} when it does not exist.
 */
public record IPAMConfig(ObjectMeta metadata, IPAMConfigSpec spec) implements Resource {

    public static final String DEFAULT_NAME = "default";

    /**
     * A missing metadata section reads as an empty one; a missing spec as Calico's defaults,
     * because an all-false spec would disable both strict affinity and automatic block
     * allocation, a combination Calico rejects.
     */
    public IPAMConfig {
        metadata = metadata == null ? ObjectMeta.EMPTY : metadata;
        spec = spec == null ? IPAMConfigSpec.DEFAULTS : spec;
    }

    @Override
    public ResourceKind<IPAMConfig> kind() {
        return ResourceKind.IPAM_CONFIG;
    }

    public IPAMConfig withMetadata(ObjectMeta metadata) {
        return new IPAMConfig(metadata, spec);
    }

    public IPAMConfig withSpec(IPAMConfigSpec spec) {
        return new IPAMConfig(metadata, spec);
    }
}
