package dev.sonde.bpf.verifier;

/**
 * The abstract value of a 64-bit scalar: known bits ({@link Tnum}) and four ranges (unsigned and
 * signed, 64 and 32 bit), as Linux's {@code bpf_reg_state} keeps them. Every concrete value the
 * register can hold is in all five at once; each is kept as tight as the others allow by
 * {@link #sync}, which is Linux's {@code reg_bounds_sync}. Immutable.
 *
 * <p>The 32-bit ranges describe the low half: {@code u32min..u32max} are zero-extended into a long
 * (0..2^32-1), {@code s32min..s32max} sign-extended, so that all four ranges except u64 compare with
 * plain signed long comparisons.
 *
 * <p>{@code null} stands for the empty set ("bottom"): a branch whose refinement yields null is
 * never taken.
 */
final class Scalar {
    static final long M32 = 0xffffffffL;
    static final Scalar UNKNOWN = new Scalar(Tnum.UNKNOWN, 0, -1L, Long.MIN_VALUE, Long.MAX_VALUE,
        0, M32, Integer.MIN_VALUE, Integer.MAX_VALUE);
    static final Scalar ZERO = constant(0);

    final Tnum t;
    final long umin, umax, smin, smax;
    final long u32min, u32max, s32min, s32max;

    Scalar(Tnum t, long umin, long umax, long smin, long smax, long u32min, long u32max, long s32min, long s32max) {
        this.t = t;
        this.umin = umin;
        this.umax = umax;
        this.smin = smin;
        this.smax = smax;
        this.u32min = u32min;
        this.u32max = u32max;
        this.s32min = s32min;
        this.s32max = s32max;
    }

    static Scalar constant(long v) {
        return new Scalar(Tnum.constant(v), v, v, v, v, v & M32, v & M32, (int) v, (int) v);
    }

