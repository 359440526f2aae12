package dev.sonde.bpf.verifier;

/**
 * What r1 holds when a program starts and what the context allows.
 *
 * <ul>
 * <li>KPROBE / KRETPROBE: r1 = the 168-byte x86-64 pt_regs image (DESIGN.md §3), read-only; loads
 *     of a whole 8-byte field, or of its low 1, 2 or 4 bytes (DESIGN.md §4), at a constant offset.</li>
 * <li>TIMER: r1 = a context of no readable bytes (it may only be passed to helpers).</li>
 * <li>RAW: r1 = caller memory of a known length, read-write, and r2 = that length exactly (the
 *     conformance plugin and the benchmark kernels: {@code entry(mem, len)}); with no memory, r1 and
 *     r2 are the scalar 0.</li>
 * </ul>
 */
public enum ProgramType {
    KPROBE(168),
    KRETPROBE(168),
    TIMER(0),
    RAW(0);

    /** Bytes of the context. */
    public final int ctxSize;

    ProgramType(int ctxSize) {
        this.ctxSize = ctxSize;
    }

    public static final int PT_REGS_SIZE = 168;
}
