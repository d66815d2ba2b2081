package io.weft.api.resource;

import java.util.Objects;

import io.weft.api.model.Resource;

/**
 * One write of a {@link ResourceStore#commit} batch. Updates and deletes are compare-and-swap
 * at the resource's {@code metadata.resourceVersion}, which must be set.
 */
public record ResourceWrite(Type type, Resource resource) {

    public enum Type { CREATE, UPDATE, DELETE }

    public ResourceWrite {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(resource, "resource");
    }

    public static ResourceWrite create(Resource resource) {
        return new ResourceWrite(Type.CREATE, resource);
    }

    public static ResourceWrite update(Resource resource) {
        return new ResourceWrite(Type.UPDATE, resource);
    }

    public static ResourceWrite delete(Resource resource) {
        return new ResourceWrite(Type.DELETE, resource);
    }
}
