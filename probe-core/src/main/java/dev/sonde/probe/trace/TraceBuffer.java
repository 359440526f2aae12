package dev.sonde.probe.trace;

import dev.sonde.bpf.helper.TraceLine;
import dev.sonde.bpf.helper.TracePipe;
import dev.sonde.bpf.vm.Cpu;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The trace pipe: {@code bpf_printk} lines kept per slot and read as DESIGN.md §4 lines.
 *
 * <p>Assumptions: the writer of slot {@code i}'s ring is the thread holding slot {@code i} (one at
 * a time, see {@link TraceRing}); {@code cpu.id} is below the slot count given here.
 *
 * <p>Guarantees: {@link #write} copies the message, the thread's name and id, the slot and a
 * {@code System.nanoTime} timestamp (the clock of {@code bpf_ktime_get_ns}) and returns without
 * allocating, blocking or throwing; when the slot's ring is full the line is dropped and counted
 * ({@link #dropped}). {@link #drain} hands over lines in timestamp order across slots among the
 * lines it takes (ties: lower slot first). A line whose write is still in progress when a drain
 * looks is left for the next drain, which may then emit it after later-stamped lines of the drain
 * before: order is exact within one drain, and within one slot always.
 */
public final class TraceBuffer implements TracePipe {
    /** The default ring size per slot. */
    public static final int DEFAULT_RING_BYTES = 64 * 1024;

    private final TraceRing[] rings;

    public TraceBuffer(int slots) {
        this(slots, DEFAULT_RING_BYTES);
    }

    /** {@code slots} rings of {@code ringBytes} each (a power of two, at least 1024). */
    public TraceBuffer(int slots, int ringBytes) {
        rings = new TraceRing[slots];
        for (int i = 0; i < slots; i++) {
            rings[i] = new TraceRing(ringBytes);
        }
    }

    @Override
    public void write(Cpu cpu, byte[] msg, int off, int len) {
        int slot = cpu.id;
        if (slot < 0 || slot >= rings.length) {
            return;
        }
        rings[slot].write(System.nanoTime(), Thread.currentThread(), msg, off, len);
    }

    /** {@link #write} with a given timestamp and thread (for tests that need exact stamps). */
    void write(int slot, long nanos, Thread thread, byte[] msg, int off, int len) {
        rings[slot].write(nanos, thread, msg, off, len);
    }

    /** Lines dropped because a ring was full, over all slots. */
    public long dropped() {
        long n = 0;
        for (TraceRing r : rings) {
            n += r.dropped();
        }
        return n;
    }

    /** Formats and hands over every complete line, oldest first; returns how many. */
    public synchronized int drain(Consumer<String> out) {
        int slots = rings.length;
        long[] pos = new long[slots];
        long[] end = new long[slots];
        for (int i = 0; i < slots; i++) {
            pos[i] = rings[i].consumed();
            end[i] = rings[i].available();
        }
        byte[] msg = new byte[TraceRecord.MAX_MESSAGE];
        byte[] name = new byte[TraceRecord.MAX_NAME];
        int lines = 0;
        while (true) {
            int best = -1;
            long bestTime = 0;
            for (int i = 0; i < slots; i++) {
                if (pos[i] < end[i]) {
                    long t = rings[i].get64(pos[i] + TraceRecord.TIMESTAMP);
                    // nanoTime values are compared by difference: they may wrap.
                    if (best < 0 || t - bestTime < 0) {
                        best = i;
                        bestTime = t;
                    }
                }
            }
            if (best < 0) {
                return lines;
            }
            TraceRing r = rings[best];
            long p = pos[best];
            long tid = r.get64(p + TraceRecord.THREAD_ID);
            int nameLen = r.get16(p + TraceRecord.NAME_LENGTH);
            int msgLen = r.get16(p + TraceRecord.MESSAGE_LENGTH);
            r.copy(p + TraceRecord.HEADER, name, 0, nameLen);
            r.copy(p + TraceRecord.HEADER + nameLen, msg, 0, msgLen);
            pos[best] = p + TraceRecord.footprint(nameLen, msgLen);
            r.release(pos[best]);
            String threadName = new String(name, 0, nameLen, StandardCharsets.UTF_8);
            out.accept(TraceLine.format(threadName, tid, best, bestTime, msg, 0, msgLen));
            lines++;
        }
    }

    /** Drains to {@code out}, one line each. */
    public int drainTo(PrintStream out) {
        return drain(out::println);
    }
}
