package dev.sonde.bpf.jit;

import static net.bytebuddy.jar.asm.Opcodes.*;

import dev.sonde.bpf.isa.Op;
import net.bytebuddy.jar.asm.MethodVisitor;

/**
 * ALU and jump instructions as JVM arithmetic on the register locals, with the semantics of
 * {@link dev.sonde.bpf.vm.Interpreter}: 32-bit operations work on the low halves and zero-extend
 * (the JVM's {@code int} shifts already mask the count by 31 and {@code long} shifts by 63, as eBPF
 * does), division by zero gives 0 and modulo by zero keeps the dividend, signed division is the
 * JVM's (which wraps MIN / -1 as eBPF does).
 *
 * <p>Division by a constant is emitted inline so that C2 turns it into a multiplication: plain
 * JVM division when the divisor is positive and the dividend is known to be non-negative (see
 * {@link FunctionGen#nonNegative}: the result of a 32-bit operation, a logical right shift, a
 * zero-extending load, …), else the allocation-free {@link dev.sonde.bpf.vm.Unsigned}.
 *
 * <p>Unsigned comparisons add {@code Long.MIN_VALUE} (or flip bit 31) to both sides and compare
 * signed, which is what {@code Long.compareUnsigned} does; for a constant side the bias is folded.
 * A 64-bit comparison of two sides known to be non-negative is a plain signed one.
 */
final class CodeGen {
    private CodeGen() {
    }

    private static final String UNSIGNED = "dev/sonde/bpf/vm/Unsigned";

