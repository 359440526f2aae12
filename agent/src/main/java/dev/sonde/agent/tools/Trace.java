package dev.sonde.agent.tools;

import dev.sonde.agent.control.ControlClient;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code sonde trace <pid> <method> [format]}: one line per call, as BCC's trace prints one per
 * event: the time, the thread's name and id, the method and the format with its values filled in.
 * A format names values as {@code $1} (a parameter's position), {@code $name} (its name, when the
 * class file has names), {@code $ret} (the return value: the line is then printed at the return),
 * each with an optional {@code :type} ({@link ValueRef}), braces allowed: {@code ${1:str}}. Without
 * a format, every parameter is shown. At most {@code --rate} lines a second are recorded (in the
 * program, before the ring buffer: the calls over the limit are counted, not sent); {@code -n}
 * ends the tool after that many lines.
 */
final class Trace extends Tool {
    /** {@code $name}, {@code $1}, {@code $ret}, with an optional {@code :type}, or the same in braces. */
    private static final Pattern VALUE = Pattern.compile("\\$\\{([A-Za-z0-9_]+)(?::([A-Za-z]+))?}|\\$([A-Za-z0-9_]+)(?::([A-Za-z]+))?");
    static final int EVENT_SIZE = 248;
    static final int OFF_ARGS = 32;
    static final int OFF_THREAD = 88;
    static final int OFF_STR = 120;
    static final int STR_LEN = 64;

    private String method;
    private final List<Object> parts = new ArrayList<>();   // String literals and ValueRefs
    private final List<ValueRef> strs = new ArrayList<>();
    private boolean atReturn;
    private long maxLines;
    private long printed;
    private long ringDropped;
    private int events;
    private int stats;
    private long firstTs = -1;

    Trace() {
        super("trace");
    }

    @Override
    String usage() {
        return "sonde trace <pid> <class>::<method>[<descriptor>] [<format>] [--rate <lines/s>] [-n <lines>] [-d <s>] [--json]\n"
            + "  one line per call: time, thread, method, the format's values ($1, $name, $ret, ${1:str}); default rate 1000/s";
    }

    @Override
    Set<String> valued() {
        return Set.of("--rate", "--max");
    }

    @Override
    Map<String, String> aliases() {
        return Map.of("-n", "--max", "-M", "--max", "-r", "--rate");
    }

    @Override
    String start(ToolSession s, ToolArgs a) throws IOException, ToolArgs.UsageError {
        if (a.positional.isEmpty() || a.positional.size() > 2) {
            throw new ToolArgs.UsageError("expected a method and an optional format (besides the pid), got " + a.positional.size() + " arguments");
        }
        method = a.positional.get(0);
        Targets.check(method);
        List<ValueRef.Method> ms = s.methods(method);
        String format = a.positional.size() == 2 ? a.positional.get(1) : defaultFormat(ms);
        parseFormat(format, ms);
        long rate = a.positive("--rate", 1000, 1_000_000_000);
        maxLines = a.positive("--max", Long.MAX_VALUE, Long.MAX_VALUE);
        if (strs.size() > 2) {
            throw new ToolArgs.UsageError("the format reads " + strs.size() + " String values; at most 2 per line");
        }
        ByteBuffer cfg = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(rate);
        for (int i = 0; i < 2; i++) {
            cfg.putInt(i < strs.size() ? (strs.get(i).isReturn() ? 0x100 : 1 + strs.get(i).param()) : 0);
        }
        s.configure(s.map("config"), cfg.array());
        events = s.map("events");
        stats = s.map("stats");
        int methods = (atReturn ? s.attach("trace_return", Targets.exit(method)) : s.attach("trace_entry", Targets.entry(method))).methods();
        if (!json) {
            out.printf("%-10s %-16s %-7s %-40s %s%n", "TIME", "THREAD", "TID", "METHOD", atReturn ? "VALUES (at return)" : "VALUES");
            out.flush();
        }
        return s.methodsText(methods) + " for \"" + method + "\"";
    }

    private static String defaultFormat(List<ValueRef.Method> ms) {
        if (ms.isEmpty()) {
            return "";   // at start-up: no class is loaded to say what the parameters are
        }
        int n = ms.get(0).paramTypes().size();
        for (ValueRef.Method m : ms) {
            if (!m.paramTypes().equals(ms.get(0).paramTypes())) {
                return "";
            }
        }
        List<String> ps = new ArrayList<>();
        for (int i = 1; i <= Math.min(n, 6); i++) {
            ps.add("$" + i);
        }
        return "(" + String.join(", ", ps) + ")";
    }

