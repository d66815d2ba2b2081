package io.weft.api.resource;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

import io.weft.api.datastore.DatastoreException;
import io.weft.api.datastore.Watch;
import io.weft.api.model.Resource;
import io.weft.api.model.ResourceKind;

/**
 * Typed, validated access to projectcalico.org/v3 resources over whichever
 * {@link io.weft.api.datastore.Datastore} is bound. The resource version in
 * {@code metadata.resourceVersion} is the datastore's modRevision, so an update of a resource
 * read earlier is a compare-and-swap.
 */
@ProviderType
public interface ResourceStore {

    <R extends Resource> Optional<R> get(ResourceKind<R> kind, String namespace, String name)
            throws DatastoreException;

    /** All resources of a kind; {@code namespace == null} lists every namespace. */
    <R extends Resource> List<R> list(ResourceKind<R> kind, String namespace) throws DatastoreException;

    /** Creates after validation and defaulting; fails if the name is taken. */
    <R extends Resource> R create(R resource) throws DatastoreException, InvalidResourceException;

    /** Replaces the resource at the revision in its metadata (compare-and-swap). */
    <R extends Resource> R update(R resource) throws DatastoreException, InvalidResourceException;

    /** Creates or replaces, as {@code calicoctl apply}. */
    <R extends Resource> R apply(R resource) throws DatastoreException, InvalidResourceException;

    <R extends Resource> R delete(ResourceKind<R> kind, String namespace, String name) throws DatastoreException;

    /**
     * Creates, updates (compare-and-swap at each resource's {@code resourceVersion}) and deletes
     * (compare-and-swap likewise) several resources as one {@link io.weft.api.datastore.Datastore#commit}:
     * all or none, one durable write. Each resource is validated and defaulted as by
     * {@link #create} and {@link #update}.
     *
     * @return what was written, with its new resourceVersion (for a delete, the resource as it
     *         was, with the revision of the deletion)
     */
    default List<Resource> commit(List<ResourceWrite> writes) throws DatastoreException, InvalidResourceException {
        // providers without batches: one by one
        List<Resource> out = new java.util.ArrayList<>(writes.size());
        for (ResourceWrite w : writes) {
            switch (w.type()) {
                case CREATE -> out.add(create(w.resource()));
                case UPDATE -> out.add(update(w.resource()));
                case DELETE -> out.add(delete(w.resource().kind(), w.resource().metadata().namespace(),
                        w.resource().metadata().name()));
                default -> throw new IllegalArgumentException(w.type().toString());
            }
        }
        return out;
    }

    /** Watches one kind: snapshot, then changes, as typed resources. */
    <R extends Resource> Watch watch(ResourceKind<R> kind, ResourceListener<R> listener) throws DatastoreException;
}