    static void alu(FunctionGen g, int i, Op op, int d, int s, long imm) {
        MethodVisitor mv = g.mv;
        boolean k = op.shape == Op.Shape.ALU_K;
        switch (op) {
            case ADD64_K, ADD64_X -> bin64(g, d, s, k, imm, LADD, false);
            case SUB64_K, SUB64_X -> bin64(g, d, s, k, imm, LSUB, false);
            case MUL64_K, MUL64_X -> bin64(g, d, s, k, imm, LMUL, false);
            case OR64_K, OR64_X -> bin64(g, d, s, k, imm, LOR, false);
            case AND64_K, AND64_X -> bin64(g, d, s, k, imm, LAND, k && imm >= 0);
            case XOR64_K, XOR64_X -> bin64(g, d, s, k, imm, LXOR, false);
            case LSH64_K, LSH64_X -> shift64(g, d, s, k, imm, LSHL, false);
            case RSH64_K, RSH64_X -> shift64(g, d, s, k, imm, LUSHR, k && (imm & 63) != 0);
            case ARSH64_K, ARSH64_X -> shift64(g, d, s, k, imm, LSHR, false);
            case NEG64 -> {
                g.loadReg(d);
                mv.visitInsn(LNEG);
                g.storeReg(d, false);
            }
            case MOV64_K -> {
                g.pushLong(imm);
                g.storeReg(d, imm >= 0);
            }
            case MOV64_X -> {
                g.loadReg(s);
                g.storeReg(d, g.nonNegative(s));
            }
            case MOVSX64_8, MOVSX64_16, MOVSX64_32 -> {
                g.loadReg(s);
                mv.visitInsn(L2I);
                if (op == Op.MOVSX64_8) {
                    mv.visitInsn(I2B);
                } else if (op == Op.MOVSX64_16) {
                    mv.visitInsn(I2S);
                }
                mv.visitInsn(I2L);
                g.storeReg(d, false);
            }
            case DIV64_K, DIV64_X, MOD64_K, MOD64_X, SDIV64_K, SDIV64_X, SMOD64_K, SMOD64_X -> div64(g, op, d, s, k, imm);
            case ADD32_K, ADD32_X -> bin32(g, d, s, k, imm, IADD);
            case SUB32_K, SUB32_X -> bin32(g, d, s, k, imm, ISUB);
            case MUL32_K, MUL32_X -> bin32(g, d, s, k, imm, IMUL);
            case OR32_K, OR32_X -> bin32(g, d, s, k, imm, IOR);
            case AND32_K, AND32_X -> bin32(g, d, s, k, imm, IAND);
            case XOR32_K, XOR32_X -> bin32(g, d, s, k, imm, IXOR);
            case LSH32_K, LSH32_X -> bin32(g, d, s, k, imm, ISHL);
            case RSH32_K, RSH32_X -> bin32(g, d, s, k, imm, IUSHR);
            case ARSH32_K, ARSH32_X -> bin32(g, d, s, k, imm, ISHR);
            case NEG32 -> {
                g.loadReg(d);
                mv.visitInsn(L2I);
                mv.visitInsn(INEG);
                zeroExtend(g, d);
            }
            case MOV32_K -> {
                g.pushLong(imm & 0xffffffffL);
                g.storeReg(d, true);
            }
            case MOV32_X -> {
                g.loadReg(s);
                g.pushLong(0xffffffffL);
                mv.visitInsn(LAND);
                g.storeReg(d, true);
            }
            case MOVSX32_8, MOVSX32_16 -> {
                g.loadReg(s);
                mv.visitInsn(L2I);
                mv.visitInsn(op == Op.MOVSX32_8 ? I2B : I2S);
                zeroExtend(g, d);
            }
            case DIV32_K, DIV32_X, MOD32_K, MOD32_X, SDIV32_K, SDIV32_X, SMOD32_K, SMOD32_X -> div32(g, op, d, s, k, imm);
            case LE16, LE32 -> {
                g.loadReg(d);
                g.pushLong(op == Op.LE16 ? 0xffffL : 0xffffffffL);
                mv.visitInsn(LAND);
                g.storeReg(d, true);
            }
            case LE64 -> {
                // To little-endian on a little-endian machine, 64 bits wide: no operation.
            }
            case BE16, BSWAP16 -> {
                g.loadReg(d);
                mv.visitInsn(L2I);
                mv.visitInsn(I2S);
                mv.visitMethodInsn(INVOKESTATIC, "java/lang/Short", "reverseBytes", "(S)S", false);
                mv.visitInsn(I2L);
                g.pushLong(0xffffL);
                mv.visitInsn(LAND);
                g.storeReg(d, true);
            }
            case BE32, BSWAP32 -> {
                g.loadReg(d);
                mv.visitInsn(L2I);
                mv.visitMethodInsn(INVOKESTATIC, "java/lang/Integer", "reverseBytes", "(I)I", false);
                zeroExtend(g, d);
            }
            case BE64, BSWAP64 -> {
                g.loadReg(d);
                mv.visitMethodInsn(INVOKESTATIC, "java/lang/Long", "reverseBytes", "(J)J", false);
                g.storeReg(d, false);
            }
            case LDDW, LDDW_MAP_FD, LDDW_MAP_VALUE, LDDW_BTF_ID, LDDW_FUNC, LDDW_MAP_IDX, LDDW_MAP_IDX_VALUE -> {
                g.pushLong(imm);                          // resolved when the program was loaded
                g.storeReg(d, imm >= 0);
            }
            default -> throw new AssertionError(op + " at insn " + i + " is no ALU operation");
        }
    }

    private static void bin64(FunctionGen g, int d, int s, boolean k, long imm, int jvmOp, boolean nonNeg) {
        g.loadReg(d);
        operand64(g, s, k, imm);
        g.mv.visitInsn(jvmOp);
        g.storeReg(d, nonNeg);
    }

    private static void shift64(FunctionGen g, int d, int s, boolean k, long imm, int jvmOp, boolean nonNeg) {
        g.loadReg(d);
        if (k) {
            g.pushInt((int) imm & 63);
        } else {
            g.loadReg(s);
            g.mv.visitInsn(L2I);
        }
        g.mv.visitInsn(jvmOp);
        g.storeReg(d, nonNeg);
    }

