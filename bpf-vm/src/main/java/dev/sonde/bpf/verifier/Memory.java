package dev.sonde.bpf.verifier;

import dev.sonde.bpf.isa.Insn;
import dev.sonde.bpf.isa.Op;

/**
 * Loads, stores and atomics. Every access must be inside its region for every offset the base
 * pointer can have, with the region's permission; the stack is tracked byte by byte
 * ({@link StackState}) so that uninitialised reads are refused and spilled registers come back
 * with their types.
 */
final class Memory {
    private Memory() {
    }

    static void load(Env env, VerifierState st, Insn in) {
        Op op = in.op();
        int size = op.accessSize();
        boolean signed = op.opcode == 0x81 || op.opcode == 0x89 || op.opcode == 0x91;
        Reg base = pointer(env, st, in.src(), "load");
        Scalar eff = offset(base, in.off());
        if (op.shape == Op.Shape.LOAD_ACQ) {
            checkAligned(st.pc, in.src(), eff, size, "load-acquire");
        }
        Reg result = switch (base.kind) {
            case CTX -> loadCtx(env, st.pc, base, in.src(), eff, size, signed);
            case STACK -> loadStack(env, st, base, eff, size, signed);
            default -> {
                checkBounds(env, st.pc, base, in.src(), eff, size, "load");
                Reg frozen = frozenLoad(env, base, eff, size, signed);
                yield frozen != null ? frozen : Reg.scalar(signed ? Scalar.signedOfWidth(size) : Scalar.ofWidth(size));
            }
        };
        fact(env, st, base, eff, size, false);
        st.set(in.dst(), result);
    }

    static void store(Env env, VerifierState st, Insn in) {
        Op op = in.op();
        int size = op.accessSize();
        Reg base = pointer(env, st, in.dst(), "store");
        Reg value = op.shape == Op.Shape.ST ? Reg.constant(in.imm()) : env.read(st, in.src());
        Scalar eff = offset(base, in.off());
        if (op.shape == Op.Shape.STORE_REL) {
            checkAligned(st.pc, in.dst(), eff, size, "store-release");
        }
        if (value.isPtr() && size != 8) {
            throw Env.fail(st.pc, "partial store of pointer R" + in.src() + " (" + size + " of its 8 bytes) prohibited");
        }
        if (base.kind == PointerKind.STACK) {
            storeStack(env, st, base, eff, size, value, in.src());
        } else {
            checkWritable(env, st.pc, base, in.dst());
            checkBounds(env, st.pc, base, in.dst(), eff, size, "store");
            if (value.isPtr() && !env.cfg.allowPointerLeaks()) {
                throw Env.fail(st.pc, "R" + in.src() + " is a pointer: storing it into " + base.kind.logName
                    + " would leak an address (only scalars may be stored there)");
            }
        }
        fact(env, st, base, eff, size, true);
    }

