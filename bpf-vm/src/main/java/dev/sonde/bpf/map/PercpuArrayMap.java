package dev.sonde.bpf.map;

import dev.sonde.bpf.slot.ExecutionSlots;

/**
 * BPF_MAP_TYPE_PERCPU_ARRAY: an {@link ArrayMap} with one copy per execution slot. A program sees
 * the copy of the slot it runs on; the Java side reads and writes all copies at once, slot
 * {@code c}'s value at {@code c * round_up(value_size, 8)} (see {@link PerCpu}).
 */
public final class PercpuArrayMap extends ArrayMap {
    public PercpuArrayMap(MapSpec spec, ExecutionSlots slots) {
        super(MapType.PERCPU_ARRAY, spec, slots, slots.count());
    }
}
