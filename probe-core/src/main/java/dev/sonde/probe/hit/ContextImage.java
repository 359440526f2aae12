package dev.sonde.probe.hit;

import dev.sonde.bpf.ctx.PtRegs;
import dev.sonde.bpf.mem.Addr;
import dev.sonde.bpf.vm.Cpu;

/**
 * The pt_regs image and the stack snapshot of one slot's hit, filled from a {@link ProbeHit} by the
 * {@link ContextLayout} table and exposed read-only to the slot's programs: the image as the
 * context region, the snapshot as caller region {@link #SNAPSHOT_CALLER}.
 *
 * <p>Assumption: one image per slot, touched only by the slot's holder. Both arrays are allocated
 * once; {@link #fill} allocates nothing and writes every field, so nothing of an earlier hit shows.
 * The image is filled once per hit; every program of the hit reads the same bytes.
 */
public final class ContextImage {
    /** The caller-memory index (bpf-vm {@code Cpu.bindCaller}) of the stack snapshot: the last one. */
    public static final int SNAPSHOT_CALLER = Addr.CALLER_COUNT - 1;
    /** The address {@code sp} holds: byte 0 of the snapshot. */
    public static final long SNAPSHOT_ADDRESS = Addr.of(Addr.CALLER_0 + SNAPSHOT_CALLER, 0);

    private final byte[] regs = new byte[PtRegs.SIZE];
    private final byte[] snapshot = new byte[StackSnapshot.MAX_SIZE];

    /** Writes {@code hit} into the image and snapshot, binds both on {@code cpu}; returns the context address. */
    public long fill(Cpu cpu, ProbeHit hit) {
        int n = hit.paramCount();
        PtRegs.put(snapshot, StackSnapshot.CALLER, hit.caller());
        for (int p = StackSnapshot.FIRST_PARAM; p <= n; p++) {
            PtRegs.put(snapshot, StackSnapshot.offset(p), hit.param(p - 1));
        }
        long sp = cpu.bindCaller(SNAPSHOT_CALLER, snapshot, 0, StackSnapshot.size(n), false);
        int[] offsets = ContextLayout.OFFSETS;
        ContextLayout.Source[] sources = ContextLayout.SOURCES;
        for (int i = 0; i < offsets.length; i++) {
            long v = switch (sources[i]) {
                case PARAM -> {
                    int p = ContextLayout.PARAMS[i];
                    yield p <= n ? hit.param(p - 1) : 0;
                }
                // DESIGN §4: a constructor's object is not initialised at entry, so r12 is 0 there.
                case THIS -> hit.thisVisible() ? hit.thisHandle() : 0;
                case STACK_SNAPSHOT -> sp;
                case RETURN -> hit.atReturn() ? hit.ret() : 0;
                case METHOD -> hit.methodAddress();
                case FLAGS -> hit.exceptional() ? PtRegs.FLAG_EXCEPTIONAL : 0;
                case ZERO -> 0;
            };
            PtRegs.put(regs, offsets[i], v);
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
