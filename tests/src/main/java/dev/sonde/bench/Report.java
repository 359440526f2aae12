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
 * Reads a JMH JSON result of {@link KernelBench} and prints, per kernel and length and per engine
 * (interpreter, JIT), ns/call, ns/byte, ns per eBPF instruction and the ratio to plain Java in the
 * same run, plus B/op when the run had {@code -prof gc}. Usage: {@code Report result.json}.
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
        // kernel:len -> engine -> {score, error, B/op}
        Map<String, Map<String, double[]>> rows = new LinkedHashMap<>();
        for (String part : parts) {
            Matcher m = ENTRY.matcher(part);
            if (!m.find()) {
                continue;
            }
            double err = m.group(4).startsWith("\"") ? Double.NaN : Double.parseDouble(m.group(4));
            double alloc = m.group(6) == null ? Double.NaN : Double.parseDouble(m.group(6));
            rows.computeIfAbsent(m.group(2), k -> new LinkedHashMap<>())
                .put(m.group(1), new double[] {Double.parseDouble(m.group(3)), err, alloc});
        }
        System.out.printf("%-16s %-6s %16s %9s %9s %8s %9s%n", "kernel:len", "engine", "ns/call", "ns/byte", "ns/insn",
            "x java", "B/op");
        for (Map.Entry<String, Map<String, double[]>> e : rows.entrySet()) {
            String[] kv = e.getKey().split(":");
            int len = Integer.parseInt(kv[1]);
            double[] java = e.getValue().get("java");
            for (Map.Entry<String, double[]> engine : e.getValue().entrySet()) {
                double[] r = engine.getValue();
                boolean vm = !engine.getKey().equals("java");
                System.out.printf("%-16s %-6s %9.0f ± %-5.0f %9.2f %9s %8s %9s%n", e.getKey(), engine.getKey(), r[0], r[1],
                    r[0] / len, vm ? String.format("%.3f", r[0] / Kernels.instructions(kv[0], len)) : "-",
                    vm && java != null ? String.format("%.2f", r[0] / java[0]) : "-",
                    Double.isNaN(r[2]) ? "-" : String.format("%.3f", r[2]));
            }
        }
    }
}
