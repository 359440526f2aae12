package dev.sonde.probe.control;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Run counters written on the probe path without contention or allocation: one row per
 * execution slot, each on its own cache lines.
 *
 * <p>Assumption: only the thread holding slot s writes row s (slots are held exclusively, and
 * the slot's release on exit / acquire on enter orders one holder's writes before the next
 * holder's). Guarantee: a reader sees every increment eventually and never a torn value;
 * {@link #sum} is a snapshot only to the extent that rows are read one after another.
 */
final class SlotCounters {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    /** 16 longs per row: 128 bytes, so rows of adjacent slots never share a line. */
    private static final int STRIDE = 16;
    static final int RUNS = 0;
    static final int TIME = 1;
    static final int FAULTS = 2;

    private final long[] rows;

    SlotCounters(int slots) {
        rows = new long[(slots + 1) * STRIDE];
    }

    /** Adds to a counter of the slot the caller holds. */
    void add(int slot, int counter, long delta) {
        int i = (slot + 1) * STRIDE + counter;
        // Opaque: no tearing, no reordering guarantees needed; only this slot's holder writes it.
        LONGS.setOpaque(rows, i, (long) LONGS.getOpaque(rows, i) + delta);
    }

    long sum(int counter) {
        long s = 0;
        for (int i = STRIDE + counter; i < rows.length; i += STRIDE) {
            s += (long) LONGS.getOpaque(rows, i);
        }
        return s;
    }
}
