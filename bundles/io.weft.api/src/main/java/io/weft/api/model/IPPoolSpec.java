package io.weft.api.model;

import io.weft.api.net.Cidr;
import java.util.List;

/**
 * What an IP pool covers and how its addresses are routed. Nullable fields mean "not written";
 * the {@code effective...} methods apply Calico's defaults.
 *
 * @param cidr the pool's network as the user wrote it (Calico stores it masked)
 * @param blockSize prefix length of the blocks the pool is cut into; null or 0 for the default
 * @param ipipMode null for {@link EncapsulationMode#NEVER}
 * @param vxlanMode null for {@link EncapsulationMode#NEVER}
 * @param natOutgoing masquerade traffic from the pool to destinations outside all pools
 * @param disabled no new addresses are allocated from a disabled pool; existing ones keep working
 * @param disableBGPExport keep the pool's routes out of BGP advertisements
 * @param nodeSelector nodes that may allocate from the pool; null for {@code all()}
 * @param allowedUses empty for workloads and tunnels
 * @param assignmentMode null for {@link AssignmentMode#AUTOMATIC}
 */
public record IPPoolSpec(
        String cidr,
        Integer blockSize,
        EncapsulationMode ipipMode,
        EncapsulationMode vxlanMode,
        boolean natOutgoing,
        boolean disabled,
        boolean disableBGPExport,
        String nodeSelector,
        List<AllowedUse> allowedUses,
        AssignmentMode assignmentMode) {

    public static final int DEFAULT_IPV4_BLOCK_SIZE = 26;
    public static final int DEFAULT_IPV6_BLOCK_SIZE = 122;
    public static final String ALL_NODES = "all()";

    public static final IPPoolSpec EMPTY = of(null);

    public IPPoolSpec {
        allowedUses = Copies.list(allowedUses);
    }

    /** A pool with every other field left to Calico's defaults. */
    public static IPPoolSpec of(String cidr) {
        return new IPPoolSpec(cidr, null, null, null, false, false, false, null, null, null);
    }

    /**
     * The pool's CIDR, parsed.
     *
     * @throws IllegalArgumentException if {@link #cidr()} is missing or malformed
     */
    public Cidr parsedCidr() {
        return Cidr.parse(cidr);
    }

    /** 26 for IPv4 pools and 122 for IPv6 pools unless set: 64 addresses per block either way. */
    public int effectiveBlockSize() {
        if (blockSize != null && blockSize != 0) {
            return blockSize;
        }
        return cidr != null && cidr.indexOf(':') >= 0 ? DEFAULT_IPV6_BLOCK_SIZE : DEFAULT_IPV4_BLOCK_SIZE;
    }

    public String effectiveNodeSelector() {
        return nodeSelector == null || nodeSelector.isBlank() ? ALL_NODES : nodeSelector;
    }

    public EncapsulationMode effectiveIpipMode() {
        return ipipMode == null ? EncapsulationMode.NEVER : ipipMode;
    }

    public EncapsulationMode effectiveVxlanMode() {
        return vxlanMode == null ? EncapsulationMode.NEVER : vxlanMode;
    }

    /** Workload and Tunnel unless set; LoadBalancer use must be asked for explicitly. */
    public List<AllowedUse> effectiveAllowedUses() {
        return allowedUses.isEmpty() ? List.of(AllowedUse.WORKLOAD, AllowedUse.TUNNEL) : allowedUses;
    }

    public AssignmentMode effectiveAssignmentMode() {
        return assignmentMode == null ? AssignmentMode.AUTOMATIC : assignmentMode;
    }

    public IPPoolSpec withDisabled(boolean disabled) {
        return new IPPoolSpec(cidr, blockSize, ipipMode, vxlanMode, natOutgoing, disabled, disableBGPExport,
                nodeSelector, allowedUses, assignmentMode);
    }
}
