package dev.sonde.bpf.verifier;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.isa.Op;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The abstract ALU and branch refinement keep every concrete value: for random sets of concrete
 * operands abstracted to a {@link Scalar}, every concrete result is inside the abstract result.
 */
class ScalarSoundnessTest {
    private static final SplittableRandom RND = new SplittableRandom(42);

    /** A random small set of values and its abstraction (the meet of their joins: build from ranges). */
    private static long[] sample() {
        int n = 1 + RND.nextInt(4);
        long base = switch (RND.nextInt(5)) {
            case 0 -> RND.nextInt(16);
            case 1 -> RND.nextLong();
            case 2 -> -RND.nextInt(100);
            case 3 -> 0xffffffffL - RND.nextInt(4);
            default -> RND.nextInt(1 << 20);
        };
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = base + (RND.nextInt(3) == 0 ? RND.nextLong() >> RND.nextInt(64) : RND.nextInt(8));
        }
        return v;
    }

    /** The tightest Scalar holding all values (hull of each component). */
    static Scalar abstractOf(long[] v) {
        long umin = -1L, umax = 0, smin = Long.MAX_VALUE, smax = Long.MIN_VALUE;
        long u32min = Scalar.M32, u32max = 0, s32min = Integer.MAX_VALUE, s32max = Integer.MIN_VALUE;
        long and = -1L, or = 0;
        for (long x : v) {
            umin = Scalar.minU(umin, x);
            umax = Scalar.maxU(umax, x);
            smin = Math.min(smin, x);
            smax = Math.max(smax, x);
            u32min = Math.min(u32min, x & Scalar.M32);
            u32max = Math.max(u32max, x & Scalar.M32);
            s32min = Math.min(s32min, (int) x);
            s32max = Math.max(s32max, (int) x);
            and &= x;
            or |= x;
        }
        Tnum t = new Tnum(and, or & ~and);
        Scalar s = Scalar.make(t, umin, umax, smin, smax, u32min, u32max, s32min, s32max);
        assertNotNull(s);
        return s;
    }

    static boolean holds(Scalar s, long x) {
        return s.contains(Scalar.constant(x));
    }

    @Test
    void aluResultsContainEveryConcreteResult() {
        Op[] ops = {Op.ADD64_X, Op.SUB64_X, Op.MUL64_X, Op.DIV64_X, Op.OR64_X, Op.AND64_X, Op.LSH64_X, Op.RSH64_X,
            Op.MOD64_X, Op.XOR64_X, Op.ARSH64_X, Op.ADD32_X, Op.SUB32_X, Op.MUL32_X, Op.DIV32_X, Op.OR32_X, Op.AND32_X,
            Op.LSH32_X, Op.RSH32_X, Op.MOD32_X, Op.XOR32_X, Op.ARSH32_X, Op.SDIV64_X, Op.SMOD64_X, Op.SDIV32_X,
            Op.SMOD32_X, Op.MOV32_X};
        for (int k = 0; k < 60_000; k++) {
            Op op = ops[RND.nextInt(ops.length)];
            long[] a = sample(), b = sample();
            if (op == Op.LSH64_X || op == Op.RSH64_X || op == Op.ARSH64_X || op.opcode == 0x6c || op.opcode == 0x7c
                || op.opcode == 0xcc) {
                for (int i = 0; i < b.length; i++) {
                    b[i] = RND.nextInt(3) == 0 ? b[i] : b[i] & 63;
                }
            }
            Scalar r = ScalarAlu.binary(op, abstractOf(a), abstractOf(b));
            boolean signed = op.variant == 1;
            boolean w64 = ScalarAlu.is64(op);
            for (long x : a) {
                for (long y : b) {
                    long c = ScalarAlu.exact(ScalarAlu.kind(op), signed, w64, x, y);
                    assertTrue(holds(r, c), () -> op + " " + x + ", " + y + " = " + c + " not in " + r);
                }
            }
        }
    }

    @Test
    void unaryResultsContainEveryConcreteResult() {
        Op[] ops = {Op.NEG64, Op.NEG32, Op.LE16, Op.LE32, Op.BE16, Op.BE32, Op.BE64, Op.BSWAP16, Op.MOVSX64_8,
            Op.MOVSX64_16, Op.MOVSX64_32, Op.MOVSX32_8, Op.MOVSX32_16};
        for (int k = 0; k < 20_000; k++) {
            Op op = ops[RND.nextInt(ops.length)];
            long[] a = sample();
            Scalar s = abstractOf(a);
            Scalar r = op.shape == Op.Shape.UNARY ? ScalarAlu.neg(op, s) : op.shape == Op.Shape.MOVSX
                ? ScalarAlu.movsx(op, s) : ScalarAlu.end(op, s);
            for (long x : a) {
                long c = switch (op) {
                    case NEG64 -> -x;
                    case NEG32 -> -(int) x & Scalar.M32;
                    case LE16 -> x & 0xffff;
                    case LE32 -> x & Scalar.M32;
                    case BE16, BSWAP16 -> Short.reverseBytes((short) x) & 0xffffL;
                    case BE32 -> Integer.reverseBytes((int) x) & Scalar.M32;
                    case BE64 -> Long.reverseBytes(x);
                    case MOVSX64_8 -> (byte) x;
                    case MOVSX64_16 -> (short) x;
                    case MOVSX64_32 -> (int) x;
                    case MOVSX32_8 -> (byte) x & Scalar.M32;
                    default -> (short) x & Scalar.M32;
                };
                assertTrue(holds(r, c), () -> op + " " + x + " = " + c + " not in " + r);
            }
        }
    }

    @Test
    void branchRefinementKeepsEveryPairThatTakesTheBranch() {
        int[] cmps = {Refine.EQ, Refine.GT, Refine.GE, Refine.SET, Refine.NE, Refine.SGT, Refine.SGE, Refine.LT,
            Refine.LE, Refine.SLT, Refine.SLE};
        for (int k = 0; k < 60_000; k++) {
            int cmp = cmps[RND.nextInt(cmps.length)];
            boolean j32 = RND.nextBoolean();
            boolean taken = RND.nextBoolean();
            long[] a = sample(), b = RND.nextBoolean() ? sample() : new long[] {sample()[0]};
            Scalar sa = abstractOf(a), sb = abstractOf(b);
            Scalar[] r = Refine.refine(taken ? cmp : Refine.negate(cmp), j32, sa, sb);
            for (long x : a) {
                for (long y : b) {
                    if (holdsCmp(cmp, j32, x, y) == taken) {
                        long fx = x, fy = y;
                        assertTrue(r != null && holds(r[0], x) && holds(r[1], y), () -> "cmp " + cmp + (j32 ? "/32 " : " ")
                            + taken + " " + fx + ", " + fy + " lost: " + (r == null ? "infeasible" : r[0] + " / " + r[1]));
                    }
                }
            }
        }
    }

    static boolean holdsCmp(int cmp, boolean j32, long x, long y) {
        if (j32) {
            int a = (int) x, b = (int) y;
            return switch (cmp) {
                case Refine.EQ -> a == b;
                case Refine.NE -> a != b;
                case Refine.GT -> Integer.compareUnsigned(a, b) > 0;
                case Refine.GE -> Integer.compareUnsigned(a, b) >= 0;
                case Refine.LT -> Integer.compareUnsigned(a, b) < 0;
                case Refine.LE -> Integer.compareUnsigned(a, b) <= 0;
                case Refine.SGT -> a > b;
                case Refine.SGE -> a >= b;
                case Refine.SLT -> a < b;
                case Refine.SLE -> a <= b;
                default -> (a & b) != 0;
            };
        }
        return switch (cmp) {
            case Refine.EQ -> x == y;
            case Refine.NE -> x != y;
            case Refine.GT -> Long.compareUnsigned(x, y) > 0;
            case Refine.GE -> Long.compareUnsigned(x, y) >= 0;
            case Refine.LT -> Long.compareUnsigned(x, y) < 0;
            case Refine.LE -> Long.compareUnsigned(x, y) <= 0;
            case Refine.SGT -> x > y;
            case Refine.SGE -> x >= y;
            case Refine.SLT -> x < y;
            case Refine.SLE -> x <= y;
            default -> (x & y) != 0;
        };
    }
}
