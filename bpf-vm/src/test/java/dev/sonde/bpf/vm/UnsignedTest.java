package dev.sonde.bpf.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class UnsignedTest {
    private static final long[] EDGES = {1, 2, 3, 255, 0x7fffffffL, 0x80000000L, 0xffffffffL,
        Long.MAX_VALUE, Long.MIN_VALUE, -1, -2, Long.MIN_VALUE + 1, 0x8000000000000001L};

    @Test
    void agreesWithTheJdkOnEdgesAndRandomValues() {
        SplittableRandom rnd = new SplittableRandom(42);
        for (long n : EDGES) {
            for (long d : EDGES) {
                check(n, d);
            }
        }
        for (int k = 0; k < 200_000; k++) {
            long n = rnd.nextLong();
            long d = k % 3 == 0 ? rnd.nextLong() : rnd.nextLong() >>> rnd.nextInt(64);
            if (d != 0) {
                check(n, d);
            }
        }
    }

    private static void check(long n, long d) {
        assertEquals(Long.divideUnsigned(n, d), Unsigned.div(n, d), () -> n + " / " + d);
        assertEquals(Long.remainderUnsigned(n, d), Unsigned.rem(n, d), () -> n + " % " + d);
    }
}
