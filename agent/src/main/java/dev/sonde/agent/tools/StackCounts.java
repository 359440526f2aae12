package dev.sonde.agent.tools;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counted call stacks, as stackcount and profile collect them: each stack a list of frame names,
 * root (outermost) first, with its count. Stacks equal by their names merge (two addresses of one
 * method, e.g. different bytecode offsets, are one frame here). Prints itself in Brendan Gregg's
 * folded format ({@code root;child;leaf count}, one stack a line, sorted) and as JSON; the SVG is
 * {@link FlameGraph}'s.
 */
final class StackCounts {
    private final Map<List<String>, Long> counts = new LinkedHashMap<>();

    void add(List<String> rootFirst, long count) {
        if (count > 0) {
            counts.merge(List.copyOf(rootFirst), count, Long::sum);
        }
    }

    Map<List<String>, Long> counts() {
        return counts;
    }

    long total() {
        long t = 0;
        for (long c : counts.values()) {
            t += c;
        }
        return t;
    }

    boolean isEmpty() {
        return counts.isEmpty();
    }

    /** Folded lines, sorted by stack (as flamegraph.pl's input usually is). */
    List<String> folded() {
        TreeMap<String, Long> sorted = new TreeMap<>();
        for (Map.Entry<List<String>, Long> e : counts.entrySet()) {
            sorted.merge(String.join(";", e.getKey().stream().map(StackCounts::foldedName).toList()), e.getValue(), Long::sum);
        }
        List<String> out = new ArrayList<>();
        sorted.forEach((k, v) -> out.add(k + " " + v));
        return out;
    }

    /** Folded frames may not hold ';' or a line break (they separate frames and stacks); a space is kept. */
    static String foldedName(String frame) {
        return frame.replace(';', ':').replace('\n', ' ');
    }

    /** The stacks, most counted first: {"count", "frames" (root first)}. */
    List<Map<String, Object>> json() {
        List<Map<String, Object>> out = new ArrayList<>();
        counts.entrySet().stream()
            .sorted(Map.Entry.<List<String>, Long>comparingByValue(Comparator.reverseOrder())
                .thenComparing(e -> String.join(";", e.getKey())))
            .forEach(e -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("count", e.getValue());
                m.put("frames", e.getKey());
                out.add(m);
            });
        return out;
    }

    /** BCC stackcount's text: each stack leaf first, indented, then its count; most counted last. */
    List<String> text() {
        List<Map.Entry<List<String>, Long>> es = new ArrayList<>(counts.entrySet());
        es.sort(Map.Entry.<List<String>, Long>comparingByValue().thenComparing(e -> String.join(";", e.getKey())));
        List<String> out = new ArrayList<>();
        for (Map.Entry<List<String>, Long> e : es) {
            List<String> fs = e.getKey();
            for (int i = fs.size() - 1; i >= 0; i--) {
                out.add("  " + fs.get(i));
            }
            out.add("    " + e.getValue());
            out.add("");
        }
        return out;
    }
}
