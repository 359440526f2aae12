package dev.sonde.bpf.vm;

/**
 * Unsigned 64-bit division without allocation. JDK 17's {@code Long.divideUnsigned} and
 * {@code Long.remainderUnsigned} fall back to {@code BigInteger} when the dividend's top bit is
 * set, which would allocate on the probe path; these use the shift-and-correct method of Hacker's
 * Delight (§9-3) instead. The divisor must not be 0 (callers apply the ISA's divide-by-zero rule).
 */
public final class Unsigned {
    private Unsigned() {
    }

    public static long div(long n, long d) {
        if (d < 0) {
            return Long.compareUnsigned(n, d) < 0 ? 0 : 1;
        }
        if (n >= 0) {
            return n / d;
        }
        long q = ((n >>> 1) / d) << 1;
        long r = n - q * d;
        return Long.compareUnsigned(r, d) >= 0 ? q + 1 : q;
    }

    public static long rem(long n, long d) {
        if (d < 0) {
            return Long.compareUnsigned(n, d) < 0 ? n : n - d;
        }
        if (n >= 0) {
            return n % d;
        }
        long q = ((n >>> 1) / d) << 1;
        long r = n - q * d;
        return Long.compareUnsigned(r, d) >= 0 ? r - d : r;
    }
}
