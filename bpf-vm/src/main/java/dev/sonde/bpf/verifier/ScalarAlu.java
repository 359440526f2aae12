package dev.sonde.bpf.verifier;

import static dev.sonde.bpf.verifier.Scalar.M32;

import dev.sonde.bpf.isa.Op;

/**
 * Transfer functions of the ALU on {@link Scalar}s: for every operation, a result that holds every
 * concrete value the interpreter can compute from operands in the inputs. Constants fold exactly,
 * with the interpreter's rules (RFC 9669: division by zero gives 0, modulo by zero keeps the
 * dividend, shift counts are masked).
 *
 * <p>32-bit operations are computed on the zero-extended low halves and truncated back
 * ({@link Scalar#truncate32}); for add, sub and mul a second computation on the sign-extended halves
 * is met with the first, so that small negative 32-bit values keep tight signed bounds.
 */
final class ScalarAlu {
    private ScalarAlu() {
    }

    /** The operation of an ALU row: the high nibble of its opcode. */
    enum Kind { ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, NEG, MOD, XOR, MOV, ARSH, END }

    static Kind kind(Op op) {
        return Kind.values()[op.opcode >>> 4];
    }

    static boolean is64(Op op) {
        return (op.opcode & 7) == 7;
    }

    /** dst op= src for a binary ALU row (K forms pass the immediate as a constant). */
    static Scalar binary(Op op, Scalar a, Scalar b) {
        Kind k = kind(op);
        boolean signed = op.variant == 1 && (k == Kind.DIV || k == Kind.MOD);
        boolean w64 = is64(op);
        if (a.isConst() && b.isConst()) {
            return Scalar.constant(exact(k, signed, w64, a.constValue(), b.constValue()));
        }
        if (w64) {
            return op64(k, signed, a, b);
        }
        return switch (k) {
            case ADD, SUB, MUL -> {
                Scalar z = op64(k, false, a.zext32(), b.zext32()).truncate32();
                Scalar s = op64(k, false, a.sext32(), b.sext32()).truncate32();
                Scalar m = z.meet(s);
                yield m == null ? z : m;
            }
            case AND, OR, XOR -> op64(k, false, a.zext32(), b.zext32()).truncate32();
            case LSH, RSH -> op64(k, false, a.zext32(), shift32(b)).truncate32();
            case ARSH -> op64(k, false, a.sext32(), shift32(b)).truncate32();
            case DIV, MOD -> signed ? Scalar.urange(0, M32) : op64(k, false, a.zext32(), b.zext32()).truncate32();
            case MOV -> b.zext32();
            default -> throw new IllegalArgumentException(op.toString());
        };
    }

    /** The masked 32-bit shift count. */
    private static Scalar shift32(Scalar b) {
        if (b.isConst32()) {
            return Scalar.constant(b.constValue() & 31);
        }
        return b.u32max <= 31 ? b.zext32() : Scalar.urange(0, 31);
    }

