package io.weft.ipam.block;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.weft.api.model.IPAMBlock;
import io.weft.api.model.IPAMHandle;
import io.weft.api.net.Cidr;
import io.weft.api.resource.ResourceStore;

/**
 * The blocks and handles this allocator last wrote, with their new resourceVersions, per store.
 * A node is usually the only writer of its own block, so the next pod start can skip reading
 * the block and go straight to the compare-and-swap commit at the remembered revision: one
 * round trip instead of two on etcd. Only a guess: a stale entry makes that commit fail on its
 * revision and the caller reads afresh, and an entry that cannot serve a request (a full block)
 * is never trusted to say so.
 */
final class LastWritten {

    private static final int CAPACITY = 4096;

    final ResourceStore store;
    private final ConcurrentHashMap<String, IPAMBlock> blocks = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, IPAMHandle> handles = new ConcurrentHashMap<>();

    LastWritten(ResourceStore store) {
        this.store = store;
    }

    Optional<IPAMBlock> block(Cidr cidr) {
        return Optional.ofNullable(blocks.get(cidr.toString()));
    }

    void wrote(Cidr cidr, IPAMBlock block) {
        if (blocks.size() >= CAPACITY) {
            blocks.clear();
        }
        blocks.put(cidr.toString(), block);
    }

    void forgetBlock(Cidr cidr) {
        blocks.remove(cidr.toString());
    }

    Optional<IPAMHandle> handle(String handleId) {
        return Optional.ofNullable(handles.get(handleId));
    }

    void wrote(IPAMHandle handle) {
        if (handles.size() >= CAPACITY) {
            handles.clear();
        }
        handles.put(handle.metadata().name(), handle);
    }

    void forgetHandle(String handleId) {
        handles.remove(handleId);
    }
}
