package dev.sonde.probe.hit;

import dev.sonde.bpf.ctx.PtRegs;
import dev.sonde.bpf.mem.Addr;
import dev.sonde.bpf.vm.Cpu;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The pt_regs image and the stack snapshot of one slot's hit, filled from a {@link ProbeHit} by the
 * {@link ContextLayout} table and exposed read-only to the slot's programs: the image as the
 * context region, the snapshot as caller region {@link #SNAPSHOT_CALLER}.
 *
 * <p>Assumption: one image per slot, touched only by the slot's holder. Both arrays are allocated
 * once; {@link #fill} allocates nothing. It writes every field of the {@link ContextReads} mask it
 * is given (all of them with {@link ContextReads#ALL}): a field outside the mask keeps the value of
 * an earlier hit on this slot, which is harmless because the program it is filled for provably
 * cannot read it. ZERO fields are never written with anything but 0, so they are not rewritten.
 * The snapshot is filled and bound only when {@code sp} is in the mask.
 */
public final class ContextImage {
    /** The caller-memory index (bpf-vm {@code Cpu.bindCaller}) of the stack snapshot: the last one. */
    public static final int SNAPSHOT_CALLER = Addr.CALLER_COUNT - 1;
    /** The address {@code sp} holds: byte 0 of the snapshot. */
    public static final long SNAPSHOT_ADDRESS = Addr.of(Addr.CALLER_0 + SNAPSHOT_CALLER, 0);

    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long SP = ContextReads.bit(PtRegs.SP);
    /** The fields with a source other than ZERO. */
    private static final long WRITTEN;
    /** Per field index: its source's ordinal and, for PARAM, the 1-based parameter. */
    private static final int[] SOURCE = new int[ContextReads.FIELD_COUNT];
    private static final int[] PARAM = new int[ContextReads.FIELD_COUNT];

    static {
        long w = 0;
        for (ContextLayout.Field f : ContextLayout.FIELDS) {
            int i = f.offset() >>> 3;
            SOURCE[i] = f.source().ordinal();
            PARAM[i] = f.param();
            if (f.source() != ContextLayout.Source.ZERO) {
                w |= 1L << i;
            }
        }
        WRITTEN = w;
    }

    private static final int S_PARAM = ContextLayout.Source.PARAM.ordinal();
    private static final int S_THIS = ContextLayout.Source.THIS.ordinal();
    private static final int S_STACK = ContextLayout.Source.STACK_SNAPSHOT.ordinal();
    private static final int S_RETURN = ContextLayout.Source.RETURN.ordinal();
    private static final int S_METHOD = ContextLayout.Source.METHOD.ordinal();
    private static final int S_FLAGS = ContextLayout.Source.FLAGS.ordinal();

    private final byte[] regs = new byte[PtRegs.SIZE];
    private final byte[] snapshot = new byte[StackSnapshot.MAX_SIZE];

    /** Writes all of {@code hit} into the image and snapshot, binds both on {@code cpu}; returns the context address. */
    public long fill(Cpu cpu, ProbeHit hit) {
        return fill(cpu, hit, ContextReads.ALL);
    }

    /** As {@link #fill(Cpu, ProbeHit)}, writing only the fields of {@code fields} ({@link ContextReads}). */
    public long fill(Cpu cpu, ProbeHit hit, long fields) {
        int n = hit.paramCount();
        long sp = 0;
        if ((fields & SP) != 0) {
            I64.set(snapshot, StackSnapshot.CALLER, hit.caller());
            for (int p = StackSnapshot.FIRST_PARAM; p <= n; p++) {
                I64.set(snapshot, StackSnapshot.offset(p), hit.param(p - 1));
            }
            sp = cpu.bindCaller(SNAPSHOT_CALLER, snapshot, 0, StackSnapshot.size(n), false);
        }
        for (long m = fields & WRITTEN; m != 0; m &= m - 1) {
            int i = Long.numberOfTrailingZeros(m);
            int s = SOURCE[i];
            long v;
            if (s == S_PARAM) {
                int p = PARAM[i];
                v = p <= n ? hit.param(p - 1) : 0;
            } else if (s == S_THIS) {
                // DESIGN §4: a constructor's object is not initialised at entry, so r12 is 0 there.
                v = hit.thisVisible() ? hit.thisHandle() : 0;
            } else if (s == S_STACK) {
                v = sp;
            } else if (s == S_RETURN) {
                v = hit.atReturn() ? hit.ret() : 0;
            } else if (s == S_METHOD) {
                v = hit.methodAddress();
            } else if (s == S_FLAGS) {
                v = hit.exceptional() ? PtRegs.FLAG_EXCEPTIONAL : 0;
            } else {
                v = 0;
            }
            I64.set(regs, i << 3, v);
        }
        return cpu.bindContext(regs, 0, PtRegs.SIZE, false);
    }

    /** The image's bytes (for tests and the JIT's constant context). */
    byte[] regs() {
        return regs;
    }

    byte[] snapshot() {
        return snapshot;
    }
}
