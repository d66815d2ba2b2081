package io.weft.ipam.block;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.weft.api.datastore.DatastoreException;
import io.weft.api.model.IPAMBlock;
import io.weft.api.model.ResourceKind;
import io.weft.api.net.Cidr;
import io.weft.api.resource.ResourceStore;

/**
 * What {@code ipam show [--show-blocks]} prints: per pool the addresses in total, in use and
 * free, and per block its affinity and use. Data only; formatting is done by the console and
 * weftctl.
 *
 * @param pools every IP pool, enabled or not, sorted by CIDR
 * @param blocksOutsidePools blocks no current pool contains (their pool was deleted)
 */
public record IpamUsage(List<PoolUsage> pools, List<BlockUsage> blocksOutsidePools) {

    /**
     * One pool. {@code total} and {@code free} are big integers because IPv6 pools are.
     *
     * @param blocks the pool's blocks that exist, sorted by CIDR
     */
    public record PoolUsage(String name, Cidr cidr, boolean disabled, BigInteger total, long inUse, BigInteger free,
            List<BlockUsage> blocks) {

        public PoolUsage {
            blocks = List.copyOf(blocks);
        }
    }

    /**
     * One block.
     *
     * @param affinity {@code host:<node>}, or null for a block no node owns
     */
    public record BlockUsage(Cidr cidr, String affinity, int total, int inUse) {

        public int free() {
            return total - inUse;
        }
    }

    public IpamUsage {
        pools = List.copyOf(pools);
        blocksOutsidePools = List.copyOf(blocksOutsidePools);
    }

    /** Reads the pools and blocks. */
    public static IpamUsage read(ResourceStore store) throws DatastoreException {
        List<Pool> pools = new ArrayList<>(IpamSettings.pools(store));
        pools.sort(Comparator.comparing(Pool::cidr));
        List<BlockUsage> blocks = new ArrayList<>();
        for (IPAMBlock b : store.list(ResourceKind.IPAM_BLOCK, null)) {
            try {
                BlockState state = BlockState.of(b.spec());
                blocks.add(new BlockUsage(state.cidr, b.spec().affinity(), state.size(), state.inUse()));
            } catch (IllegalArgumentException e) {
                // unreadable blocks are IpamCheck's business
            }
        }
        blocks.sort(Comparator.comparing(BlockUsage::cidr));
        List<PoolUsage> out = new ArrayList<>();
        List<BlockUsage> outside = new ArrayList<>(blocks);
        for (Pool pool : pools) {
            List<BlockUsage> mine = new ArrayList<>();
            long inUse = 0;
            for (BlockUsage b : blocks) {
                if (pool.cidr().contains(b.cidr())) {
                    mine.add(b);
                    inUse += b.inUse();
                    outside.remove(b);
                }
            }
            BigInteger total = pool.cidr().size();
            out.add(new PoolUsage(pool.name(), pool.cidr(), !pool.enabled(), total, inUse,
                    total.subtract(BigInteger.valueOf(inUse)), mine));
        }
        return new IpamUsage(out, outside);
    }
}
