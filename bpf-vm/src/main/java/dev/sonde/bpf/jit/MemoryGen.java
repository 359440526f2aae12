package dev.sonde.bpf.jit;

import static net.bytebuddy.jar.asm.Opcodes.*;

import dev.sonde.bpf.isa.Op;
import dev.sonde.bpf.mem.Addr;
import dev.sonde.bpf.mem.Region;
import net.bytebuddy.jar.asm.MethodVisitor;

/**
 * Loads, stores and atomics. Each access takes one of three forms:
 * <ol>
 *   <li><b>Frame-relative</b>: the base register is r10 and {@code [off, off + size)} lies in
 *       {@code [-512, 0)}. r10 is read-only and known ({@link FunctionGen}), so the access is in
 *       this frame without a check: a plain array access at {@code top + off} on the Cpu's stack
 *       array. (The JVM's own array bounds check remains and is what C2 may remove.)</li>
 *   <li><b>Proven</b> by the verifier ({@link AccessProofs}): a plain array access on the Cpu's
 *       stack array, on the proven region's array, which is a class constant, or on caller
 *       region 0's array, loaded into a local at the function's entry.</li>
 *   <li><b>Checked</b>: through {@link dev.sonde.bpf.vm.Cpu#load8} and the rest, the very checks
 *       the interpreter makes, with the slot passed for the fault record.</li>
 * </ol>
 * Atomics use the first form when the offset is aligned (top is a multiple of 512, so alignment
 * is known at compile time) and the checked form otherwise, which also checks alignment; acquire
 * and release accesses are always checked (rare, and the fences dominate).
 */
final class MemoryGen {
    private MemoryGen() {
    }

    /** Whether the unchecked multi-byte accesses use JitRuntime's Unsafe forms (see there). */
    static final boolean UNSAFE = JitRuntime.U != null;

    private static final String LOAD_DESC = "(L" + FunctionGen.CPU + ";JI)J";
    private static final String STORE_DESC = "(L" + FunctionGen.CPU + ";JJI)V";

    static void access(FunctionGen g, int i, Op op, int d, int s, int off, long imm) {
        switch (op.shape) {
            case LDX -> load(g, i, op, d, s, off);
            case ST, STX -> store(g, i, op, d, s, off, imm);
            case ATOMIC -> atomic(g, i, op, d, s, off);
            case LOAD_ACQ -> {
                address(g, s, off);
                g.pushInt(op.accessSize());
                g.pushInt(i);
                g.mv.visitMethodInsn(INVOKESTATIC, FunctionGen.RT, "loadAcquire", "(L" + FunctionGen.CPU + ";JII)J", false);
                g.storeReg(d, op.accessSize() < 8);
            }
            case STORE_REL -> {
                address(g, d, off);
                g.loadReg(s);
                g.pushInt(op.accessSize());
                g.pushInt(i);
                g.mv.visitMethodInsn(INVOKESTATIC, FunctionGen.RT, "storeRelease", "(L" + FunctionGen.CPU + ";JJII)V", false);
            }
            default -> throw new AssertionError(op + " is no memory access");
        }
    }

    private static void load(FunctionGen g, int i, Op op, int d, int s, int off) {
        int size = op.accessSize();
        String suffix = Integer.toString(size * 8);
        if (!direct(g, i, s, off, size)) {
            address(g, s, off);
            g.pushInt(i);
            g.mv.visitMethodInsn(INVOKESTATIC, FunctionGen.RT, "load" + suffix, LOAD_DESC, false);
        } else if (size == 1) {
            g.mv.visitInsn(BALOAD);
            g.pushInt(0xff);
            g.mv.visitInsn(IAND);
            g.mv.visitInsn(I2L);
        } else {
            g.mv.visitMethodInsn(INVOKESTATIC, FunctionGen.RT, UNSAFE ? "uget" + suffix : "get" + suffix, "([BI)J", false);
        }
        MethodVisitor mv = g.mv;
        switch (op) {
            case LDXS_B, LDXS_H, LDXS_W -> {
                mv.visitInsn(L2I);
                if (op == Op.LDXS_B) {
                    mv.visitInsn(I2B);
                } else if (op == Op.LDXS_H) {
                    mv.visitInsn(I2S);
                }
                mv.visitInsn(I2L);
                g.storeReg(d, false);
            }
            default -> g.storeReg(d, size < 8);
        }
    }

    private static void store(FunctionGen g, int i, Op op, int d, int s, int off, long imm) {
        int size = op.accessSize();
        String suffix = Integer.toString(size * 8);
        boolean direct = direct(g, i, d, off, size);
        if (!direct) {
            address(g, d, off);
        }
        if (op.shape == Op.Shape.ST) {
            g.pushLong(imm);
        } else {
            g.loadReg(s);
        }
        if (direct && size == 1) {
            g.mv.visitInsn(L2I);
            g.mv.visitInsn(I2B);
            g.mv.visitInsn(BASTORE);
        } else if (direct) {
            g.mv.visitMethodInsn(INVOKESTATIC, FunctionGen.RT, UNSAFE ? "uput" + suffix : "put" + suffix, "([BIJ)V", false);
        } else {
            g.pushInt(i);
            g.mv.visitMethodInsn(INVOKESTATIC, FunctionGen.RT, "store" + suffix, STORE_DESC, false);
        }
    }

