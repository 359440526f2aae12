package dev.sonde.agent.tools;

/**
 * The log-linear buckets of funclatency.bpf.c's {@code fine} map (tools.h {@code fine_bucket}):
 * values 0..7 have a bucket each; above, a power of two [2^m, 2^(m+1)) is split into 8 buckets of
 * 2^(m-3) values, so a bucket is at most 12.5 % of its values wide. Percentiles are read from them
 * as HdrHistogram reads its buckets: the highest value of the bucket holding the rank (capped by
 * the measured maximum), so a percentile is never reported lower than it is and at most 12.5 %
 * higher.
 */
final class LatencyBuckets {
    static final int SUB = 8;
    static final int SLOTS = 64 * SUB;

    private LatencyBuckets() {
    }

    /** The bucket of {@code v} (the C function, for tests and the decoding's inverse). */
    static int bucket(long v) {
        if (v >= 0 && v < SUB) {
            return (int) v;
        }
        int m = 63 - Long.numberOfLeadingZeros(v);
        return (m - 2) * SUB + (int) ((v >>> (m - 3)) & (SUB - 1));
    }

    static long low(int bucket) {
        if (bucket < SUB) {
            return bucket;
        }
        int m = bucket / SUB + 2;
        int sub = bucket % SUB;
        return (1L << m) + ((long) sub << (m - 3));
    }

    static long high(int bucket) {
        if (bucket < SUB) {
            return bucket;
        }
        int m = bucket / SUB + 2;
        return low(bucket) + (1L << (m - 3)) - 1;
    }

    /** The value at quantile {@code q} (0 < q ≤ 1) of the counts, capped by {@code max}; 0 when empty. */
    static long percentile(long[] counts, double q, long max) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(high(i), max);
            }
        }
        return max;
    }
}
