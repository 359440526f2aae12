package dev.sonde.bpf.helper;

import dev.sonde.bpf.vm.Cpu;

/**
 * What helpers keep per execution slot so that the probe path allocates nothing: a formatter, an
 * argument buffer, a frame buffer for stack walks. Created the first time a Cpu calls a helper that
 * needs it, then reused for the Cpu's life; only the thread holding the Cpu touches it.
 */
final class SlotState {
    /** The deepest stack a helper walks (Linux's sysctl_perf_event_max_stack default is 127). */
    static final int MAX_FRAMES = 127;

    final TraceFormat format = new TraceFormat();
    /** Arguments of a printf-style helper, as little-endian u64. */
    final byte[] args = new byte[8 * TraceFormat.MAX_ARGS];
    final long[] frames = new long[MAX_FRAMES];

    static SlotState of(Cpu cpu) {
        Object s = cpu.helperState;
        if (s instanceof SlotState st) {
            return st;
        }
        SlotState st = new SlotState();
        cpu.helperState = st;
        return st;
    }
}