    /** Unsigned 64-bit range [lo, hi]; the other components follow by {@link #sync}. */
    static Scalar urange(long lo, long hi) {
        return make(Tnum.UNKNOWN, lo, hi, Long.MIN_VALUE, Long.MAX_VALUE, 0, M32, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    static Scalar srange(long lo, long hi) {
        return make(Tnum.UNKNOWN, 0, -1L, lo, hi, 0, M32, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** A value zero-extended from {@code bytes} bytes (what a narrow load gives). */
    static Scalar ofWidth(int bytes) {
        return bytes >= 8 ? UNKNOWN : urange(0, (1L << (8 * bytes)) - 1);
    }

    /** A value sign-extended from {@code bytes} bytes (what a sign-extending load gives). */
    static Scalar signedOfWidth(int bytes) {
        long half = 1L << (8 * bytes - 1);
        return srange(-half, half - 1);
    }

    /** Synchronises the components; null if they admit no value. */
    static Scalar make(Tnum t, long umin, long umax, long smin, long smax, long u32min, long u32max,
                       long s32min, long s32max) {
        for (int round = 0; round < 3; round++) {
            // Known bits bound every range.
            umin = maxU(umin, t.min());
            umax = minU(umax, t.max());
            long sgn = Long.MIN_VALUE;
            long tsmin = (t.mask() & sgn) != 0 ? t.value() | sgn : t.value();
            long tsmax = (t.mask() & sgn) != 0 ? (t.value() | t.mask()) & ~sgn : t.value() | t.mask();
            smin = Math.max(smin, tsmin);
            smax = Math.min(smax, tsmax);
            long lv = t.value() & M32, lm = t.mask() & M32;
            u32min = Math.max(u32min, lv);
            u32max = Math.min(u32max, lv | lm);
            long s32lo = (lm & 0x80000000L) != 0 ? (int) (lv | 0x80000000L) : (int) lv;
            long s32hi = (lm & 0x80000000L) != 0 ? (int) ((lv | lm) & 0x7fffffffL) : (int) (lv | lm);
            s32min = Math.max(s32min, s32lo);
            s32max = Math.min(s32max, s32hi);
            // Signed and unsigned agree when a range stays on one side of the sign boundary.
            if (smin >= 0 || smax < 0) {
                umin = maxU(umin, smin);
                umax = minU(umax, smax);
            }
            if (umin <= umax && (umin ^ umax) >= 0) {
                smin = Math.max(smin, umin);
                smax = Math.min(smax, umax);
            }
            if (s32min >= 0 || s32max < 0) {
                u32min = Math.max(u32min, s32min & M32);
                u32max = Math.min(u32max, s32max & M32);
            }
            if (u32min <= u32max && (u32min >>> 31) == (u32max >>> 31)) {
                s32min = Math.max(s32min, (int) u32min);
                s32max = Math.min(s32max, (int) u32max);
            }
            // A 64-bit range inside one 2^32 block bounds the low half.
            if (Long.compareUnsigned(umin, umax) <= 0 && (umin >>> 32) == (umax >>> 32)) {
                u32min = Math.max(u32min, umin & M32);
                u32max = Math.min(u32max, umax & M32);
            }
            if (smin <= smax && (smin >> 32) == (smax >> 32)) {
                u32min = Math.max(u32min, smin & M32);
                u32max = Math.min(u32max, smax & M32);
            }
            // Known upper half: the low-half ranges bound the whole.
            if ((t.mask() >>> 32) == 0) {
                long hi = t.value() & ~M32;
                umin = maxU(umin, hi | u32min);
                umax = minU(umax, hi | u32max);
                smin = Math.max(smin, hi | u32min);
                smax = Math.min(smax, hi | u32max);
            }
            if (Long.compareUnsigned(umin, umax) > 0 || smin > smax || u32min > u32max || s32min > s32max) {
                return null;
            }
            // Ranges bound the known bits.
            Tnum nt = t.intersect(Tnum.range(umin, umax));
            if (nt == null) {
                return null;
            }
            Tnum low = nt.low32().intersect(Tnum.range(u32min, u32max));
            if (low == null) {
                return null;
            }
            nt = nt.withLow32(low);
            if (nt.equals(t) && round > 0) {
                break;
            }
            t = nt;
        }
        if (Long.compareUnsigned(umin, umax) > 0 || smin > smax || u32min > u32max || s32min > s32max) {
            return null;
        }
        return new Scalar(t, umin, umax, smin, smax, u32min, u32max, s32min, s32max);
    }

    static long maxU(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0 ? a : b;
    }

    static long minU(long a, long b) {
        return Long.compareUnsigned(a, b) <= 0 ? a : b;
    }

    boolean isConst() {
        return t.isConst();
    }

    long constValue() {
        return t.value();
    }

    boolean isConst(long v) {
        return t.isConst() && t.value() == v;
    }

    /** The low 32 bits are known. */
    boolean isConst32() {
        return (t.mask() & M32) == 0;
    }

    /** Every value of {@code b} is a value of this (Linux's range_within plus tnum_in). */
    boolean contains(Scalar b) {
        return Long.compareUnsigned(umin, b.umin) <= 0 && Long.compareUnsigned(b.umax, umax) <= 0
            && smin <= b.smin && b.smax <= smax
            && u32min <= b.u32min && b.u32max <= u32max
            && s32min <= b.s32min && b.s32max <= s32max
            && t.contains(b.t);
    }

    /** Component-wise meet; null when empty. */
    Scalar meet(Scalar b) {
        Tnum nt = t.intersect(b.t);
        if (nt == null) {
            return null;
        }
        return make(nt, maxU(umin, b.umin), minU(umax, b.umax), Math.max(smin, b.smin), Math.min(smax, b.smax),
            Math.max(u32min, b.u32min), Math.min(u32max, b.u32max), Math.max(s32min, b.s32min),
            Math.min(s32max, b.s32max));
    }

    /** The low half zero-extended: the operand an ALU32 operation reads. */
    Scalar zext32() {
        return make(t.low32(), u32min, u32max, u32min, u32max, u32min, u32max, s32min, s32max);
    }

    /** The low half sign-extended from bit 31 (operand of signed 32-bit division and shifts). */
    Scalar sext32() {
        return make(t.sext32(), 0, -1L, s32min, s32max, u32min, u32max, s32min, s32max);
    }

    /** The result of an ALU32 operation: this value's low half, zero-extended. */
    Scalar truncate32() {
        long lo = 0, hi = M32;
        if (Long.compareUnsigned(umin, umax) <= 0 && (umin >>> 32) == (umax >>> 32)) {
            lo = umin & M32;
            hi = umax & M32;
        }
        long slo = Integer.MIN_VALUE, shi = Integer.MAX_VALUE;
        if (smin >= Integer.MIN_VALUE && smax <= Integer.MAX_VALUE) {
            slo = smin;
            shi = smax;
        }
        lo = Math.max(lo, u32min);
        hi = Math.min(hi, u32max);
        slo = Math.max(slo, s32min);
        shi = Math.min(shi, s32max);
        Scalar r = make(t.low32(), lo, hi, 0, M32, lo, hi, slo, shi);
        return r == null ? urange(0, M32) : r;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Scalar b && t.equals(b.t) && umin == b.umin && umax == b.umax && smin == b.smin
            && smax == b.smax && u32min == b.u32min && u32max == b.u32max && s32min == b.s32min && s32max == b.s32max;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(t.value() * 31 + t.mask()) ^ Long.hashCode(umin * 17 + umax);
    }

    @Override
    public String toString() {
        if (isConst()) {
            return Long.toString(t.value());
        }
        StringBuilder sb = new StringBuilder("scalar(");
        if (umin != 0 || umax != -1L) {
            sb.append("umin=").append(Long.toUnsignedString(umin)).append(",umax=").append(Long.toUnsignedString(umax)).append(',');
        }
        if (smin != Long.MIN_VALUE || smax != Long.MAX_VALUE) {
            sb.append("smin=").append(smin).append(",smax=").append(smax).append(',');
        }
        if (u32min != 0 || u32max != M32) {
            sb.append("u32min=").append(u32min).append(",u32max=").append(u32max).append(',');
        }
        if (t.mask() != -1L) {
            sb.append("var_off=").append(t).append(',');
        }
        if (sb.charAt(sb.length() - 1) == ',') {
            sb.setLength(sb.length() - 1);
        }
        return sb.append(')').toString();
    }
}
