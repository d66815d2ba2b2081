package io.weft.bgp.internal;

/** Receives what one UPDATE says, prefix by prefix, straight from the decoder. */
interface UpdateSink {
    void announce(long prefix, PathAttributes attributes);

    void withdraw(long prefix);

    /** An End-of-RIB marker (RFC 4724) for {@code afi << 8 | safi}. */
    void endOfRib(int afiSafi);
}
