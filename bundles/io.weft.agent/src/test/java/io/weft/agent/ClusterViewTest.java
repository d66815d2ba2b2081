package io.weft.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.weft.api.model.EncapsulationMode;
import io.weft.api.model.IPPool;
import io.weft.api.model.IPPoolSpec;
import io.weft.api.model.Node;
import io.weft.api.model.NodeSpec;
import io.weft.api.model.ObjectMeta;

/**
 * The view's generations: after a datastore swap the old store's view stays live until the new
 * watches delivered a snapshot of every kind, then the new one replaces it at once.
 */
class ClusterViewTest {

    private final List<Boolean> signals = new ArrayList<>();
    private final ClusterView view = new ClusterView(signals::add);

    private static IPPool pool(String name, String cidr) {
        return new IPPool(ObjectMeta.named(name), new IPPoolSpec(cidr, 26, null, EncapsulationMode.ALWAYS, false, false,
                false, null, null, null));
    }

    private static void snapshots(ClusterView.Listeners l, List<Node> nodes, List<IPPool> pools) {
        l.nodes().onSnapshot(nodes, 1);
        l.pools().onSnapshot(pools, 1);
        l.blocks().onSnapshot(List.of(), 1);
        l.endpoints().onSnapshot(List.of(), 1);
    }

    @Test
    void aNewGenerationBecomesLiveOnlyWhenEveryKindIsIn() {
        ClusterView.Listeners old = view.open();
        assertFalse(view.inSync());
        snapshots(old, List.of(new Node(ObjectMeta.named("n1"), NodeSpec.EMPTY)), List.of(pool("a", "10.1.0.0/16")));
        assertTrue(view.inSync());
        assertEquals(1, view.liveGeneration());
        assertEquals(List.of(true), signals, "the first complete generation going live is a switch");

        ClusterView.Listeners fresh = view.open();
        assertTrue(view.switching());
        fresh.nodes().onSnapshot(List.of(), 7);
        fresh.pools().onSnapshot(List.of(pool("b", "10.2.0.0/16")), 7);
        fresh.blocks().onSnapshot(List.of(), 7);
        // three of four kinds in: the calculator still sees the old store only
        assertEquals(List.of("a"), view.state().pools().stream().map(IPPool::name).toList());
        assertEquals(1, view.state().nodes().size());
        old.pools().onUpdated(pool("a2", "10.3.0.0/16")); // the old watch, still live until the switch
        assertEquals(List.of("a", "a2"), view.state().pools().stream().map(IPPool::name).toList());

        fresh.endpoints().onSnapshot(List.of(), 7);
        assertEquals(2, view.liveGeneration());
        assertFalse(view.switching());
        assertEquals(List.of("b"), view.state().pools().stream().map(IPPool::name).toList());
        assertEquals(0, view.state().nodes().size());
        assertEquals(Boolean.TRUE, signals.get(signals.size() - 1), "the switch asks for a full pass");

        int before = signals.size();
        old.pools().onUpdated(pool("late", "10.4.0.0/16")); // a closed watch's last event
        assertEquals(List.of("b"), view.state().pools().stream().map(IPPool::name).toList());
        assertEquals(before, signals.size(), "a dropped event triggers no pass");
        fresh.pools().onDeleted(null, "b", null);
        assertEquals(List.of(), view.state().pools());
        assertEquals(Boolean.FALSE, signals.get(signals.size() - 1));
    }
}
