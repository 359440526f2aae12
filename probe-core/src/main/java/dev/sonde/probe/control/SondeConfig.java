package dev.sonde.probe.control;

import dev.sonde.bpf.exec.ExecMode;
import dev.sonde.bpf.slot.ExecutionSlots;

/**
 * How a Sonde instance runs: the number of execution slots ("CPUs", the per-CPU maps' number of
 * copies, DESIGN.md §3), whether run time is measured (off by default: System.nanoTime costs more
 * than a probe), whether programs must pass the verifier, and the run mode. Immutable.
 */
public record SondeConfig(int slots, boolean runTimeStats, boolean verify, ExecMode mode) {
    public SondeConfig {
        if (slots < 1 || slots > 1024) {
            throw new IllegalArgumentException("execution slots must be 1..1024, is " + slots);
        }
    }

    public static SondeConfig defaults() {
        return new SondeConfig(ExecutionSlots.defaultCount(), false, true, ExecMode.JIT);
    }

    public SondeConfig withSlots(int n) {
        return new SondeConfig(n, runTimeStats, verify, mode);
    }

    public SondeConfig withRunTimeStats(boolean on) {
        return new SondeConfig(slots, on, verify, mode);
    }

    public SondeConfig withVerify(boolean v) {
        return new SondeConfig(slots, runTimeStats, v, mode);
    }

    public SondeConfig withMode(ExecMode m) {
        return new SondeConfig(slots, runTimeStats, verify, m);
    }
}
