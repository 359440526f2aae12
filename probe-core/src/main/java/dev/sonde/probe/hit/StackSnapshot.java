package dev.sonde.probe.hit;

/**
 * The read-only stack snapshot {@code sp} points to (DESIGN.md §3): 8-byte little-endian slots,
 * the same value encoding as registers ({@link Encoding}).
 *
 * <pre>
 * sp+0    caller's synthetic address (0 when unknown)
 * sp+8    parameter 7
 * sp+16   parameter 8
 * ...     parameter n at sp + 8 * (n - 6)
 * </pre>
 *
 * The snapshot is exactly as long as the call has parameters, so reading past the last parameter is
 * a bad access (-EFAULT from a helper, a fault from a direct load). {@code SONDE_PARM} in
 * {@code probe.h} mirrors {@link #offset}.
 */
public final class StackSnapshot {
    private StackSnapshot() {
    }

    public static final int CALLER = 0;
    public static final int SLOT = 8;
    /** The first parameter passed in the snapshot rather than a register. */
    public static final int FIRST_PARAM = dev.sonde.bpf.ctx.PtRegs.REGISTER_PARAMS + 1;

    /** Offset of declared parameter {@code n} (1-based, n ≥ 7). */
    public static int offset(int n) {
        return SLOT * (n - FIRST_PARAM + 1);
    }

    /** Size of the snapshot of a call with {@code paramCount} declared parameters. */
    public static int size(int paramCount) {
        return SLOT * (1 + Math.max(0, paramCount - FIRST_PARAM + 1));
    }

    public static final int MAX_SIZE = size(ProbeHit.MAX_PARAMS);
}
