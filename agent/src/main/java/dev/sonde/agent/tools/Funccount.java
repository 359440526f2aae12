package dev.sonde.agent.tools;

import dev.sonde.agent.control.ControlClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code sonde funccount <pid> <class-glob>::<method-glob>}: calls per method, as BCC's funccount
 * counts calls per kernel function. One program ({@code funccount.bpf.c}) on every method of the
 * glob counts by the method's address; every interval ({@code -i}) the tool prints the calls of
 * that interval (the difference from the last read: nothing is cleared, so no call is lost between
 * a read and a clear), at the end the totals since it attached, the top N first.
 */
final class Funccount extends Tool {
    private String pattern;
    private int top;
    private int map;
    private int methods;
    private final Map<Long, Long> previous = new HashMap<>();

    Funccount() {
        super("funccount");
    }

    @Override
    String usage() {
        return "sonde funccount <pid> <class-glob>::<method-glob> [-i <s>] [-d <s>] [--top <n>] [--json]\n"
            + "  calls per method of the glob (e.g. 'com.shop.*::pay*'), every interval and at the end";
    }

    @Override
    Set<String> valued() {
        return Set.of("--top");
    }

    @Override
    String start(ToolSession s, ToolArgs a) throws IOException, ToolArgs.UsageError {
        if (a.positional.size() != 1) {
            throw new ToolArgs.UsageError("expected one pattern (besides the pid), got " + a.positional.size() + " arguments");
        }
        pattern = a.positional.get(0);
        if (!pattern.contains("::")) {
            throw new ToolArgs.UsageError("pattern '" + pattern + "' has no '::' between class and method (e.g. 'com.shop.*::pay*')");
        }
        top = (int) a.positive("--top", 20, 100_000);
        map = s.map("counts");
        ControlClient.Attached at = s.attach("funccount_entry", "kprobe.multi/" + pattern);
        methods = at.methods();
        return s.methodsText(methods) + " for \"" + pattern + "\"";
    }

    @Override
    void report(ToolSession s, boolean last) throws IOException {
        Map<Long, Long> now = new HashMap<>();
        for (ControlClient.KeyValue kv : s.client.dump(map, 0)) {
            now.put(ToolSession.le(kv.key()).getLong(0), ToolSession.le(kv.value()).getLong(0));
        }
        List<Row> rows = new ArrayList<>();
        long total = 0;
        for (Map.Entry<Long, Long> e : now.entrySet()) {
            long n = last ? e.getValue() : e.getValue() - previous.getOrDefault(e.getKey(), 0L);
            if (n > 0) {
                rows.add(new Row(s.symbol(e.getKey()), n));
                total += n;
            }
        }
        if (!last) {
            previous.clear();
            previous.putAll(now);
        }
        rows.sort((x, y) -> x.count != y.count ? Long.compare(y.count, x.count) : x.method.compareTo(y.method));
        List<Row> shown = rows.subList(0, Math.min(top, rows.size()));
        if (json) {
            Map<String, Object> m = head(s, last);
            m.put("pattern", pattern);
            m.put("methods_attached", methods);
            m.put("total", total);
            List<Object> calls = new ArrayList<>();
            for (Row r : shown) {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("method", r.method);
                c.put("count", r.count);
                calls.add(c);
            }
            m.put("calls", calls);
            printJson(m);
            return;
        }
        if (!last || elapsedSeconds() > 0) {
            out.printf("%n%s%n", last ? String.format("Totals after %.1f s:", elapsedSeconds()) : String.format("[%.1f s]", elapsedSeconds()));
        }
        int w = 40;
        for (Row r : shown) {
            w = Math.max(w, r.method.length());
        }
        out.printf("%-" + w + "s %10s%n", "METHOD", "COUNT");
        for (Row r : shown) {
            out.printf("%-" + w + "s %10d%n", r.method, r.count);
        }
        if (rows.size() > shown.size()) {
            out.printf("(%d more methods not shown; --top %d)%n", rows.size() - shown.size(), rows.size());
        }
        out.flush();
    }

    private record Row(String method, long count) {
    }
}
