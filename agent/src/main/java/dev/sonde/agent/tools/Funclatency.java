package dev.sonde.agent.tools;

import dev.sonde.agent.cli.Log2Histogram;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code sonde funclatency <pid> <method>}: the time from a method's entry to its return, as a log2
 * histogram printed as BCC's funclatency prints it, in nanoseconds (default), microseconds
 * ({@code -u}) or milliseconds ({@code -m}); {@code --percentiles} adds p50, p90, p99 and the
 * maximum, read from log-linear buckets (at most 12.5 % above the true value, see
 * {@link LatencyBuckets}). Each interval shows that interval's calls; the end, the totals.
 */
final class Funclatency extends Tool {
    static final int LOG2 = 64;
    private String method;
    private String unit;
    private long divisor;
    private boolean percentiles;
    private int hist;
    private int fine;
    private int stats;
    private long[] prevHist = new long[LOG2];
    private long[] prevFine = new long[LatencyBuckets.SLOTS];
    private long[] prevStats = new long[3];
    private int methods;

    Funclatency() {
        super("funclatency");
    }

    @Override
    String usage() {
        return "sonde funclatency <pid> <class>::<method>[<descriptor>] [-u|-m] [--percentiles] [-i <s>] [-d <s>] [--json]\n"
            + "  a log2 histogram of the method's latency (nsecs; -u usecs, -m msecs)";
    }

    @Override
    Set<String> flags() {
        return Set.of("--usecs", "--msecs", "--percentiles");
    }

    @Override
    Map<String, String> aliases() {
        return Map.of("-u", "--usecs", "-m", "--msecs", "-p", "--percentiles");
    }

    @Override
    String start(ToolSession s, ToolArgs a) throws IOException, ToolArgs.UsageError {
        if (a.positional.size() != 1) {
            throw new ToolArgs.UsageError("expected one method (besides the pid), got " + a.positional.size() + " arguments");
        }
        method = a.positional.get(0);
        Targets.check(method);
        if (a.has("--usecs") && a.has("--msecs")) {
            throw new ToolArgs.UsageError("-u and -m exclude each other");
        }
        unit = a.has("--msecs") ? "msecs" : a.has("--usecs") ? "usecs" : "nsecs";
        divisor = a.has("--msecs") ? 1_000_000 : a.has("--usecs") ? 1_000 : 1;
        percentiles = a.has("--percentiles");
        s.configure(s.map("config"), ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(divisor).array());
        hist = s.map("hist");
        fine = s.map("fine");
        stats = s.map("stats");
        // The return probe first: an entry seen without its return only leaves a start time behind.
        s.attach("funclatency_return", Targets.exit(method));
        methods = s.attach("funclatency_entry", Targets.entry(method)).methods();
        return s.methodsText(methods) + " for \"" + method + "\"";
    }

    @Override
    void report(ToolSession s, boolean last) throws IOException {
        long[] h = s.array(hist, LOG2);
        long[] f = s.array(fine, LatencyBuckets.SLOTS);
        long[] st = s.array(stats, 3);
        long[] dh = h.clone();
        long[] df = f.clone();
        long[] dst = st.clone();
        if (!last) {
            for (int i = 0; i < h.length; i++) {
                dh[i] -= prevHist[i];
            }
            for (int i = 0; i < f.length; i++) {
                df[i] -= prevFine[i];
            }
            dst[0] -= prevStats[0];
            dst[1] -= prevStats[1];
            prevHist = h;
            prevFine = f;
            prevStats = st;
        }
        long count = dst[0];
        long sum = dst[1];
        long max = st[2];   // the maximum since attach (a maximum has no difference)
        if (!last) {
            max = 0;
            for (int i = df.length - 1; i >= 0; i--) {
                if (df[i] > 0) {
                    max = Math.min(LatencyBuckets.high(i), st[2]);
                    break;
                }
            }
        }
        if (json) {
            Map<String, Object> m = head(s, last);
            m.put("method", method);
            m.put("methods_attached", methods);
            m.put("unit", unit);
            m.put("count", count);
            m.put("sum_ns", sum);
            m.put("avg_ns", count == 0 ? 0 : sum / count);
            m.put("max_ns", max);
            List<Object> buckets = new ArrayList<>();
            for (int i = 1; i < dh.length; i++) {
                if (dh[i] > 0) {
                    Map<String, Object> b = new LinkedHashMap<>();
                    long low = (1L << i) >> 1;
                    b.put("low", i == 1 ? 0 : low);
                    b.put("high", (1L << i) - 1);
                    b.put("count", dh[i]);
                    buckets.add(b);
                }
            }
            m.put("buckets", buckets);
            if (percentiles) {
                m.put("percentiles_ns", percentiles(df, max));
            }
            printJson(m);
            return;
        }
        if (!last) {
            out.printf("%n[%.1f s]%n", elapsedSeconds());
        } else {
            out.println();
        }
        Log2Histogram.print(dh, unit, out);
        out.printf("%navg = %d %s, total: %d %s, count: %d%n", count == 0 ? 0 : sum / count / divisor, unit, sum / divisor, unit, count);
        if (percentiles) {
            Map<String, Object> p = percentiles(df, max);
            out.printf("p50 = %s, p90 = %s, p99 = %s, max = %s %s%n", inUnit((Long) p.get("p50")), inUnit((Long) p.get("p90")),
                inUnit((Long) p.get("p99")), inUnit((Long) p.get("max")), unit);
        }
        out.flush();
    }

    private String inUnit(long ns) {
        return divisor == 1 ? Long.toString(ns) : String.format("%.3f", ns / (double) divisor);
    }

    static Map<String, Object> percentiles(long[] fine, long max) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("p50", LatencyBuckets.percentile(fine, 0.50, max));
        p.put("p90", LatencyBuckets.percentile(fine, 0.90, max));
        p.put("p99", LatencyBuckets.percentile(fine, 0.99, max));
        p.put("max", max);
        return p;
    }
}
