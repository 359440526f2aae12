package dev.sonde.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a JMH JSON result of {@link InterpreterBench} and prints, per kernel and length, ns/call,
 * ns/byte, ns per eBPF instruction, the plain-Java time and the VM/Java ratio, plus the allocation
 * rate when the run had {@code -prof gc}. Usage: {@code Report result.json}.
 */
public final class Report {
    private static final Pattern ENTRY = Pattern.compile(
        "\"benchmark\"\\s*:\\s*\"[^\"]*\\.(\\w+)\".*?\"kernel\"\\s*:\\s*\"([^\"]+)\".*?"
            + "\"primaryMetric\"\\s*:\\s*\\{\\s*\"score\"\\s*:\\s*([0-9.eE+-]+)\\s*,\\s*\"scoreError\"\\s*:\\s*([0-9.eE+-]+|\"NaN\")"
            + "(.*?\"gc\\.alloc\\.rate\\.norm\"\\s*:\\s*\\{\\s*\"score\"\\s*:\\s*([0-9.eE+-]+))?",
        Pattern.DOTALL);

    private Report() {
    }

    public static void main(String[] args) throws IOException {
        String json = Files.readString(Path.of(args[0]));
        // Split on top-level entries so that the lazy match cannot run into the next benchmark.
        List<String> parts = new ArrayList<>();
        for (String p : json.split("\\{\\s*\"jmhVersion\"")) {
            if (!p.isBlank()) {
                parts.add(p);
            }
        }
        Map<String, double[]> rows = new LinkedHashMap<>();
        for (String part : parts) {
            Matcher m = ENTRY.matcher(part);
            if (!m.find()) {
                continue;
            }
            double[] row = rows.computeIfAbsent(m.group(2), k -> new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN});
            int base = m.group(1).equals("vm") ? 0 : 2;
            row[base] = Double.parseDouble(m.group(3));
            row[base + 1] = m.group(4).startsWith("\"") ? Double.NaN : Double.parseDouble(m.group(4));
            if (base == 0 && m.group(6) != null) {
                row[4] = Double.parseDouble(m.group(6));
            }
        }
        System.out.printf("%-18s %12s %9s %9s %12s %7s %10s%n", "kernel:len", "vm ns/call", "ns/byte", "ns/insn",
            "java ns/call", "vm/java", "vm B/op");
        for (Map.Entry<String, double[]> e : rows.entrySet()) {
            String[] kv = e.getKey().split(":");
            int len = Integer.parseInt(kv[1]);
            double[] r = e.getValue();
            System.out.printf("%-18s %8.0f±%-4.0f %9.2f %9.3f %8.0f±%-4.0f %7.1f %10s%n", e.getKey(), r[0], r[1],
                r[0] / len, r[0] / Kernels.instructions(kv[0], len), r[2], r[3], r[0] / r[2],
                Double.isNaN(r[4]) ? "-" : String.format("%.3f", r[4]));
        }
    }
}
