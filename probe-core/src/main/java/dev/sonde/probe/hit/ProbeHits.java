package dev.sonde.probe.hit;

import dev.sonde.bpf.slot.ExecutionSlots;
import dev.sonde.bpf.vm.Cpu;

/** The hit records of a set of execution slots: one {@link ProbeHit} per slot, made up front. */
public final class ProbeHits {
    private final ProbeHit[] hits;

    public ProbeHits(ExecutionSlots slots) {
        this(slots.count());
    }

    public ProbeHits(int slots) {
        hits = new ProbeHit[slots];
        for (int i = 0; i < slots; i++) {
            hits[i] = new ProbeHit(i, slots);
        }
    }

    /** The record of {@code cpu}'s slot. */
    public ProbeHit of(Cpu cpu) {
        return hits[cpu.id];
    }

    /** The hit now current on {@code cpu}, or null (no allocation). */
    public static ProbeHit current(Cpu cpu) {
        return cpu.attachment instanceof ProbeHit h && h.active() ? h : null;
    }
}
