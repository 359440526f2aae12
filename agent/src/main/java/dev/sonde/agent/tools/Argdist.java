package dev.sonde.agent.tools;

import dev.sonde.agent.cli.Log2Histogram;
import dev.sonde.agent.control.ControlClient;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@code sonde argdist <pid> <method> <expr>}: the distribution of one parameter or of the return
 * value, as BCC's argdist shows one: the most frequent values (default, BCC's {@code -C}) or, with
 * {@code --hist}, a log2 histogram of a number (BCC's {@code -H}). {@code expr} is a
 * {@link ValueRef}: {@code 2}, {@code shelf}, {@code ret}, {@code 1:str}. The program counts each
 * distinct value (64 bits, or a String's first 63 bytes) in a hash map; the histogram is made
 * from those counts.
 */
final class Argdist extends Tool {
    private String method;
    private ValueRef value;
    private boolean hist;
    private int top;
    private int numbers;
    private int strings;
    private int stats;
    private int methods;
    private final Map<Object, Long> previous = new HashMap<>();

    Argdist() {
        super("argdist");
    }

    @Override
    String usage() {
        return "sonde argdist <pid> <class>::<method>[<descriptor>] <position|name|ret>[:<type>] [--hist] [--top <n>] [-i <s>] [-d <s>] [--json]\n"
            + "  the distribution of a parameter or the return value: its most frequent values, or --hist a log2 histogram;\n"
            + "  types: int long short byte char bool float double str ref (default: the descriptor's)";
    }

    @Override
    Set<String> valued() {
        return Set.of("--top");
    }

    @Override
    Set<String> flags() {
        return Set.of("--hist", "--counts");
    }

    @Override
    Map<String, String> aliases() {
        return Map.of("-H", "--hist", "-C", "--counts", "-T", "--top");
    }

    @Override
    String start(ToolSession s, ToolArgs a) throws IOException, ToolArgs.UsageError {
        if (a.positional.size() != 2) {
            throw new ToolArgs.UsageError("expected a method and a value (besides the pid), got " + a.positional.size() + " arguments");
        }
        method = a.positional.get(0);
        Targets.check(method);
        value = ValueRef.parse(a.positional.get(1), s.methods(method));
        hist = a.has("--hist");
        if (hist && !value.type().isNumber()) {
            throw new ToolArgs.UsageError("--hist needs a number; " + value.text() + " is read as " + value.type().name().toLowerCase());
        }
        top = (int) a.positive("--top", 10, 100_000);
        numbers = s.map("numbers");
        strings = s.map("strings");
        stats = s.map("stats");
        s.configure(s.map("config"), ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
            .putInt(value.isReturn() ? 0 : value.param()).putInt(value.type() == ValueRef.Type.STR ? 1 : 0).array());
        ControlClient.Attached at = value.isReturn() ? s.attach("argdist_return", Targets.exit(method))
            : s.attach("argdist_entry", Targets.entry(method));
        methods = at.methods();
        return (value.isReturn() ? "the return value" : "parameter " + (value.param() + 1)) + " (" + value.type().name().toLowerCase()
            + ") of " + s.methodsText(methods) + " for \"" + method + "\"";
    }

    @Override
    void report(ToolSession s, boolean last) throws IOException {
        Map<Object, Long> now = new HashMap<>();
        if (value.type() == ValueRef.Type.STR) {
            for (ControlClient.KeyValue kv : s.client.dump(strings, 0)) {
                now.merge(Objects.requireNonNullElse(ValueRef.decodeString(kv.key(), 0, kv.key().length), "(null)"),
                    ToolSession.le(kv.value()).getLong(0), Long::sum);
            }
        } else {
            for (ControlClient.KeyValue kv : s.client.dump(numbers, 0)) {
                now.merge(ToolSession.le(kv.key()).getLong(0), ToolSession.le(kv.value()).getLong(0), Long::sum);
            }
        }
        Map<Object, Long> counts = new HashMap<>();
        for (Map.Entry<Object, Long> e : now.entrySet()) {
            long n = last ? e.getValue() : e.getValue() - previous.getOrDefault(e.getKey(), 0L);
            if (n > 0) {
                counts.put(e.getKey(), n);
            }
        }
        if (!last) {
            previous.clear();
            previous.putAll(now);
        }
        long[] st = s.array(stats, 3);
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        List<Map.Entry<Object, Long>> rows = new ArrayList<>(counts.entrySet());
        rows.sort((x, y) -> !x.getValue().equals(y.getValue()) ? Long.compare(y.getValue(), x.getValue())
            : String.valueOf(x.getKey()).compareTo(String.valueOf(y.getKey())));
        long[] buckets = new long[65];
        long negative = 0;
        if (hist) {
            for (Map.Entry<Object, Long> e : counts.entrySet()) {
                long v = number(e.getKey());
                if (v < 0) {
                    negative += e.getValue();
                } else {
                    buckets[v == 0 ? 1 : 64 - Long.numberOfLeadingZeros(v)] += e.getValue();
                }
            }
        }
        if (json) {
            Map<String, Object> m = head(s, last);
            m.put("method", method);
            m.put("methods_attached", methods);
            m.put("expr", value.text());
            m.put("value", value.isReturn() ? "ret" : "param " + (value.param() + 1));
            m.put("type", value.type().name().toLowerCase());
            m.put("total", total);
            m.put("distinct", counts.size());
            m.put("dropped", st[1]);
            m.put("exceptional_returns", st[2]);
            List<Object> values = new ArrayList<>();
            for (Map.Entry<Object, Long> e : rows.subList(0, Math.min(top, rows.size()))) {
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("value", shown(e.getKey()));
                v.put("count", e.getValue());
                values.add(v);
            }
            m.put("values", values);
            if (hist) {
                List<Object> bs = new ArrayList<>();
                for (int i = 1; i < buckets.length; i++) {
                    if (buckets[i] > 0) {
                        Map<String, Object> b = new LinkedHashMap<>();
                        b.put("low", i == 1 ? 0 : 1L << (i - 1));
                        b.put("high", i == 64 ? Long.MAX_VALUE : (1L << i) - 1);
                        b.put("count", buckets[i]);
                        bs.add(b);
                    }
                }
                m.put("buckets", bs);
                m.put("negative", negative);
            }
            printJson(m);
            return;
        }
        out.printf("%n%s%n", last ? String.format("[%.1f s, totals] %s", elapsedSeconds(), value.text())
            : String.format("[%.1f s] %s", elapsedSeconds(), value.text()));
        if (hist) {
            Log2Histogram.print(buckets, value.text(), out);
            if (negative > 0) {
                out.printf("negative values: %d%n", negative);
            }
        } else {
            out.printf("%10s %s%n", "COUNT", "VALUE");
            for (Map.Entry<Object, Long> e : rows.subList(0, Math.min(top, rows.size()))) {
                out.printf("%10d %s%n", e.getValue(), shown(e.getKey()));
            }
            if (rows.size() > top) {
                out.printf("(%d more values)%n", rows.size() - top);
            }
        }
        out.printf("%d calls%s%n", total, st[1] > 0 ? ", " + st[1] + " values not counted (map full)" : "");
        out.flush();
    }

    private long number(Object key) {
        Object d = value.decode((Long) key);
        return d instanceof Long l ? l : d instanceof Double x ? (long) (double) x : d instanceof Boolean b ? (b ? 1 : 0) : (Long) key;
    }

    private Object shown(Object key) {
        return key instanceof Long l ? value.decode(l) : key;
    }
}
