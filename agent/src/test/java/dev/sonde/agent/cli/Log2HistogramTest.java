package dev.sonde.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Golden output: what BCC's print_log2_hist prints for the same buckets. */
class Log2HistogramTest {
    @Test
    void printsAsBccDoes() {
        long[] buckets = new long[32];
        buckets[1] = 3;
        buckets[2] = 10;
        buckets[4] = 1;
        String expected = String.join("\n",
            "     usecs               : count     distribution",
            "         0 -> 1          : 3        |************                            |",
            "         2 -> 3          : 10       |****************************************|",
            "         4 -> 7          : 0        |                                        |",
            "         8 -> 15         : 1        |****                                    |",
            "");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Log2Histogram.print(buckets, "usecs", new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals(expected, out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anEmptyHistogramPrintsNothing() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Log2Histogram.print(new long[32], "usecs", new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }
}
