package dev.sonde.bpf.helper;

import java.nio.charset.StandardCharsets;

/**
 * The trace-pipe line of DESIGN.md §4, exactly:
 * {@code <thread-name>-<java-thread-id> [<slot>] <seconds>.<micros>: bpf_trace_printk: <message>}
 * with the slot as three digits (as the kernel prints the CPU), seconds and microseconds of the
 * monotonic clock ({@code bpf_ktime_get_ns}), and no trailing newline (a message's own trailing
 * newline is dropped, as the kernel prints one line per call).
 */
public final class TraceLine {
    private TraceLine() {
    }

    public static String format(String threadName, long threadId, int slot, long nanos, byte[] msg, int off, int len) {
        int end = off + len;
        while (end > off && (msg[end - 1] == '\n' || msg[end - 1] == 0)) {
            end--;
        }
        String text = new String(msg, off, end - off, StandardCharsets.UTF_8);
        return String.format("%s-%d [%03d] %d.%06d: bpf_trace_printk: %s", threadName, threadId, slot,
            nanos / 1_000_000_000L, (nanos / 1_000L) % 1_000_000L, text);
    }
}