    static void atomic(Env env, VerifierState st, Insn in) {
        Op op = in.op();
        int size = op.accessSize();
        Reg base = pointer(env, st, in.dst(), "atomic operation");
        Reg src = env.read(st, in.src());
        boolean cmpxchg = op.discrValue == 0xf1;
        boolean fetch = (op.discrValue & 1) != 0;
        if (!src.isScalar()) {
            throw Env.fail(st.pc, "atomic operand R" + in.src() + " must be a scalar, not a pointer");
        }
        if (cmpxchg && !env.read(st, 0).isScalar()) {
            throw Env.fail(st.pc, "cmpxchg compares with R0, which must be a scalar");
        }
        if (base.kind == PointerKind.CTX) {
            throw Env.fail(st.pc, "atomic operation on the context prohibited (the context is read-only)");
        }
        Scalar eff = offset(base, in.off());
        checkAligned(st.pc, in.dst(), eff, size, "atomic " + op.mnemonic);
        if (base.kind == PointerKind.STACK) {
            Frame f = stackFrame(env, st, base, eff, size, "atomic operation");
            int lo = (int) eff.smin, hi = (int) eff.smax + size;
            int bad = f.stack.firstUninit(lo, hi);
            if (bad >= 0) {
                throw Env.fail(st.pc, "atomic operation reads uninitialised stack at fp" + (bad - 512));
            }
            if (f.stack.firstPointer(lo, hi) >= 0) {
                throw Env.fail(st.pc, "atomic operation on a spilled pointer at fp" + (lo - 512) + " prohibited");
            }
            if (eff.isConst()) {
                f.stack.write(lo, size, false);
            } else {
                f.stack.writeSomewhere(lo, hi, false);
            }
        } else {
            checkWritable(env, st.pc, base, in.dst());
            checkBounds(env, st.pc, base, in.dst(), eff, size, "atomic operation");
        }
        fact(env, st, base, eff, size, true);
        if (cmpxchg) {
            st.set(0, Reg.scalar(Scalar.ofWidth(size)));
        } else if (fetch) {
            st.set(in.src(), Reg.scalar(Scalar.ofWidth(size)));
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    /** The base register of an access: a non-null pointer to memory. */
    static Reg pointer(Env env, VerifierState st, int r, String what) {
        Reg g = env.read(st, r);
        if (g.isScalar()) {
            throw Env.fail(st.pc, "R" + r + " is a scalar" + (g.value.isConst() ? " (" + g.value + ")" : "")
                + ", not a pointer: invalid " + what);
        }
        if (g.maybeNull) {
            throw Env.fail(st.pc, "R" + r + " may be null: test it before the " + what);
        }
        if (!g.kind.isMemory()) {
            throw Env.fail(st.pc, "R" + r + " is a " + g.kind.logName + ", which cannot be dereferenced: invalid " + what);
        }
        return g;
    }

    static Scalar offset(Reg base, int off) {
        return off == 0 ? base.value : ScalarAlu.binary(Op.ADD64_X, base.value, Scalar.constant(off));
    }

    static String describeRegion(Env env, Reg base) {
        return switch (base.kind) {
            case MAP_VALUE, GLOBAL_DATA -> base.kind.logName + " of map " + base.region + " '" + env.map(base.region).name() + "'";
            case STACK -> "the stack";
            default -> base.kind.logName;
        };
    }

    /** Every offset in {@code eff} plus {@code size} fits in the region. */
    static void checkBounds(Env env, int pc, Reg base, int r, Scalar eff, long size, String what) {
        long limit = base.size - size;
        if (eff.smin >= 0 && eff.smax <= limit) {
            return;
        }
        String region = describeRegion(env, base);
        if (eff.isConst()) {
            throw Env.fail(pc, "invalid " + what + " through R" + r + ": offset " + eff.smin + " size " + size
                + " is outside the " + base.size + " bytes of " + region);
        }
        throw Env.fail(pc, "invalid " + what + " through R" + r + ": offset in [" + eff.smin + ", " + eff.smax + "] size "
            + size + " may leave the " + base.size + " bytes of " + region + " (bound the offset with a check first)");
    }

    static void checkWritable(Env env, int pc, Reg base, int r) {
        if (base.writable) {
            return;
        }
        switch (base.kind) {
            case CTX -> throw Env.fail(pc, "cannot write into the context through R" + r + ": the context is read-only");
            case MAP_VALUE, GLOBAL_DATA -> throw Env.fail(pc, "cannot write into read-only " + describeRegion(env, base));
            default -> throw Env.fail(pc, "cannot write into read-only " + describeRegion(env, base));
        }
    }

    private static void checkAligned(int pc, int r, Scalar eff, int size, String what) {
        long m = size - 1;
        if ((eff.t.value() & m) != 0 || (eff.t.mask() & m) != 0) {
            throw Env.fail(pc, what + " through R" + r + " is misaligned: offset " + (eff.isConst() ? eff.constValue() : eff)
                + " is not a multiple of " + size);
        }
    }

    private static Reg loadCtx(Env env, int pc, Reg base, int r, Scalar eff, int size, boolean signed) {
        if (!eff.isConst()) {
            throw Env.fail(pc, "context load through R" + r + " at a variable offset " + eff + " prohibited");
        }
        long off = eff.constValue();
        if (off < 0 || off + size > base.size) {
            throw Env.fail(pc, "invalid context load: offset " + off + " size " + size + " is outside the " + base.size
                + "-byte context");
        }
        if (off % 8 != 0) {
            throw Env.fail(pc, "invalid context load: offset " + off + " size " + size
                + " is not a whole pt_regs field or its low-order bytes (offsets must be multiples of 8)");
        }
        return Reg.scalar(signed ? Scalar.signedOfWidth(size) : Scalar.ofWidth(size));
    }

    private static Frame stackFrame(Env env, VerifierState st, Reg base, Scalar eff, int size, String what) {
        if (eff.smin < 0 || eff.smax > StackState.SIZE - size) {
            if (eff.isConst()) {
                throw Env.fail(st.pc, "invalid stack " + what + ": offset fp" + (eff.smin - 512) + " size " + size
                    + " is outside the 512-byte frame");
            }
            throw Env.fail(st.pc, "invalid stack " + what + ": offset in [fp" + (eff.smin - 512) + ", fp" + (eff.smax - 512)
                + "] size " + size + " may leave the 512-byte frame (bound the offset with a check first)");
        }
        Frame f = st.frames[base.region];
        env.useStack(f.function, (int) (StackState.SIZE - eff.smin));
        return f;
    }

    private static Reg loadStack(Env env, VerifierState st, Reg base, Scalar eff, int size, boolean signed) {
        Frame f = stackFrame(env, st, base, eff, size, "read");
        StackState s = f.stack;
        int lo = (int) eff.smin, hi = (int) eff.smax + size;
        int bad = s.firstUninit(lo, hi);
        if (bad >= 0) {
            throw Env.fail(st.pc, "invalid read from stack: fp" + (bad - 512) + " is not initialised"
                + (eff.isConst() ? " (load of " + size + " bytes at fp" + (lo - 512) + ")" : " (variable-offset load)"));
        }
        if (eff.isConst() && size == 8) {
            Reg sp = s.spilled(lo);
            if (sp != null) {
                if (!sp.isInit()) {
                    throw Env.fail(st.pc, "the stack slot fp" + (lo - 512) + " holds a ring-buffer record released at insn "
                        + sp.releasedAt + " (use after release)");
                }
                return sp;
            }
        }
        int p = s.firstPointer(lo, hi);
        if (p >= 0) {
            throw Env.fail(st.pc, "partial or misaligned read of the pointer spilled at fp" + ((p & ~7) - 512) + " prohibited");
        }
        if (s.allZero(lo, hi)) {
            return Reg.constant(0);
        }
        if (eff.isConst()) {
            Reg sp = s.spill[lo >>> 3];
            if (sp != null && sp.value.isConst() && (lo >>> 3) == ((lo + size - 1) >>> 3)) {
                long v = sp.value.constValue() >>> (8 * (lo & 7));
                v = size == 8 ? v : v & ((1L << (8 * size)) - 1);
                if (signed) {
                    v = v << (64 - 8 * size) >> (64 - 8 * size);
                }
                return Reg.constant(v);
            }
        }
        return Reg.scalar(signed ? Scalar.signedOfWidth(size) : Scalar.ofWidth(size));
    }

    private static void storeStack(Env env, VerifierState st, Reg base, Scalar eff, int size, Reg value, int src) {
        Frame f = stackFrame(env, st, base, eff, size, "write");
        int lo = (int) eff.smin;
        if (value.isPtr()) {
            if (!eff.isConst() || (lo & 7) != 0) {
                throw Env.fail(st.pc, "spill of pointer R" + src + " to a variable or misaligned stack offset prohibited");
            }
            if (value.kind == PointerKind.STACK && value.region > base.region) {
                throw Env.fail(st.pc, "R" + src + " points into a callee's stack frame: storing it into frame "
                    + base.region + " would let it outlive the call");
            }
            f.stack.spill(lo, value);
            return;
        }
        boolean zero = size == 8 ? value.value.isConst(0)
            : value.value.isConst() && (value.value.constValue() & ((1L << (8 * size)) - 1)) == 0;
        if (!eff.isConst()) {
            f.stack.writeSomewhere(lo, (int) eff.smax + size, zero);
        } else if (size == 8 && (lo & 7) == 0) {
            f.stack.spill(lo, value);
        } else {
            f.stack.write(lo, size, zero);
        }
    }

    /** A load from frozen read-only data at a constant offset folds to the stored constant. */
    private static Reg frozenLoad(Env env, Reg base, Scalar eff, int size, boolean signed) {
        if (base.kind != PointerKind.GLOBAL_DATA || base.writable || !eff.isConst()) {
            return null;
        }
        byte[] data = env.map(base.region).frozen();
        if (data == null) {
            return null;
        }
        int off = (int) eff.constValue();
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = v << 8 | (data[off + i] & 0xff);
        }
        if (signed) {
            v = v << (64 - 8 * size) >> (64 - 8 * size);
        }
        return Reg.constant(v);
    }

    private static void fact(Env env, VerifierState st, Reg base, Scalar eff, int size, boolean write) {
        int region = base.kind == PointerKind.STACK ? base.region - st.depth : base.region;
        env.fact(st.pc, new AccessFact(base.kind, region, eff.smin, eff.smax, size, true, write));
    }
}
