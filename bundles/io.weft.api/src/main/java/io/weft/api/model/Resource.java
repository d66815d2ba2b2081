package io.weft.api.model;

/**
 * A {@code projectcalico.org/v3} resource: metadata plus a kind-specific spec. Implementations
 * are immutable records; change one by building a new value ({@code withSpec},
 * {@code withMetadata}).
 */
public interface Resource {

    /** The {@code apiVersion} every resource in this package is read and written with. */
    String API_VERSION = "projectcalico.org/v3";

    ObjectMeta metadata();

    ResourceKind<?> kind();

    default String name() {
        return metadata().name();
    }
}
