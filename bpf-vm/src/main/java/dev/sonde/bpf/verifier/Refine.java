package dev.sonde.bpf.verifier;

import static dev.sonde.bpf.verifier.Scalar.M32;

/**
 * What a conditional jump teaches about its two scalar operands on one of its branches (Linux's
 * reg_set_min_max). {@link #refine} returns the narrowed pair, or null when the branch cannot be
 * taken with any values in the inputs — how bounded loops end: the exit test's other branch becomes
 * infeasible once the counter's range passes the bound.
 */
final class Refine {
    private Refine() {
    }

    /** Comparison codes: the high nibble of the jump opcode. */
    static final int EQ = 1, GT = 2, GE = 3, SET = 4, NE = 5, SGT = 6, SGE = 7, LT = 0xa, LE = 0xb, SLT = 0xc, SLE = 0xd;
    /** Internal: the false branch of JSET. */
    static final int NSET = 0x10;

    static int negate(int cmp) {
        return switch (cmp) {
            case EQ -> NE;
            case NE -> EQ;
            case GT -> LE;
            case LE -> GT;
            case GE -> LT;
            case LT -> GE;
            case SGT -> SLE;
            case SLE -> SGT;
            case SGE -> SLT;
            case SLT -> SGE;
            case SET -> NSET;
            default -> throw new IllegalArgumentException("cmp " + cmp);
        };
    }

    /** The pair (a', b') for "a cmp b" holding, on 64 bits or on the low 32; null if impossible. */
    static Scalar[] refine(int cmp, boolean j32, Scalar a, Scalar b) {
        switch (cmp) {
            case LT:
                return swap(refine(GT, j32, b, a));
            case LE:
                return swap(refine(GE, j32, b, a));
            case SLT:
                return swap(refine(SGT, j32, b, a));
            case SLE:
                return swap(refine(SGE, j32, b, a));
            default:
                break;
        }
        Scalar na, nb;
        switch (cmp) {
            case EQ -> {
                if (j32) {
                    Tnum lo = a.t.low32().intersect(b.t.low32());
                    if (lo == null) {
                        return null;
                    }
                    long umin = Math.max(a.u32min, b.u32min), umax = Math.min(a.u32max, b.u32max);
                    long smin = Math.max(a.s32min, b.s32min), smax = Math.min(a.s32max, b.s32max);
                    na = with32(a, lo, umin, umax, smin, smax);
                    nb = with32(b, lo, umin, umax, smin, smax);
                } else {
                    na = a.meet(b);
                    nb = na;
                }
            }
            case NE -> {
                na = b.isConst() || (j32 && b.isConst32()) ? exclude(a, b.constValue(), j32) : a;
                nb = a.isConst() || (j32 && a.isConst32()) ? exclude(b, a.constValue(), j32) : b;
            }
            case GT -> {
                if (j32) {
                    if (b.u32min == M32 || a.u32max == 0) {
                        return null;
                    }
                    na = with32(a, a.t.low32(), Math.max(a.u32min, b.u32min + 1), a.u32max, a.s32min, a.s32max);
                    nb = with32(b, b.t.low32(), b.u32min, Math.min(b.u32max, a.u32max - 1), b.s32min, b.s32max);
                } else {
                    if (b.umin == -1L || a.umax == 0) {
                        return null;
                    }
                    na = withU(a, Scalar.maxU(a.umin, b.umin + 1), a.umax);
                    nb = withU(b, b.umin, Scalar.minU(b.umax, a.umax - 1));
                }
            }
            case GE -> {
                if (j32) {
                    na = with32(a, a.t.low32(), Math.max(a.u32min, b.u32min), a.u32max, a.s32min, a.s32max);
                    nb = with32(b, b.t.low32(), b.u32min, Math.min(b.u32max, a.u32max), b.s32min, b.s32max);
                } else {
                    na = withU(a, Scalar.maxU(a.umin, b.umin), a.umax);
                    nb = withU(b, b.umin, Scalar.minU(b.umax, a.umax));
                }
            }
            case SGT -> {
                if (j32) {
                    if (b.s32min == Integer.MAX_VALUE || a.s32max == Integer.MIN_VALUE) {
                        return null;
                    }
                    na = with32(a, a.t.low32(), a.u32min, a.u32max, Math.max(a.s32min, b.s32min + 1), a.s32max);
                    nb = with32(b, b.t.low32(), b.u32min, b.u32max, b.s32min, Math.min(b.s32max, a.s32max - 1));
                } else {
                    if (b.smin == Long.MAX_VALUE || a.smax == Long.MIN_VALUE) {
                        return null;
                    }
                    na = withS(a, Math.max(a.smin, b.smin + 1), a.smax);
                    nb = withS(b, b.smin, Math.min(b.smax, a.smax - 1));
                }
            }
            case SGE -> {
                if (j32) {
                    na = with32(a, a.t.low32(), a.u32min, a.u32max, Math.max(a.s32min, b.s32min), a.s32max);
                    nb = with32(b, b.t.low32(), b.u32min, b.u32max, b.s32min, Math.min(b.s32max, a.s32max));
                } else {
                    na = withS(a, Math.max(a.smin, b.smin), a.smax);
                    nb = withS(b, b.smin, Math.min(b.smax, a.smax));
                }
            }
            case SET -> {
                nb = b;
                if (!b.isConst() && !(j32 && b.isConst32())) {
                    na = a;
                    break;
                }
                long c = j32 ? b.constValue() & M32 : b.constValue();
                if (((a.t.value() | a.t.mask()) & c) == 0) {
                    return null;
                }
                na = a;
                if (Long.bitCount(c) == 1) {
                    Tnum t = a.t.intersect(new Tnum(c, ~c));
                    na = t == null ? null : Scalar.make(t, a.umin, a.umax, a.smin, a.smax, a.u32min, a.u32max, a.s32min, a.s32max);
                }
            }
            case NSET -> {
                nb = b;
                if (!b.isConst() && !(j32 && b.isConst32())) {
                    na = a;
                    break;
                }
                long c = j32 ? b.constValue() & M32 : b.constValue();
                if ((a.t.value() & c) != 0) {
                    return null;
                }
                Tnum t = a.t.intersect(new Tnum(0, ~c));
                na = t == null ? null : Scalar.make(t, a.umin, a.umax, a.smin, a.smax, a.u32min, a.u32max, a.s32min, a.s32max);
            }
            default -> throw new IllegalArgumentException("cmp " + cmp);
        }
        if (na == null || nb == null) {
            return null;
        }
        return new Scalar[] {na, nb};
    }

