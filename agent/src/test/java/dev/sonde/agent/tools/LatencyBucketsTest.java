package dev.sonde.agent.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The log-linear buckets of funclatency.bpf.c (tools.h fine_bucket) and the percentiles read from them. */
class LatencyBucketsTest {
    @Test
    void everyValueLiesInItsBucketAndBucketsAreAtMostAnEighthWide() {
        long[] samples = {0, 1, 7, 8, 9, 15, 16, 17, 1000, 4095, 4096, 123_456_789, Long.MAX_VALUE};
        for (long v : samples) {
            int b = LatencyBuckets.bucket(v);
            assertTrue(LatencyBuckets.low(b) <= v && v <= LatencyBuckets.high(b), v + " in bucket " + b);
            assertTrue(b < LatencyBuckets.SLOTS);
            assertTrue(LatencyBuckets.high(b) - LatencyBuckets.low(b) <= Math.max(0, LatencyBuckets.low(b) / 8), "bucket " + b);
        }
        for (int b = 1; b < 480; b++) {
            assertEquals(LatencyBuckets.high(b - 1) + 1, LatencyBuckets.low(b), "buckets " + (b - 1) + " and " + b + " touch");
        }
    }

    @Test
    void percentilesAreTheHighestValueOfTheBucketHoldingTheRankCappedByTheMaximum() {
        long[] counts = new long[LatencyBuckets.SLOTS];
        for (int i = 0; i < 90; i++) {
            counts[LatencyBuckets.bucket(1000)]++;
        }
        for (int i = 0; i < 10; i++) {
            counts[LatencyBuckets.bucket(50_000)]++;
        }
        long p50 = LatencyBuckets.percentile(counts, 0.5, 50_000);
        assertTrue(p50 >= 1000 && p50 <= 1125, "p50 " + p50);
        long p90 = LatencyBuckets.percentile(counts, 0.9, 50_000);
        assertTrue(p90 >= 1000 && p90 <= 1125, "p90 " + p90);
        assertEquals(50_000, LatencyBuckets.percentile(counts, 0.99, 50_000), "capped by the maximum");
        assertEquals(0, LatencyBuckets.percentile(new long[LatencyBuckets.SLOTS], 0.5, 0));
    }
}
