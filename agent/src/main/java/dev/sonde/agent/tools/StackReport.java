package dev.sonde.agent.tools;

import dev.sonde.agent.control.ControlClient;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What stackcount and profile share: reading a {@code counts} map (stack id → count) and a
 * STACK_TRACE map (stack id → frame addresses, innermost first, 0 after the last) into
 * {@link StackCounts}, symbolized, and printing them as text, folded lines, JSON or an SVG flame
 * graph. Counts are cumulative in the maps; an interval's report shows the difference.
 */
final class StackReport {
    /**
     * The trampolines' dispatch frames (the probe's own machinery above the probed method). The
     * agent's stack capture means to leave them out, but its package list names
     * "dev.sonde.trampolines." while the package is dev.sonde.trampoline, so they reach the stack
     * map; the tools drop them when they symbolize.
     */
    static final String SONDE_TRAMPOLINE = "dev.sonde.trampoline.";

    /** The root of a stack deeper than the stack map keeps (its outer frames are lost, as in perf). */
    static final String TRUNCATED = "[deeper frames not kept]";

    private final ToolSession s;
    private final int counts;
    private final int stacks;
    private final Map<Integer, Long> previous = new HashMap<>();
    private final Map<Integer, List<String>> frames = new HashMap<>();

    StackReport(ToolSession s, String countsMap, String stacksMap) throws IOException {
        this.s = s;
        this.counts = s.map(countsMap);
        this.stacks = s.map(stacksMap);
    }

    /** The stacks counted since the last call with {@code sinceLast} (or since attach without). */
    StackCounts read(boolean sinceLast) throws IOException {
        StackCounts out = new StackCounts();
        Map<Integer, Long> now = new HashMap<>();
        for (ControlClient.KeyValue kv : s.client.dump(counts, 0)) {
            now.put(ToolSession.le(kv.key()).getInt(0), ToolSession.le(kv.value()).getLong(0));
        }
        for (Map.Entry<Integer, Long> e : now.entrySet()) {
            long n = sinceLast ? e.getValue() - previous.getOrDefault(e.getKey(), 0L) : e.getValue();
            if (n > 0) {
                out.add(frames(e.getKey()), n);
            }
        }
        if (sinceLast) {
            previous.clear();
            previous.putAll(now);
        }
        return out;
    }

    /** The frames of a stack id, root first ("[unknown]" if the stack is gone from the map). */
    private List<String> frames(int id) throws IOException {
        List<String> f = frames.get(id);
        if (f != null) {
            return f;
        }
        byte[] v = s.client.lookup(stacks, ToolSession.u32(id));
        List<String> names = new ArrayList<>();
        if (v == null) {
            names.add("[unknown]");
        } else {
            ByteBuffer b = ToolSession.le(v);
            for (int i = 0; i + 8 <= v.length; i += 8) {
                long a = b.getLong(i);
                if (a == 0) {
                    break;
                }
                String name = s.frame(a);
                if (!name.startsWith(SONDE_TRAMPOLINE)) {
                    names.add(name);
                }
            }
            if (v.length / 8 == names.size() + dropped(v)) {
                names.add(TRUNCATED);   // the stack map kept only the innermost frames
            }
            Collections.reverse(names);
        }
        f = List.copyOf(names);
        frames.put(id, f);
        return f;
    }

    /** The trampoline frames among a stack value's addresses (kept in the map, left out of the names). */
    private int dropped(byte[] v) throws IOException {
        int n = 0;
        ByteBuffer b = ToolSession.le(v);
        for (int i = 0; i + 8 <= v.length && b.getLong(i) != 0; i += 8) {
            if (s.frame(b.getLong(i)).startsWith(SONDE_TRAMPOLINE)) {
                n++;
            }
        }
        return n;
    }

    static void writeSvg(Path file, StackCounts c, String title, String unit) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, FlameGraph.svg(c, title, unit));
    }
}
