package dev.sonde.bpf.tools;

import dev.sonde.bpf.vm.HelperTable;

/**
 * The helpers that programs of the bpf_conformance suite call, by their Linux numbers. The suite
 * needs one: {@code call_unwind_fail.data} and {@code callx.data} call helper 5 (directly and
 * through a register) and only check that the program goes on after the call, so any helper that
 * returns would do; Linux's helper 5 is {@code bpf_ktime_get_ns}, and that is what this one is.
 *
 * <p>Only these: a program that calls anything else fails to load with "call to unknown helper",
 * which is what the suite expects of a VM that lacks it. The full generic helper set of
 * DESIGN.md §3 lives with the helpers, not here.
 */
public final class ConformanceHelpers {
    private ConformanceHelpers() {
    }

    /** {@code u64 bpf_ktime_get_ns(void)}: monotonic nanoseconds, never negative. */
    public static final int KTIME_GET_NS = 5;

    private static final HelperTable TABLE = HelperTable.empty()
        .with(KTIME_GET_NS, "ktime_get_ns", (cpu, r1, r2, r3, r4, r5) -> System.nanoTime() & Long.MAX_VALUE);

    public static HelperTable table() {
        return TABLE;
    }
}
