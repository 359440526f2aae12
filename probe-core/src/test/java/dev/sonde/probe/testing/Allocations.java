package dev.sonde.probe.testing;

import java.lang.management.ManagementFactory;

/** Bytes the current thread allocates, by the JVM's per-thread counter (TLAB and outside-TLAB bytes). */
public final class Allocations {
    private Allocations() {
    }

    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /**
     * Bytes allocated by {@code iterations} runs after {@code warmup} runs: the least of up to five
     * windows. HotSpot's transitions between interpreted and compiled code (a late C2 compile, a
     * deoptimization on a busy machine) can allocate a few KB once; a path that really allocates
     * does so in every window, so the minimum tells the two apart.
     */
    @SuppressWarnings("deprecation") // Thread.getId: threadId() is JDK 19+
    public static long measure(int warmup, int iterations, Runnable run) {
        for (int i = 0; i < warmup; i++) {
            run.run();
        }
        long tid = Thread.currentThread().getId();
        THREADS.getThreadAllocatedBytes(tid); // its first call allocates; keep that out of the window
        long least = Long.MAX_VALUE;
        for (int window = 0; window < 5 && least > 0; window++) {
            long before = THREADS.getThreadAllocatedBytes(tid);
            for (int i = 0; i < iterations; i++) {
                run.run();
            }
            least = Math.min(least, THREADS.getThreadAllocatedBytes(tid) - before);
        }
        return least;
    }
}
