package io.weft.api.resource;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

import io.weft.api.model.Resource;

/** Typed counterpart of {@link io.weft.api.datastore.WatchListener}. */
@ConsumerType
public interface ResourceListener<R extends Resource> {

    /** Every resource of the kind; replaces the listener's view. */
    void onSnapshot(List<R> resources, long revision);

    /** A resource was created or changed. */
    void onUpdated(R resource);

    /** A resource was deleted; {@code last} is its final state when known, else {@code null}. */
    void onDeleted(String namespace, String name, R last);
}
