package dev.sonde.probe.hit;

import dev.sonde.bpf.ctx.PtRegs;
import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.isa.Op;
import dev.sonde.bpf.object.LoadedProgram;
import dev.sonde.bpf.verifier.AccessFact;
import dev.sonde.bpf.verifier.PointerKind;
import dev.sonde.bpf.verifier.Proof;

/**
 * Which pt_regs fields a program may read, from its verifier proof: bit {@code i} of the mask
 * stands for the field at offset {@code 8 * i} ({@link ContextLayout#FIELDS} order). A hit fills
 * only those fields (and, for unread parameters, {@code this} and the return value, creates no
 * object handles): what a program cannot read need not be written.
 *
 * <p>Soundness. A program reaches the bytes of its context, and the hit state behind it, only by
 * <ul>
 * <li>loads through the context pointer: each has an {@link AccessFact} of kind {@code CTX}
 *     (or {@code MIXED} when paths disagree, counted as reading everything) with its offset
 *     range, in its own function or in a bpf-to-bpf callee, since the verifier tracks the pointer
 *     across calls and spills;</li>
 * <li>helpers. Memory arguments (MEM, MAP_KEY, MAP_VALUE...) reject the context pointer in the
 *     verifier (Calls.memArg), so only helpers with ANYTHING-style arguments (probe_read…), helpers
 *     that answer from the hit (get_func_arg, get_func_ret, the object helpers), tail calls (the
 *     next program reads the same image) and indirect calls can; any call outside
 *     {@link #harmless} makes the mask {@link #ALL}.</li>
 * </ul>
 * A program without a proof (verification off) reads {@link #ALL}.
 */
public final class ContextReads {
    private ContextReads() {
    }

    public static final int FIELD_COUNT = PtRegs.SIZE / 8;
    public static final long ALL = (1L << FIELD_COUNT) - 1;

    public static long bit(int offset) {
        return 1L << (offset >>> 3);
    }

    /** The fields {@code p} may read. */
    public static long of(LoadedProgram p) {
        Proof proof = p.proof();
        if (proof == null) {
            return ALL;
        }
        for (Insn in : p.program().insns()) {
            if (in == null) {
                continue;
            }
            if (in.op() == Op.CALLX || (in.op() == Op.CALL && !harmless(in.imm32()))) {
                return ALL;
            }
        }
        long mask = 0;
        for (AccessFact f : proof.access()) {
            if (f == null) {
                continue;
            }
            if (f.kind() == PointerKind.MIXED) {
                return ALL;
            }
            if (f.kind() != PointerKind.CTX) {
                continue;
            }
            long lo = Math.max(0, f.minOff());
            long hi = Math.min(PtRegs.SIZE, f.maxOff() + f.size());   // exclusive
            if (f.minOff() < 0 || f.maxOff() + f.size() > PtRegs.SIZE) {
                return ALL;   // cannot happen in an accepted program; be safe anyway
            }
            for (long off = lo & ~7L; off < hi; off += 8) {
                mask |= bit((int) off);
            }
        }
        return mask;
    }

    /**
     * Helpers that read neither context bytes nor the hit's parameters, return value or handles:
     * maps (keys and values are never the context), ring buffers, clocks, ids, random numbers,
     * get_func_ip / get_attach_cookie / get_func_arg_cnt, which a hit always fills, and the JVM
     * helpers that name the method or the thread.
     */
    static boolean harmless(int helper) {
        return switch (helper) {
            case 1, 2, 3, 5, 7, 8, 14, 15, 125, 130, 131, 132, 133, 134, 173, 174, 185, 195 -> true;
            // sonde_get_class_name, sonde_get_method_name, sonde_get_thread_name: the method and the thread only
            case JvmHelpers.GET_CLASS_NAME, JvmHelpers.GET_METHOD_NAME, JvmHelpers.GET_THREAD_NAME -> true;
            default -> false;
        };
    }
}