    private static void atomic(FunctionGen g, int i, Op op, int d, int s, int off) {
        MethodVisitor mv = g.mv;
        int size = op.accessSize();
        int variant = op.variant;
        boolean frame = frameRelative(d, off, size) && (off & (size - 1)) == 0;
        if (frame) {
            mv.visitVarInsn(ALOAD, FunctionGen.L_STACK);
            frameIndex(g, off);
        } else {
            address(g, d, off);
        }
        g.loadReg(s);
        if (variant == 10) {
            g.loadReg(0);                                  // CMPXCHG compares with r0
        } else {
            mv.visitInsn(LCONST_0);
        }
        if (frame) {
            g.pushInt(variant);
            mv.visitMethodInsn(INVOKESTATIC, FunctionGen.RT, size == 8 ? "rmw64" : "rmw32", "([BIJJI)J", false);
        } else {
            g.pushInt(size);
            g.pushInt(variant);
            g.pushInt(i);
            mv.visitMethodInsn(INVOKESTATIC, FunctionGen.RT, "atomic", "(L" + FunctionGen.CPU + ";JJJIII)J", false);
        }
        if (variant == 10) {
            g.storeReg(0, size < 8);
        } else if (variant >= 5) {                          // FETCH forms and XCHG return the old value in src
            g.storeReg(s, size < 8);
        } else {
            mv.visitInsn(POP2);
        }
    }

    /**
     * Pushes {@code array, index} for an access that needs no check and returns true, or pushes
     * nothing and returns false.
     */
    private static boolean direct(FunctionGen g, int i, int base, int off, int size) {
        MethodVisitor mv = g.mv;
        if (frameRelative(base, off, size)) {
            mv.visitVarInsn(ALOAD, FunctionGen.L_STACK);
            frameIndex(g, off);
            return true;
        }
        switch (g.proofs.kind(i)) {
            case STACK -> {
                mv.visitVarInsn(ALOAD, FunctionGen.L_STACK);
                rawAddress(g, base, off);
                mv.visitMethodInsn(INVOKESTATIC, FunctionGen.RT, "stackIndex", "(J)I", false);
                return true;
            }
            case FRAME -> {
                // Frame `depth` is stack[top - 512, top) and its addresses' offsets are 0..511.
                mv.visitVarInsn(ALOAD, FunctionGen.L_STACK);
                rawAddress(g, base, off);
                mv.visitInsn(L2I);
                mv.visitVarInsn(ILOAD, FunctionGen.L_TOP);
                mv.visitInsn(IADD);
                g.pushInt(-Addr.FRAME_SIZE);
                mv.visitInsn(IADD);
                return true;
            }
            case CALLER -> {
                // The array and base of caller region 0 were loaded at the function's entry.
                mv.visitVarInsn(ALOAD, FunctionGen.L_CALLER_DATA);
                rawAddress(g, base, off);
                mv.visitInsn(L2I);
                mv.visitVarInsn(ILOAD, FunctionGen.L_CALLER_BASE);
                mv.visitInsn(IADD);
                return true;
            }
            case REGION -> {
                Region r = g.regions.get(g.proofs.regionId(i));
                if (r == null) {
                    return false;                            // not registered (any more): check at run time
                }
                mv.visitLdcInsn(g.consts.of(r.data(), byte[].class, "region" + g.proofs.regionId(i)));
                rawAddress(g, base, off);
                mv.visitInsn(L2I);
                if (r.base() != 0) {
                    g.pushInt(r.base());
                    mv.visitInsn(IADD);
                }
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    static boolean frameRelative(int base, int off, int size) {
        return base == 10 && off >= -Addr.FRAME_SIZE && off + size <= 0;
    }

    /** Index in the stack array of {@code r10 + off}: top + off. */
    private static void frameIndex(FunctionGen g, int off) {
        g.mv.visitVarInsn(ILOAD, FunctionGen.L_TOP);
        g.pushInt(off);
        g.mv.visitInsn(IADD);
    }

    /** Pushes {@code cpu, reg + off} for a checked access. */
    private static void address(FunctionGen g, int base, int off) {
        g.mv.visitVarInsn(ALOAD, FunctionGen.L_CPU);
        rawAddress(g, base, off);
    }

    private static void rawAddress(FunctionGen g, int base, int off) {
        g.loadReg(base);
        if (off != 0) {
            g.pushLong(off);
            g.mv.visitInsn(LADD);
        }
    }
}
