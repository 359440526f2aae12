package dev.sonde.probe.testing;

import java.lang.management.ManagementFactory;

/** Bytes the current thread allocates, by the JVM's per-thread counter (TLAB and outside-TLAB bytes). */
public final class Allocations {
    private Allocations() {
    }

    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Bytes allocated by {@code iterations} runs after {@code warmup} runs. */
    public static long measure(int warmup, int iterations, Runnable run) {
        for (int i = 0; i < warmup; i++) {
            run.run();
        }
        long tid = Thread.currentThread().getId();
        THREADS.getThreadAllocatedBytes(tid); // its first call allocates; keep that out of the window
        long before = THREADS.getThreadAllocatedBytes(tid);
        for (int i = 0; i < iterations; i++) {
            run.run();
        }
        return THREADS.getThreadAllocatedBytes(tid) - before;
    }
}