    private static Scalar op64(Kind k, boolean signed, Scalar a, Scalar b) {
        if (a.isConst() && b.isConst()) {
            return Scalar.constant(exact(k, signed, true, a.constValue(), b.constValue()));
        }
        Scalar r = switch (k) {
            case ADD -> add(a, b);
            case SUB -> sub(a, b);
            case MUL -> mul(a, b);
            case DIV -> signed ? Scalar.UNKNOWN : udiv(a, b);
            case MOD -> signed ? Scalar.UNKNOWN : umod(a, b);
            case AND -> Scalar.make(a.t.and(b.t), 0, Scalar.minU(a.umax, b.umax), Long.MIN_VALUE, Long.MAX_VALUE,
                0, Math.min(a.u32max, b.u32max), Integer.MIN_VALUE, Integer.MAX_VALUE);
            case OR -> Scalar.make(a.t.or(b.t), Scalar.maxU(a.umin, b.umin), -1L, Long.MIN_VALUE, Long.MAX_VALUE,
                Math.max(a.u32min, b.u32min), M32, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case XOR -> Scalar.make(a.t.xor(b.t), 0, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 0, M32,
                Integer.MIN_VALUE, Integer.MAX_VALUE);
            case LSH -> lsh(a, b);
            case RSH -> rsh(a, b);
            case ARSH -> arsh(a, b);
            case MOV -> b;
            default -> throw new IllegalArgumentException(k.toString());
        };
        // make() returns null only for contradictory inputs, which sound operands never are.
        return r == null ? Scalar.UNKNOWN : r;
    }

    private static final long S32MIN = Integer.MIN_VALUE, S32MAX = Integer.MAX_VALUE;

    private static Scalar add(Scalar a, Scalar b) {
        long ulo = a.umin + b.umin, uhi = a.umax + b.umax;
        if (Long.compareUnsigned(uhi, a.umax) < 0) {
            ulo = 0;
            uhi = -1L;
        }
        long slo = a.smin + b.smin, shi = a.smax + b.smax;
        if (((a.smin ^ slo) & (b.smin ^ slo)) < 0 || ((a.smax ^ shi) & (b.smax ^ shi)) < 0) {
            slo = Long.MIN_VALUE;
            shi = Long.MAX_VALUE;
        }
        long u32lo = a.u32min + b.u32min, u32hi = a.u32max + b.u32max;
        if (u32hi > M32) {
            u32lo = 0;
            u32hi = M32;
        }
        long s32lo = a.s32min + b.s32min, s32hi = a.s32max + b.s32max;
        if (s32lo < S32MIN || s32hi > S32MAX) {
            s32lo = S32MIN;
            s32hi = S32MAX;
        }
        return Scalar.make(a.t.add(b.t), ulo, uhi, slo, shi, u32lo, u32hi, s32lo, s32hi);
    }

    private static Scalar sub(Scalar a, Scalar b) {
        long ulo = 0, uhi = -1L;
        if (Long.compareUnsigned(a.umin, b.umax) >= 0) {
            ulo = a.umin - b.umax;
            uhi = a.umax - b.umin;
        }
        long slo = a.smin - b.smax, shi = a.smax - b.smin;
        if (((a.smin ^ b.smax) & (a.smin ^ slo)) < 0 || ((a.smax ^ b.smin) & (a.smax ^ shi)) < 0) {
            slo = Long.MIN_VALUE;
            shi = Long.MAX_VALUE;
        }
        long u32lo = 0, u32hi = M32;
        if (a.u32min >= b.u32max) {
            u32lo = a.u32min - b.u32max;
            u32hi = a.u32max - b.u32min;
        }
        long s32lo = a.s32min - b.s32max, s32hi = a.s32max - b.s32min;
        if (s32lo < S32MIN || s32hi > S32MAX) {
            s32lo = S32MIN;
            s32hi = S32MAX;
        }
        return Scalar.make(a.t.sub(b.t), ulo, uhi, slo, shi, u32lo, u32hi, s32lo, s32hi);
    }

    static long unsignedMultiplyHigh(long x, long y) {
        return Math.multiplyHigh(x, y) + ((x >> 63) & y) + ((y >> 63) & x);
    }

    private static Scalar mul(Scalar a, Scalar b) {
        long ulo = 0, uhi = -1L;
        if (unsignedMultiplyHigh(a.umax, b.umax) == 0) {
            ulo = a.umin * b.umin;
            uhi = a.umax * b.umax;
        }
        long slo = Long.MIN_VALUE, shi = Long.MAX_VALUE;
        long[] c = {a.smin, a.smax};
        long[] d = {b.smin, b.smax};
        boolean ok = true;
        long lo = Long.MAX_VALUE, hi = Long.MIN_VALUE;
        for (long x : c) {
            for (long y : d) {
                long p = x * y;
                if (Math.multiplyHigh(x, y) != (p >> 63)) {
                    ok = false;
                }
                lo = Math.min(lo, p);
                hi = Math.max(hi, p);
            }
        }
        if (ok) {
            slo = lo;
            shi = hi;
        }
        long u32lo = 0, u32hi = M32;
        if (Long.compareUnsigned(a.u32max * b.u32max, M32) <= 0 && unsignedMultiplyHigh(a.u32max, b.u32max) == 0) {
            u32lo = a.u32min * b.u32min;
            u32hi = a.u32max * b.u32max;
        }
        long s32lo = S32MIN, s32hi = S32MAX;
        long p1 = a.s32min * b.s32min, p2 = a.s32min * b.s32max, p3 = a.s32max * b.s32min, p4 = a.s32max * b.s32max;
        long mn = Math.min(Math.min(p1, p2), Math.min(p3, p4)), mx = Math.max(Math.max(p1, p2), Math.max(p3, p4));
        if (mn >= S32MIN && mx <= S32MAX) {
            s32lo = mn;
            s32hi = mx;
        }
        return Scalar.make(a.t.mul(b.t), ulo, uhi, slo, shi, u32lo, u32hi, s32lo, s32hi);
    }

    private static Scalar udiv(Scalar a, Scalar b) {
        if (b.isConst(0)) {
            return Scalar.ZERO;
        }
        long lo = b.umin == 0 ? 0 : Long.divideUnsigned(a.umin, b.umax);
        long hi = Long.divideUnsigned(a.umax, b.umin == 0 ? 1 : b.umin);
        return Scalar.urange(lo, hi);
    }

    private static Scalar umod(Scalar a, Scalar b) {
        if (Long.compareUnsigned(a.umax, b.umin) < 0) {
            return a; // a < b for every pair: a % b == a
        }
        long hi = a.umax;
        if (b.umin != 0) {
            hi = Scalar.minU(hi, b.umax - 1);
        }
        return Scalar.urange(0, hi);
    }

    private static Scalar lsh(Scalar a, Scalar b) {
        if (!b.isConst()) {
            return Scalar.UNKNOWN;
        }
        int k = (int) (b.constValue() & 63);
        if (k == 0) {
            return a;
        }
        long ulo = 0, uhi = -1L;
        if ((a.umax >>> (64 - k)) == 0) {
            ulo = a.umin << k;
            uhi = a.umax << k;
        }
        return Scalar.make(a.t.lsh(k), ulo, uhi, Long.MIN_VALUE, Long.MAX_VALUE, 0, M32, S32MIN, S32MAX);
    }

    private static Scalar rsh(Scalar a, Scalar b) {
        if (!b.isConst()) {
            if (Long.compareUnsigned(b.umax, 63) <= 0) {
                return Scalar.urange(a.umin >>> b.umax, a.umax >>> b.umin);
            }
            return Scalar.UNKNOWN;
        }
        int k = (int) (b.constValue() & 63);
        return Scalar.make(a.t.rsh(k), a.umin >>> k, a.umax >>> k, Long.MIN_VALUE, Long.MAX_VALUE, 0, M32, S32MIN, S32MAX);
    }

    private static Scalar arsh(Scalar a, Scalar b) {
        if (!b.isConst()) {
            return Scalar.UNKNOWN;
        }
        int k = (int) (b.constValue() & 63);
        return Scalar.make(a.t.arsh(k), 0, -1L, a.smin >> k, a.smax >> k, 0, M32, S32MIN, S32MAX);
    }

    static Scalar neg(Op op, Scalar a) {
        return binary(is64(op) ? Op.SUB64_X : Op.SUB32_X, Scalar.ZERO, a);
    }

    /** MOVSX: sign-extends the low {@code bits} bits; the ALU form then zero-extends from 32. */
    static Scalar movsx(Op op, Scalar a) {
        int bits = op.discrValue;
        Scalar r;
        if (a.isConst()) {
            long v = a.constValue() << (64 - bits) >> (64 - bits);
            r = Scalar.constant(v);
        } else if (Long.compareUnsigned(a.umax, (1L << (bits - 1)) - 1) <= 0) {
            r = a;
        } else {
            r = Scalar.signedOfWidth(bits / 8);
        }
        return is64(op) ? r : r.truncate32();
    }

    /** LE/BE/BSWAP of {@code bits} width. */
    static Scalar end(Op op, Scalar a) {
        int bits = op.discrValue;
        if (op.opcode == 0xd4) {
            return bits == 64 ? a : binary(Op.AND64_K, a, Scalar.constant(bits == 32 ? M32 : 0xffff));
        }
        if (a.isConst()) {
            long v = a.constValue();
            return Scalar.constant(switch (bits) {
                case 16 -> Short.reverseBytes((short) v) & 0xffffL;
                case 32 -> Integer.reverseBytes((int) v) & M32;
                default -> Long.reverseBytes(v);
            });
        }
        return Scalar.ofWidth(bits / 8);
    }

    /** The interpreter's semantics on constants. */
    static long exact(Kind k, boolean signed, boolean w64, long a, long b) {
        if (w64) {
            return switch (k) {
                case ADD -> a + b;
                case SUB -> a - b;
                case MUL -> a * b;
                case DIV -> b == 0 ? 0 : signed ? a / b : Long.divideUnsigned(a, b);
                case MOD -> b == 0 ? a : signed ? a % b : Long.remainderUnsigned(a, b);
                case OR -> a | b;
                case AND -> a & b;
                case LSH -> a << (b & 63);
                case RSH -> a >>> (b & 63);
                case ARSH -> a >> (b & 63);
                case XOR -> a ^ b;
                case MOV -> b;
                default -> throw new IllegalArgumentException(k.toString());
            };
        }
        int x = (int) a, y = (int) b;
        int r = switch (k) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> y == 0 ? 0 : signed ? x / y : Integer.divideUnsigned(x, y);
            case MOD -> y == 0 ? x : signed ? x % y : Integer.remainderUnsigned(x, y);
            case OR -> x | y;
            case AND -> x & y;
            case LSH -> x << (y & 31);
            case RSH -> x >>> (y & 31);
            case ARSH -> x >> (y & 31);
            case XOR -> x ^ y;
            case MOV -> y;
            default -> throw new IllegalArgumentException(k.toString());
        };
        return r & M32;
    }
}