    private static void bin32(FunctionGen g, int d, int s, boolean k, long imm, int jvmOp) {
        g.loadReg(d);
        g.mv.visitInsn(L2I);
        operand32(g, s, k, imm);
        g.mv.visitInsn(jvmOp);
        zeroExtend(g, d);
    }

    private static void operand64(FunctionGen g, int s, boolean k, long imm) {
        if (k) {
            g.pushLong(imm);
        } else {
            g.loadReg(s);
        }
    }

    private static void operand32(FunctionGen g, int s, boolean k, long imm) {
        if (k) {
            g.pushInt((int) imm);
        } else {
            g.loadReg(s);
            g.mv.visitInsn(L2I);
        }
    }

    /** int on the stack → zero-extended into register d. */
    private static void zeroExtend(FunctionGen g, int d) {
        g.mv.visitInsn(I2L);
        g.pushLong(0xffffffffL);
        g.mv.visitInsn(LAND);
        g.storeReg(d, true);
    }

    private static void div64(FunctionGen g, Op op, int d, int s, boolean k, long imm) {
        MethodVisitor mv = g.mv;
        boolean mod = op == Op.MOD64_K || op == Op.MOD64_X || op == Op.SMOD64_K || op == Op.SMOD64_X;
        boolean signed = op.variant != 0;
        if (k && imm == 0) {
            if (!mod) {                                   // x / 0 = 0; x % 0 = x
                mv.visitInsn(LCONST_0);
                g.storeReg(d, true);
            }
            return;
        }
        g.loadReg(d);
        if (!k) {
            g.loadReg(s);
            String name = (signed ? "s" : "u") + (mod ? "mod64" : "div64");
            mv.visitMethodInsn(INVOKESTATIC, FunctionGen.RT, name, "(JJ)J", false);
            g.storeReg(d, false);
            return;
        }
        g.pushLong(imm);
        if (signed || imm > 0 && g.nonNegative(d)) {
            mv.visitInsn(mod ? LREM : LDIV);
            g.storeReg(d, !signed);
        } else {
            mv.visitMethodInsn(INVOKESTATIC, UNSIGNED, mod ? "rem" : "div", "(JJ)J", false);
            // Unsigned x / d for d >= 2 and x % d for d > 0 fit in 63 bits.
            g.storeReg(d, mod ? imm > 0 : imm > 1 || imm < 0);
        }
    }

    private static void div32(FunctionGen g, Op op, int d, int s, boolean k, long imm) {
        MethodVisitor mv = g.mv;
        boolean mod = op == Op.MOD32_K || op == Op.MOD32_X || op == Op.SMOD32_K || op == Op.SMOD32_X;
        boolean signed = op.variant != 0;
        if (!k) {
            g.loadReg(d);
            g.loadReg(s);
            String name = (signed ? "s" : "u") + (mod ? "mod32" : "div32");
            mv.visitMethodInsn(INVOKESTATIC, FunctionGen.RT, name, "(JJ)J", false);
            g.storeReg(d, true);
            return;
        }
        int c = (int) imm;
        if (c == 0) {
            if (mod) {                                    // keep the low half, zero-extended
                g.loadReg(d);
                g.pushLong(0xffffffffL);
                mv.visitInsn(LAND);
            } else {
                mv.visitInsn(LCONST_0);
            }
            g.storeReg(d, true);
            return;
        }
        if (signed) {
            g.loadReg(d);
            mv.visitInsn(L2I);
            g.pushInt(c);
            mv.visitInsn(mod ? IREM : IDIV);
            zeroExtend(g, d);
            return;
        }
        // Both sides as non-negative longs: a plain long division C2 turns into a multiplication.
        g.loadReg(d);
        g.pushLong(0xffffffffL);
        mv.visitInsn(LAND);
        g.pushLong(c & 0xffffffffL);
        mv.visitInsn(mod ? LREM : LDIV);
        g.storeReg(d, true);
    }

