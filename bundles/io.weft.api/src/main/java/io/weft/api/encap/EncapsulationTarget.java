package io.weft.api.encap;

import java.util.List;

/**
 * The complete desired state for one provider: this node and every remote block the provider
 * must make reachable. Complete, not a delta, so a provider can reconcile idempotently and
 * repair drift.
 */
public record EncapsulationTarget(LocalNode local, List<RemoteBlock> remoteBlocks) {
    public EncapsulationTarget {
        remoteBlocks = List.copyOf(remoteBlocks);
    }
}
