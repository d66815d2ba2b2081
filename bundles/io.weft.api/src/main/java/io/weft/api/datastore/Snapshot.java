package io.weft.api.datastore;

import java.util.List;

/**
 * A consistent view of every key under a prefix at one store revision.
 *
 * @param entries  the keys, sorted by key
 * @param revision the store revision the view was taken at; deltas that follow it carry larger
 *                 revisions
 */
public record Snapshot(List<KeyValue> entries, long revision) {
    public Snapshot {
        entries = List.copyOf(entries);
    }
}
