package io.weft.ipam.block;

import io.weft.api.net.Cidr;

/** Resource names as Calico's Kubernetes backend writes them, so both tools read the same data. */
final class BlockNames {

    private BlockNames() {
    }

    /** {@code 10.244.1.0/26} → {@code 10-244-1-0-26}; {@code fd00::40/122} → {@code fd00--40-122}. */
    static String block(Cidr cidr) {
        return cidr.toString().replace('.', '-').replace(':', '-').replace('/', '-');
    }

    /** {@code <node>-<block name>}. */
    static String affinity(String node, Cidr cidr) {
        return node + "-" + block(cidr);
    }
}
