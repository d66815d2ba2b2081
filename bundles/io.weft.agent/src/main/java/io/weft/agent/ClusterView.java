package io.weft.agent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.weft.api.model.IPAMBlock;
import io.weft.api.model.IPPool;
import io.weft.api.model.Node;
import io.weft.api.model.Resource;
import io.weft.api.model.ResourceKind;
import io.weft.api.model.WorkloadEndpoint;
import io.weft.api.resource.ResourceListener;

/**
 * The live view of the resources, fed by one watch per kind (snapshot, then deltas). Each change
 * calls {@code onChange} so the agent schedules a recalculation; {@link #state()} copies the view
 * for the calculator.
 */
final class ClusterView {

    private final Map<String, Node> nodes = new HashMap<>();
    private final Map<String, IPPool> pools = new LinkedHashMap<>();
    private final Map<String, IPAMBlock> blocks = new LinkedHashMap<>();
    private final Map<String, WorkloadEndpoint> endpoints = new LinkedHashMap<>();
    private final Runnable onChange;
    private final Map<ResourceKind<?>, Boolean> synced = new HashMap<>();

    ClusterView(Runnable onChange) {
        this.onChange = onChange;
    }

    ResourceListener<Node> nodes() {
        return listener(ResourceKind.NODE, nodes);
    }

    ResourceListener<IPPool> pools() {
        return listener(ResourceKind.IP_POOL, pools);
    }

    ResourceListener<IPAMBlock> blocks() {
        return listener(ResourceKind.IPAM_BLOCK, blocks);
    }

    ResourceListener<WorkloadEndpoint> endpoints() {
        return listener(ResourceKind.WORKLOAD_ENDPOINT, endpoints);
    }

    /** True once every kind delivered its first snapshot: before that, programming would delete too much. */
    synchronized boolean inSync() {
        return synced.size() == 4;
    }

    synchronized ClusterState state() {
        return new ClusterState(nodes, new ArrayList<>(pools.values()), new ArrayList<>(blocks.values()),
                new ArrayList<>(endpoints.values()));
    }

    private static String key(String namespace, String name) {
        return namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
    }

    private <R extends Resource> ResourceListener<R> listener(ResourceKind<R> kind, Map<String, R> target) {
        return new ResourceListener<>() {
            @Override
            public void onSnapshot(List<R> resources, long revision) {
                synchronized (ClusterView.this) {
                    target.clear();
                    for (R r : resources) {
                        target.put(key(r.metadata().namespace(), r.name()), r);
                    }
                    synced.put(kind, true);
                }
                onChange.run();
            }

            @Override
            public void onUpdated(R resource) {
                synchronized (ClusterView.this) {
                    target.put(key(resource.metadata().namespace(), resource.name()), resource);
                }
                onChange.run();
            }

            @Override
            public void onDeleted(String namespace, String name, R last) {
                synchronized (ClusterView.this) {
                    target.remove(key(namespace, name));
                }
                onChange.run();
            }
        };
    }
}
