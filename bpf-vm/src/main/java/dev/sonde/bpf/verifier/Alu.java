package dev.sonde.bpf.verifier;

import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.isa.Op;

/**
 * ALU instructions and {@code lddw} on registers: scalars go through {@link ScalarAlu}; on
 * pointers only adding or subtracting a scalar (64-bit) and subtracting two pointers into the same
 * region are allowed, as in Linux.
 */
final class Alu {
    private Alu() {
    }

    static void apply(Env env, VerifierState st, Insn in) {
        Op op = in.op();
        int d = in.dst();
        int pc = st.pc;
        ScalarAlu.Kind k = ScalarAlu.kind(op);
        boolean w64 = ScalarAlu.is64(op);
        switch (op.shape) {
            case UNARY, END -> {
                Reg a = scalarOperand(env, st, d, op);
                st.set(d, Reg.scalar(op.shape == Op.Shape.UNARY ? ScalarAlu.neg(op, a.value) : ScalarAlu.end(op, a.value)));
                return;
            }
            case MOVSX -> {
                Reg a = scalarOperand(env, st, in.src(), op);
                st.set(d, Reg.scalar(ScalarAlu.movsx(op, a.value)));
                return;
            }
            default -> {
            }
        }
        if (k == ScalarAlu.Kind.MOV) {
            if (op.shape == Op.Shape.ALU_K) {
                st.set(d, Reg.constant(w64 ? in.imm() : in.imm() & Scalar.M32));
                return;
            }
            Reg s = env.read(st, in.src());
            if (!w64) {
                if (s.isPtr()) {
                    throw Env.fail(pc, "mov32 of pointer R" + in.src() + " would truncate it (only 64-bit mov copies pointers)");
                }
                st.set(d, Reg.scalar(s.value.zext32()));
                return;
            }
            if (s.isScalar() && s.id == 0 && in.src() != d) {
                // Link the copies so a branch on one refines the other (find_equal_scalars).
                s = s.withId(env.newId());
                st.set(in.src(), s);
            }
            st.set(d, s);
            return;
        }
        Reg a = env.read(st, d);
        Reg b = op.shape == Op.Shape.ALU_K ? Reg.constant(in.imm()) : env.read(st, in.src());
        if ((k == ScalarAlu.Kind.DIV || k == ScalarAlu.Kind.MOD) && op.shape == Op.Shape.ALU_X) {
            env.note("insn " + pc + ": " + op.mnemonic + " by register r" + in.src()
                + " is allowed; a zero divisor gives " + (k == ScalarAlu.Kind.DIV ? "0" : "the dividend") + " (RFC 9669)");
        }
        if (a.isScalar() && b.isScalar()) {
            st.set(d, Reg.scalar(ScalarAlu.binary(op, a.value, b.value)));
            return;
        }
        st.set(d, pointerArithmetic(env, pc, op, d, a, in.src(), b));
    }

    private static Reg scalarOperand(Env env, VerifierState st, int r, Op op) {
        Reg a = env.read(st, r);
        if (!a.isScalar()) {
            throw Env.fail(st.pc, op.mnemonic + " of pointer R" + r + " prohibited (pointer arithmetic is only add/sub of a scalar)");
        }
        return a;
    }

    private static Reg pointerArithmetic(Env env, int pc, Op op, int d, Reg a, int s, Reg b) {
        ScalarAlu.Kind k = ScalarAlu.kind(op);
        String src = op.shape == Op.Shape.ALU_K ? "" + b.value : "R" + s;
        if (!ScalarAlu.is64(op)) {
            throw Env.fail(pc, "32-bit " + op.mnemonic + " on pointer " + (a.isPtr() ? "R" + d : src) + " prohibited");
        }
        if (k != ScalarAlu.Kind.ADD && k != ScalarAlu.Kind.SUB) {
            throw Env.fail(pc, "pointer arithmetic with " + op.mnemonic + " prohibited: " + (a.isPtr() ? "R" + d : src)
                + " is a pointer (only add/sub of a scalar)");
        }
        if (a.isPtr() && b.isPtr()) {
            if (k == ScalarAlu.Kind.ADD) {
                throw Env.fail(pc, "pointer + pointer prohibited (R" + d + " += R" + s + ")");
            }
            if (a.kind != b.kind || a.region != b.region || a.maybeNull || b.maybeNull || !a.kind.isMemory()) {
                throw Env.fail(pc, "subtraction of pointers into different regions prohibited (R" + d + " " + a
                    + " - R" + s + " " + b + ")");
            }
            return Reg.scalar(ScalarAlu.binary(Op.SUB64_X, a.value, b.value));
        }
        Reg ptr = a.isPtr() ? a : b;
        Reg off = a.isPtr() ? b : a;
        int preg = a.isPtr() ? d : s;
        if (k == ScalarAlu.Kind.SUB && !a.isPtr()) {
            throw Env.fail(pc, "scalar - pointer prohibited (R" + d + " -= R" + s + ")");
        }
        if (!ptr.kind.isMemory()) {
            throw Env.fail(pc, "arithmetic on " + ptr.kind.logName + " R" + preg + " prohibited");
        }
        if (ptr.maybeNull) {
            throw Env.fail(pc, "arithmetic on R" + preg + " which may be null prohibited: null-check it first");
        }
        Scalar nv = ScalarAlu.binary(k == ScalarAlu.Kind.ADD ? Op.ADD64_X : Op.SUB64_X, ptr.value, off.value);
        return ptr.withValue(nv);
    }

    static void lddw(Env env, VerifierState st, Insn in) {
        int d = in.dst();
        Op op = in.op();
        switch (op) {
            case LDDW -> st.set(d, Reg.constant(in.imm()));
            case LDDW_MAP_FD, LDDW_MAP_IDX -> {
                int idx = (int) in.imm();
                st.set(d, Reg.pointer(PointerKind.MAP_PTR, idx, 0, false, Scalar.ZERO));
            }
            case LDDW_MAP_VALUE, LDDW_MAP_IDX_VALUE -> {
                int idx = (int) in.imm();
                long off = (int) (in.imm() >>> 32);
                MapInfo m = env.map(idx);
                if (!m.hasValues()) {
                    throw Env.fail(st.pc, "direct value access to map " + idx + " '" + m.name() + "', which has no values");
                }
                st.set(d, Reg.pointer(PointerKind.GLOBAL_DATA, idx, m.valueSize(), !m.readOnly(), Scalar.constant(off)));
            }
            case LDDW_FUNC -> st.set(d, Reg.pointer(PointerKind.CODE, in.target(st.pc), 0, false, Scalar.ZERO));
            default -> throw Env.fail(st.pc, op.mnemonic + " with pseudo source " + op.discrValue + " is not supported");
        }
    }
}
