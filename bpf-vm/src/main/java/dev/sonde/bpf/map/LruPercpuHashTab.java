package dev.sonde.bpf.map;

import dev.sonde.bpf.slot.ExecutionSlots;

/** BPF_MAP_TYPE_LRU_PERCPU_HASH: per-slot values ({@link PercpuHashTab}) with LRU eviction ({@link LruHashTab}). */
public final class LruPercpuHashTab extends HashTab {
    public LruPercpuHashTab(MapSpec spec, ExecutionSlots slots) {
        super(MapType.LRU_PERCPU_HASH, spec, slots, true, true);
    }
}
