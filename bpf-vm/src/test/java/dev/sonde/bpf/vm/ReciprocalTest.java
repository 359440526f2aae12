package dev.sonde.bpf.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReciprocalTest {
    @Test
    void agreesWithExactUnsignedDivision() {
        SplittableRandom rnd = new SplittableRandom(7);
        long[] divisors = {2, 3, 5, 7, 10, 255, 256, 641, 65535, 0x7fffffffL, 0xffffffffL, 1L << 40, (1L << 62) + 1,
            Long.MAX_VALUE};
        long[] dividends = {0, 1, 254, 255, 256, Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE, -1, 0xffffffffL};
        for (long d : divisors) {
            check(d, dividends, rnd);
        }
        for (int k = 0; k < 2000; k++) {
            long d = 2 + (rnd.nextLong() >>> (1 + rnd.nextInt(62)));
            check(d, dividends, rnd);
        }
    }

    private static void check(long d, long[] fixed, SplittableRandom rnd) {
        long[] ms = Reciprocal.magic(d);
        for (long n : fixed) {
            one(n, d, ms);
        }
        for (int k = 0; k < 200; k++) {
            one(rnd.nextLong() >>> rnd.nextInt(64), d, ms);
            one(rnd.nextLong(), d, ms);
        }
    }

    private static void one(long n, long d, long[] ms) {
        assertEquals(Long.divideUnsigned(n, d), Reciprocal.div(n, d, ms[0], (int) ms[1]), () -> n + " / " + d);
        assertEquals(Long.remainderUnsigned(n, d), Reciprocal.rem(n, d, ms[0], (int) ms[1]), () -> n + " % " + d);
    }
}
