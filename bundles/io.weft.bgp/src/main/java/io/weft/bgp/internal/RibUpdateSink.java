package io.weft.bgp.internal;

import java.util.function.IntConsumer;

/**
 * The one {@link UpdateSink} sessions use: decoded prefixes go straight into the RIB. One class
 * for live sessions and the start-up warm-up alike, so the decoder's call to it stays
 * monomorphic and the JIT's work at start is the work a real table needs.
 */
final class RibUpdateSink implements UpdateSink {
    private final Rib rib;
    private final RibPeer peer;
    private final IntConsumer endOfRib;

    RibUpdateSink(Rib rib, RibPeer peer, IntConsumer endOfRib) {
        this.rib = rib;
        this.peer = peer;
        this.endOfRib = endOfRib;
    }

    @Override
    public void announce(long prefix, PathAttributes attributes) {
        rib.announce(peer, prefix, attributes);
    }

    @Override
    public void withdraw(long prefix) {
        rib.withdraw(peer, prefix);
    }

    @Override
    public void endOfRib(int afiSafi) {
        endOfRib.accept(afiSafi);
    }
}
