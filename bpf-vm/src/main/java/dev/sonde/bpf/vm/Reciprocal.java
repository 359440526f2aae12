package dev.sonde.bpf.vm;

/**
 * Division by a constant as multiplication (Hacker's Delight §10-4, "magic numbers" for signed
 * division, used here for non-negative dividends). The interpreter prepares a multiplier and shift
 * at load time for every unsigned DIV/MOD by an immediate greater than 1, so that the hot path of a
 * checksum such as Fletcher-16 ({@code x % 255} per byte) pays a multiply-high instead of a 64-bit
 * hardware division. A dividend with its top bit set (2^63 and above as unsigned) falls back to
 * {@link Unsigned}.
 */
final class Reciprocal {
    private Reciprocal() {
    }

    /** The multiplier M for divisor d (2 ≤ d < 2^63); {@link #shift} gives the shift. */
    static long multiplier(long d) {
        return magic(d)[0];
    }

    static int shift(long d) {
        return (int) magic(d)[1];
    }

    /** {@code n / d} for n ≥ 0, given M and s from {@link #magic}. */
    static long quotient(long n, long m, int s) {
        long q = Math.multiplyHigh(m, n);
        if (m < 0) {
            q += n;
        }
        return q >> s;
    }

    /** Unsigned {@code n / d}: the reciprocal when n ≥ 0, else the exact fallback. */
    static long div(long n, long d, long m, int s) {
        return n >= 0 ? quotient(n, m, s) : Unsigned.div(n, d);
    }

    /** Unsigned {@code n % d}. */
    static long rem(long n, long d, long m, int s) {
        return n >= 0 ? n - quotient(n, m, s) * d : Unsigned.rem(n, d);
    }

    /** Returns {M, s} for a divisor 2 ≤ d < 2^63 (Hacker's Delight figure 10-1, 64-bit). */
    static long[] magic(long d) {
        if (d < 2) {
            throw new IllegalArgumentException("divisor must be at least 2: " + d);
        }
        final long two63 = Long.MIN_VALUE;
        long t = two63;                                   // d > 0, so t = 2^63
        long anc = t - 1 - Unsigned.rem(t, d);            // |nc|, largest n with n % d == d - 1
        int p = 63;
        long q1 = Unsigned.div(two63, anc);
        long r1 = two63 - q1 * anc;
        long q2 = Unsigned.div(two63, d);
        long r2 = two63 - q2 * d;
        long delta;
        do {
            p++;
            q1 <<= 1;
            r1 <<= 1;
            if (Long.compareUnsigned(r1, anc) >= 0) {
                q1++;
                r1 -= anc;
            }
            q2 <<= 1;
            r2 <<= 1;
            if (Long.compareUnsigned(r2, d) >= 0) {
                q2++;
                r2 -= d;
            }
            delta = d - r2;
        } while (Long.compareUnsigned(q1, delta) < 0 || (q1 == delta && r1 == 0));
        return new long[] {q2 + 1, p - 64};
    }
}