    static void jump(FunctionGen g, Op op, int d, int s, long imm, int target) {
        MethodVisitor mv = g.mv;
        if (op == Op.JA || op == Op.JA32) {
            mv.visitJumpInsn(GOTO, g.label(target));
            return;
        }
        boolean k = op.shape == Op.Shape.JMP_K;
        boolean wide = (op.opcode & 7) == 5;              // class JMP compares 64 bits, JMP32 the low halves
        int cond = switch (op) {
            case JEQ64_K, JEQ64_X, JEQ32_K, JEQ32_X -> IFEQ;
            case JNE64_K, JNE64_X, JNE32_K, JNE32_X, JSET64_K, JSET64_X, JSET32_K, JSET32_X -> IFNE;
            case JGT64_K, JGT64_X, JGT32_K, JGT32_X, JSGT64_K, JSGT64_X, JSGT32_K, JSGT32_X -> IFGT;
            case JGE64_K, JGE64_X, JGE32_K, JGE32_X, JSGE64_K, JSGE64_X, JSGE32_K, JSGE32_X -> IFGE;
            case JLT64_K, JLT64_X, JLT32_K, JLT32_X, JSLT64_K, JSLT64_X, JSLT32_K, JSLT32_X -> IFLT;
            case JLE64_K, JLE64_X, JLE32_K, JLE32_X, JSLE64_K, JSLE64_X, JSLE32_K, JSLE32_X -> IFLE;
            default -> throw new AssertionError(op + " is no conditional jump");
        };
        boolean set = switch (op) {
            case JSET64_K, JSET64_X, JSET32_K, JSET32_X -> true;
            default -> false;
        };
        boolean unsigned = switch (op) {
            case JGT64_K, JGT64_X, JGT32_K, JGT32_X, JGE64_K, JGE64_X, JGE32_K, JGE32_X,
                 JLT64_K, JLT64_X, JLT32_K, JLT32_X, JLE64_K, JLE64_X, JLE32_K, JLE32_X -> true;
            default -> false;
        };
        if (wide && unsigned && g.nonNegative(d) && (k ? imm >= 0 : g.nonNegative(s))) {
            // Both sides are non-negative as signed longs, where unsigned order is signed order:
            // a plain compare instead of two sign flips (C2 of JDK 17 does not see through them).
            unsigned = false;
        }
        if (wide) {
            g.loadReg(d);
            if (unsigned) {
                g.pushLong(Long.MIN_VALUE);
                mv.visitInsn(LXOR);
            }
            if (k) {
                g.pushLong(unsigned ? imm ^ Long.MIN_VALUE : imm);
            } else {
                g.loadReg(s);
                if (unsigned) {
                    g.pushLong(Long.MIN_VALUE);
                    mv.visitInsn(LXOR);
                }
            }
            if (set) {
                mv.visitInsn(LAND);
                mv.visitInsn(LCONST_0);
            }
            mv.visitInsn(LCMP);
            mv.visitJumpInsn(cond, g.label(target));
            return;
        }
        g.loadReg(d);
        mv.visitInsn(L2I);
        if (unsigned) {
            g.pushInt(Integer.MIN_VALUE);
            mv.visitInsn(IXOR);
        }
        if (k) {
            g.pushInt(unsigned ? (int) imm ^ Integer.MIN_VALUE : (int) imm);
        } else {
            g.loadReg(s);
            mv.visitInsn(L2I);
            if (unsigned) {
                g.pushInt(Integer.MIN_VALUE);
                mv.visitInsn(IXOR);
            }
        }
        if (set) {
            mv.visitInsn(IAND);
            mv.visitJumpInsn(IFNE, g.label(target));
        } else {
            mv.visitJumpInsn(cond + (IF_ICMPEQ - IFEQ), g.label(target));
        }
    }
}
