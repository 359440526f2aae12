package dev.sonde.bpf.map;

import dev.sonde.bpf.slot.ExecutionSlots;

/**
 * BPF_MAP_TYPE_LRU_HASH: a {@link HashTab} that, when an update adds a key to a full table,
 * evicts the least recently used key (approximately, as Linux does: see {@link LruList}) instead
 * of failing with -E2BIG. Program-side lookups mark their element used; Java-side lookups do not
 * (as Linux's syscall path does not).
 */
public final class LruHashTab extends HashTab {
    public LruHashTab(MapSpec spec, ExecutionSlots slots) {
        super(MapType.LRU_HASH, spec, slots, false, true);
    }
}
