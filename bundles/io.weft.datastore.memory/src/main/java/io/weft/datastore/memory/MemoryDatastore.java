package io.weft.datastore.memory;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import io.weft.api.datastore.Datastore;
import io.weft.api.provider.WeftProvider;
import io.weft.datastore.kv.Journal;
import io.weft.datastore.kv.RevisionedStore;

/**
 * The volatile datastore: everything is lost when the bundle stops. Use it for tests and
 * throwaway nodes; real nodes use {@code embedded} or {@code etcd}.
 */
@Component(service = Datastore.class)
@WeftProvider("memory")
public class MemoryDatastore extends RevisionedStore {

    public MemoryDatastore() {
        super("memory (volatile, lost on restart)", Journal.NONE);
    }

    @Deactivate
    void deactivate() {
        close();
    }
}