    private static Scalar[] swap(Scalar[] p) {
        return p == null ? null : new Scalar[] {p[1], p[0]};
    }

    private static Scalar withU(Scalar a, long lo, long hi) {
        return Scalar.make(a.t, lo, hi, a.smin, a.smax, a.u32min, a.u32max, a.s32min, a.s32max);
    }

    private static Scalar withS(Scalar a, long lo, long hi) {
        return Scalar.make(a.t, a.umin, a.umax, lo, hi, a.u32min, a.u32max, a.s32min, a.s32max);
    }

    private static Scalar with32(Scalar a, Tnum low, long umin, long umax, long smin, long smax) {
        return Scalar.make(a.t.withLow32(low), a.umin, a.umax, a.smin, a.smax, umin, umax, smin, smax);
    }

    /** a without the value c (on 64 bits, or its low half for JMP32): trims a range end equal to c. */
    private static Scalar exclude(Scalar a, long c, boolean j32) {
        if (j32) {
            long c32 = c & M32, s = (int) c;
            if (a.isConst32() && (a.t.value() & M32) == c32) {
                return null;
            }
            long umin = a.u32min == c32 ? a.u32min + 1 : a.u32min;
            long umax = a.u32max == c32 ? a.u32max - 1 : a.u32max;
            long smin = a.s32min == s ? a.s32min + 1 : a.s32min;
            long smax = a.s32max == s ? a.s32max - 1 : a.s32max;
            return Scalar.make(a.t, a.umin, a.umax, a.smin, a.smax, umin, umax, smin, smax);
        }
        if (a.isConst(c)) {
            return null;
        }
        long umin = a.umin == c ? a.umin + 1 : a.umin;
        long umax = a.umax == c ? a.umax - 1 : a.umax;
        long smin = a.smin == c ? a.smin + 1 : a.smin;
        long smax = a.smax == c ? a.smax - 1 : a.smax;
        return Scalar.make(a.t, umin, umax, smin, smax, a.u32min, a.u32max, a.s32min, a.s32max);
    }
}
