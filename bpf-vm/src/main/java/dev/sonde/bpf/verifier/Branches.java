package dev.sonde.bpf.verifier;

import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.isa.Op;

/**
 * Conditional jumps: each branch gets a copy of the state narrowed by what the comparison implies,
 * and an impossible branch is dropped. Scalar refinements reach every copy linked by id; a
 * maybe-null pointer tested against 0 becomes null (the scalar 0) on one side and non-null on the
 * other, for all its copies, and a null ring-buffer record needs no release.
 */
final class Branches {
    private Branches() {
    }

    /** {taken, fall-through}; either is null when that branch cannot happen. */
    static VerifierState[] jump(Env env, VerifierState st, Insn in) {
        Op op = in.op();
        int cmp = op.opcode >>> 4;
        boolean j32 = (op.opcode & 7) == 6;
        boolean isK = op.shape == Op.Shape.JMP_K;
        int d = in.dst(), s = in.src();
        Reg a = env.read(st, d);
        Reg b = isK ? Reg.constant(j32 ? in.imm() & Scalar.M32 : in.imm()) : env.read(st, s);
        if (a.isScalar() && b.isScalar()) {
            if (!isK && a.id != 0 && a.id == b.id) {
                boolean always = switch (cmp) {
                    case Refine.EQ, Refine.GE, Refine.LE, Refine.SGE, Refine.SLE -> true;
                    case Refine.NE, Refine.GT, Refine.LT, Refine.SGT, Refine.SLT -> false;
                    default -> {
                        yield false;
                    }
                };
                if (cmp == Refine.SET) {
                    return new VerifierState[] {st.copy(), st};
                }
                return always ? new VerifierState[] {st, null} : new VerifierState[] {null, st};
            }
            Scalar[] t = Refine.refine(cmp, j32, a.value, b.value);
            Scalar[] f = Refine.refine(Refine.negate(cmp), j32, a.value, b.value);
            VerifierState taken = t == null ? null : narrowed(f == null ? st : st.copy(), d, a, t[0], isK ? -1 : s, b, t[1]);
            VerifierState fall = f == null ? null : narrowed(st, d, a, f[0], isK ? -1 : s, b, f[1]);
            return new VerifierState[] {taken, fall};
        }
        return pointerJump(env, st, op, cmp, j32, d, a, isK ? -1 : s, b);
    }

    private static VerifierState narrowed(VerifierState st, int d, Reg a, Scalar na, int s, Reg b, Scalar nb) {
        set(st, d, a, na);
        if (s >= 0) {
            set(st, s, b, nb);
        }
        return st;
    }

    private static void set(VerifierState st, int r, Reg old, Scalar v) {
        if (old.id != 0) {
            int id = old.id;
            st.mapAll(g -> g.isScalar() && g.id == id ? g.refined(v) : g);
        } else {
            st.set(r, old.refined(v));
        }
    }

    private static VerifierState[] pointerJump(Env env, VerifierState st, Op op, int cmp, boolean j32, int d, Reg a,
                                               int s, Reg b) {
        int pc = st.pc;
        if (a.isPtr() && b.isPtr()) {
            if (j32 || a.kind != b.kind || a.region != b.region || !a.kind.isMemory()) {
                throw Env.fail(pc, "comparison of pointers into different regions prohibited (R" + d + " " + a + ", R" + s
                    + " " + b + ")");
            }
            if (a.maybeNull || b.maybeNull) {
                throw Env.fail(pc, "comparison of pointers that may be null prohibited: null-check them first");
            }
            return new VerifierState[] {st.copy(), st};
        }
        Reg ptr = a.isPtr() ? a : b;
        Reg num = a.isPtr() ? b : a;
        int preg = a.isPtr() ? d : s;
        if (j32) {
            throw Env.fail(pc, "32-bit comparison of pointer R" + preg + " prohibited");
        }
        if (!num.value.isConst(0) || (cmp != Refine.EQ && cmp != Refine.NE)) {
            throw Env.fail(pc, "comparison of pointer R" + preg + " with a number prohibited (only == 0 and != 0 tests,"
                + " or comparison with a pointer into the same region)");
        }
        VerifierState isNull = null, nonNull;
        if (ptr.maybeNull) {
            isNull = st.copy();
            markNull(isNull, ptr);
            nonNull = st;
            int id = ptr.id;
            nonNull.mapAll(g -> g.isPtr() && g.maybeNull && g.id == id ? g.withNull(false, 0) : g);
        } else {
            nonNull = st;
        }
        return cmp == Refine.EQ ? new VerifierState[] {isNull, nonNull} : new VerifierState[] {nonNull, isNull};
    }

    /** On the null branch every copy of the pointer is the number 0, and its reference is void. */
    private static void markNull(VerifierState st, Reg ptr) {
        int id = ptr.id;
        int ref = ptr.refId;
        st.mapAll(g -> g.isPtr() && (g.id == id && g.maybeNull || ref != 0 && g.refId == ref) ? Reg.constant(0) : g);
        if (ref != 0) {
            st.release(ref);
        }
    }
}