    private void parseFormat(String format, List<ValueRef.Method> ms) throws ToolArgs.UsageError {
        Matcher m = VALUE.matcher(format);
        int at = 0;
        while (m.find()) {
            if (m.start() > at) {
                parts.add(format.substring(at, m.start()));
            }
            String name = m.group(1) != null ? m.group(1) : m.group(3);
            String type = m.group(1) != null ? m.group(2) : m.group(4);
            ValueRef v = ValueRef.parse(type == null ? name : name + ":" + type, ms);
            if (!v.isReturn() && v.param() >= 6) {
                throw new ToolArgs.UsageError(m.group() + ": trace shows the first 6 parameters");
            }
            if (v.isReturn()) {
                atReturn = true;
            }
            if (v.type() == ValueRef.Type.STR && strs.stream().noneMatch(x -> x.param() == v.param())) {
                strs.add(v);
            }
            parts.add(v);
            at = m.end();
        }
        if (at < format.length()) {
            parts.add(format.substring(at));
        }
    }

    @Override
    boolean step(ToolSession s, Stopper stop, long nanos) throws IOException, InterruptedException {
        long end = System.nanoTime() + nanos;
        while (!stop.stopped()) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            ControlClient.RingRecords r = s.client.ringbufPoll(events, 256, (int) Math.min(200, Math.max(1, left / 1_000_000)));
            ringDropped = r.dropped();
            for (byte[] rec : r.records()) {
                print(s, rec);
                if (printed >= maxLines) {
                    return true;
                }
            }
        }
        return true;
    }

    private void print(ToolSession s, byte[] rec) throws IOException {
        if (rec.length < EVENT_SIZE) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN);
        long ts = b.getLong(0);
        if (firstTs < 0) {
            firstTs = ts;
        }
        long tid = b.getLong(8) & 0xffffffffL;
        String m = s.frame(b.getLong(16));
        long ret = b.getLong(24);
        boolean exceptional = (b.getInt(84) & 2) != 0;
        String thread = ValueRef.decodeString(rec, OFF_THREAD, 32);
        StringBuilder line = new StringBuilder();
        Map<String, Object> values = new LinkedHashMap<>();
        for (Object p : parts) {
            if (p instanceof String lit) {
                line.append(lit);
                continue;
            }
            ValueRef v = (ValueRef) p;
            Object shown;
            if (v.isReturn() && exceptional) {
                shown = "(threw)";
            } else if (v.type() == ValueRef.Type.STR) {
                int slot = strs.indexOf(strs.stream().filter(x -> x.param() == v.param()).findFirst().orElseThrow());
                shown = ValueRef.decodeString(rec, OFF_STR + slot * STR_LEN, STR_LEN);
            } else {
                shown = v.decode(v.isReturn() ? ret : b.getLong(OFF_ARGS + 8 * v.param()));
            }
            line.append(shown);
            values.put(v.text(), shown);
        }
        printed++;
        if (json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("tool", name);
            j.put("time_s", (ts - firstTs) / 1e9);
            j.put("thread", thread);
            j.put("tid", tid);
            j.put("method", m);
            j.put("values", values);
            if (exceptional) {
                j.put("exceptional", true);
            }
            j.put("line", line.toString());
            printJson(j);
        } else {
            out.printf("%-10.6f %-16s %-7d %-40s %s%n", (ts - firstTs) / 1e9, thread, tid, m, line);
        }
    }

    @Override
    void report(ToolSession s, boolean last) throws IOException {
        if (!last) {
            return;
        }
        // The records already in the ring when the tool was stopped are still printed.
        while (printed < maxLines) {
            ControlClient.RingRecords r = s.client.ringbufPoll(events, 256, 0);
            ringDropped = r.dropped();
            if (r.records().isEmpty()) {
                break;
            }
            for (byte[] rec : r.records()) {
                if (printed < maxLines) {
                    print(s, rec);
                }
            }
        }
        long[] st = s.array(stats, 3);
        if (json) {
            Map<String, Object> m = head(s, true);
            m.put("method", method);
            m.put("calls", st[0]);
            m.put("printed", printed);
            m.put("rate_limited", st[1]);
            m.put("lost", st[2] + ringDropped);
            printJson(m);
        } else {
            out.flush();
            err.printf("%d calls, %d lines printed, %d over the rate limit, %d lost%n", st[0], printed, st[1], st[2] + ringDropped);
        }
    }
}
