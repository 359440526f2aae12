package dev.sonde.bpf.map;

import dev.sonde.bpf.slot.ExecutionSlots;

/**
 * BPF_MAP_TYPE_PERCPU_HASH: a {@link HashTab} whose elements carry one value per execution slot.
 * A program's lookup and update touch its own slot's copy (an update of a new key zeroes the other
 * copies, as Linux's pcpu_init_value does); the Java side reads and writes all copies in the layout
 * of {@link PerCpu}.
 */
public final class PercpuHashTab extends HashTab {
    public PercpuHashTab(MapSpec spec, ExecutionSlots slots) {
        super(MapType.PERCPU_HASH, spec, slots, true, false);
    }
}
