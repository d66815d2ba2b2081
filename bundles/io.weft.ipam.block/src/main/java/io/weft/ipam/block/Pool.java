package io.weft.ipam.block;

import java.net.InetAddress;

import io.weft.api.ipam.IntendedUse;
import io.weft.api.model.AllowedUse;
import io.weft.api.model.AssignmentMode;
import io.weft.api.model.IPPool;
import io.weft.api.net.Cidr;

/** An IP pool with its CIDR parsed and its block geometry worked out. */
record Pool(IPPool resource, Cidr cidr, int blockSize) {

    /** The pool, or null (logged by the caller) if its CIDR or block size is unusable. */
    static Pool of(IPPool pool) {
        try {
            Cidr cidr = pool.spec().parsedCidr();
            int blockSize = pool.spec().effectiveBlockSize();
            if (blockSize < cidr.prefixLength() || blockSize > cidr.addressBits()
                    || cidr.addressBits() - blockSize > 12) {
                return null;
            }
            return new Pool(pool, cidr, blockSize);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    String name() {
        return resource.metadata().name();
    }

    boolean enabled() {
        return !resource.spec().disabled();
    }

    boolean automatic() {
        return resource.spec().effectiveAssignmentMode() == AssignmentMode.AUTOMATIC;
    }

    boolean allows(IntendedUse use) {
        return resource.spec().effectiveAllowedUses().contains(use == IntendedUse.TUNNEL
                ? AllowedUse.TUNNEL : AllowedUse.WORKLOAD);
    }

    /** Number of blocks the pool is cut into (capped at Long.MAX_VALUE for huge IPv6 pools). */
    long blockCount() {
        int bits = blockSize - cidr.prefixLength();
        return bits >= 63 ? Long.MAX_VALUE : 1L << bits;
    }

    Cidr block(long index) {
        return cidr.subnet(blockSize, index);
    }

    int blockAddresses() {
        return 1 << (cidr.addressBits() - blockSize);
    }

    boolean contains(InetAddress address) {
        return cidr.contains(address);
    }

    /** The block of this pool holding {@code address}. */
    Cidr blockOf(InetAddress address) {
        return new Cidr(address, blockSize);
    }

    static String useName(IntendedUse use) {
        return use == IntendedUse.TUNNEL ? AllowedUse.TUNNEL.wireName() : AllowedUse.WORKLOAD.wireName();
    }
}
