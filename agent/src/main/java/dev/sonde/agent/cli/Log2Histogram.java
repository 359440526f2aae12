package dev.sonde.agent.cli;

import java.io.PrintStream;

/**
 * A log2 histogram printed as BCC's {@code print_log2_hist} prints it (funclatency, biolatency):
 * bucket i (i ≥ 1) holds values in [2^(i-1), 2^i − 1] (bucket 1 also holds 0, as bpf_log2l puts 0
 * there), rows from bucket 1 to the last non-empty one, bars of up to 40 stars scaled to the largest
 * count.
 *
 * <pre>
 *      usecs               : count     distribution
 *          0 -&gt; 1          : 0        |                                        |
 *          2 -&gt; 3          : 12       |****                                    |
 * </pre>
 */
public final class Log2Histogram {
    private static final int STARS = 40;

    private Log2Histogram() {
    }

    public static void print(long[] buckets, String unit, PrintStream out) {
        int last = -1;
        long max = 0;
        for (int i = 0; i < buckets.length; i++) {
            if (buckets[i] > 0) {
                last = i;
            }
            max = Math.max(max, buckets[i]);
        }
        boolean wide = last > 32;
        int stars = wide ? STARS / 2 : STARS;
        if (last > 0) {
            out.println(wide ? String.format("               %-29s : count     distribution", unit)
                : String.format("     %-19s : count     distribution", unit));
        }
        for (int i = 1; i <= last; i++) {
            long low = (1L << i) >> 1;
            long high = (1L << i) - 1;
            if (low == high) {
                low--;
            }
            out.println(String.format(wide ? "%20d -> %-20d : %-8d |%-" + stars + "s|" : "%10d -> %-10d : %-8d |%-" + stars + "s|",
                low, high, buckets[i], bar(buckets[i], max, stars)));
        }
    }

    /** BCC's _stars: floor-ish scaling, at least nothing for 0. */
    static String bar(long value, long max, int width) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < width && i <= (double) width * value / max - 1; i++) {
            b.append('*');
        }
        return b.toString();
    }
}
