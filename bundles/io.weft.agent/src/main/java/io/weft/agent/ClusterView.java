package io.weft.agent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

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
 *
 * <p>The view is organised in generations, one per set of watches ({@link #open()}). When the
 * datastore is swapped the agent opens new watches; until every kind of the new generation has
 * delivered its snapshot, the previous generation stays the live view. Switching kind by kind
 * would let the calculator see, say, the new store's pools with the old store's endpoints, and
 * program (then undo) routes that neither store asked for.
 */
final class ClusterView {

    private static final int KINDS = 4;

    /** Called after each change to the live view; {@code true} when a new generation became live. */
    private final Consumer<Boolean> onChange;
    private Generation live;
    private Generation filling;
    private int generations;

    ClusterView(Consumer<Boolean> onChange) {
        this.onChange = onChange;
    }

    /** One watch's listeners per kind; the agent opens a watch with each. */
    record Listeners(ResourceListener<Node> nodes, ResourceListener<IPPool> pools, ResourceListener<IPAMBlock> blocks,
            ResourceListener<WorkloadEndpoint> endpoints) {
    }

    /**
     * Starts a new generation and returns its listeners. Events of any older generation that is
     * not the live one are dropped from now on (their watches are being closed).
     */
    synchronized Listeners open() {
        Generation g = new Generation(++generations);
        filling = g;
        return new Listeners(g.listener(ResourceKind.NODE, g.nodes), g.listener(ResourceKind.IP_POOL, g.pools),
                g.listener(ResourceKind.IPAM_BLOCK, g.blocks), g.listener(ResourceKind.WORKLOAD_ENDPOINT, g.endpoints));
    }

    /** True once one generation delivered a snapshot of every kind: before that, programming would delete too much. */
    synchronized boolean inSync() {
        return live != null;
    }

    /** True while watches opened by the last {@link #open()} have not delivered every snapshot yet. */
    synchronized boolean switching() {
        return filling != null && live != null;
    }

    /** The number of the live generation (1 for the first set of watches, +1 per datastore swap); 0 before. */
    synchronized int liveGeneration() {
        return live == null ? 0 : live.number;
    }

    synchronized ClusterState state() {
        Generation g = live;
        if (g == null) {
            return new ClusterState(Map.of(), List.of(), List.of(), List.of());
        }
        return new ClusterState(g.nodes, new ArrayList<>(g.pools.values()), new ArrayList<>(g.blocks.values()),
                new ArrayList<>(g.endpoints.values()));
    }

    private static String key(String namespace, String name) {
        return namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
    }

    private final class Generation {
        final int number;
        final Map<String, Node> nodes = new HashMap<>();
        final Map<String, IPPool> pools = new LinkedHashMap<>();
        final Map<String, IPAMBlock> blocks = new LinkedHashMap<>();
        final Map<String, WorkloadEndpoint> endpoints = new LinkedHashMap<>();
        final Set<ResourceKind<?>> synced = new HashSet<>();

        Generation(int number) {
            this.number = number;
        }

        /** Applies one event under the view's lock; returns whether the caller should signal a change. */
        private Boolean apply(Runnable change, ResourceKind<?> snapshotOf) {
            synchronized (ClusterView.this) {
                if (this != live && this != filling) {
                    return null; // a closed watch's last words
                }
                change.run();
                if (snapshotOf != null) {
                    synced.add(snapshotOf);
                }
                if (this == filling && synced.size() == KINDS) {
                    live = this;
                    filling = null;
                    return Boolean.TRUE;
                }
                return this == live ? Boolean.FALSE : null;
            }
        }

        private void signal(Boolean switched) {
            if (switched != null) {
                onChange.accept(switched);
            }
        }

        <R extends Resource> ResourceListener<R> listener(ResourceKind<R> kind, Map<String, R> target) {
            return new ResourceListener<>() {
                @Override
                public void onSnapshot(List<R> resources, long revision) {
                    signal(apply(() -> {
                        target.clear();
                        for (R r : resources) {
                            target.put(key(r.metadata().namespace(), r.name()), r);
                        }
                    }, kind));
                }

                @Override
                public void onUpdated(R resource) {
                    signal(apply(() -> target.put(key(resource.metadata().namespace(), resource.name()), resource), null));
                }

                @Override
                public void onDeleted(String namespace, String name, R last) {
                    signal(apply(() -> target.remove(key(namespace, name)), null));
                }
            };
        }
    }
}
