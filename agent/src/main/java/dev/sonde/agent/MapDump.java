package dev.sonde.agent;

import dev.sonde.bpf.map.BpfMap;
import dev.sonde.bpf.map.MapType;
import dev.sonde.bpf.object.LoadedProgram;
import dev.sonde.probe.control.LinkStats;
import dev.sonde.probe.control.ProbeLink;
import dev.sonde.probe.control.ProbeObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON map dump of DESIGN.md §4: {@code {"maps":[…],"programs":[…]}}, one map or program per
 * line.
 *
 * <pre>
 * map      {"object","name","type","key_size","value_size","max_entries","entries"}
 * entry    {"key":"&lt;hex&gt;","value":"&lt;hex&gt;"}            per-CPU maps: {"key":…,"values":["&lt;hex&gt;",…]}
 * program  {"object","name","section","run_cnt","run_time_ns","nmissed","faults"}
 * </pre>
 *
 * Hex is lowercase, the raw little-endian bytes, no separators. ARRAY maps list every index (the
 * array's get_next_key walks them all); ring buffers, perf event arrays and stack-trace maps list
 * no entries. A program's counters sum all its links in the object.
 */
public final class MapDump {
    private MapDump() {
    }

    public static String json(List<ProbeObject> objects) {
        List<String> maps = new ArrayList<>();
        List<String> programs = new ArrayList<>();
        for (ProbeObject o : objects) {
            for (BpfMap m : o.maps()) {
                maps.add(map(o.name(), m));
            }
            for (LoadedProgram p : o.programs()) {
                programs.add(program(o, p));
            }
        }
        return "{\"maps\":[" + lines(maps) + "],\n\"programs\":[" + lines(programs) + "]}\n";
    }

    private static String lines(List<String> items) {
        return items.isEmpty() ? "" : "\n" + String.join(",\n", items) + "\n";
    }

    public static String map(String object, BpfMap m) {
        StringBuilder b = new StringBuilder();
        b.append("{\"object\":").append(Json.quote(object))
            .append(",\"name\":").append(Json.quote(m.name()))
            .append(",\"type\":").append(Json.quote(m.type().bpftoolName))
            .append(",\"key_size\":").append(m.keySize())
            .append(",\"value_size\":").append(m.valueSize())
            .append(",\"max_entries\":").append(m.maxEntries())
            .append(",\"entries\":[");
        if (hasEntries(m.type())) {
            entries(m, b);
        }
        return b.append("]}").toString();
    }

    private static boolean hasEntries(MapType t) {
        return t != MapType.RINGBUF && t != MapType.PERF_EVENT_ARRAY && t != MapType.STACK_TRACE;
    }

    static boolean isPerCpu(MapType t) {
        return t == MapType.PERCPU_ARRAY || t == MapType.PERCPU_HASH || t == MapType.LRU_PERCPU_HASH;
    }

    private static void entries(BpfMap m, StringBuilder b) {
        boolean perCpu = isPerCpu(m.type());
        int stride = (m.valueSize() + 7) & ~7;
        byte[] value = new byte[m.javaValueSize()];
        byte[] key = null;
        boolean first = true;
        // Bounded: a hash map changing under the walk may restart it (get_next_key of a deleted key).
        for (long n = 0, max = 2L * m.maxEntries() + 16; n < max; n++) {
            byte[] next = m.nextKey(key);
            if (next == null) {
                break;
            }
            key = next;
            if (m.lookup(key, value) != 0) {
                continue;   // deleted meanwhile, or a map whose values Java cannot read (prog_array)
            }
            b.append(first ? "" : ",").append("{\"key\":\"").append(hex(key, 0, key.length)).append('"');
            first = false;
            if (perCpu) {
                b.append(",\"values\":[");
                for (int off = 0, i = 0; off + m.valueSize() <= value.length; off += stride, i++) {
                    b.append(i == 0 ? "" : ",").append('"').append(hex(value, off, m.valueSize())).append('"');
                }
                b.append("]}");
            } else {
                b.append(",\"value\":\"").append(hex(value, 0, m.valueSize())).append("\"}");
            }
        }
    }

    /** The entries as bpftool prints them: {@code key: 01 00 00 00  value: 2a 00 …}, one per line. */
    public static void text(BpfMap m, StringBuilder b) {
        String json = map("", m);
        // Reuse the walk of entries(): the JSON form is parsed back rather than walking twice.
        @SuppressWarnings("unchecked")
        List<java.util.Map<String, Object>> entries = (List<java.util.Map<String, Object>>) ((java.util.Map<String, Object>) Json.parse(json)).get("entries");
        for (java.util.Map<String, Object> e : entries) {
            b.append("key: ").append(spaced((String) e.get("key")));
            if (e.containsKey("values")) {
                int slot = 0;
                for (Object v : (List<?>) e.get("values")) {
                    b.append("\n  slot ").append(slot++).append(": ").append(spaced((String) v));
                }
                b.append('\n');
            } else {
                b.append("  value: ").append(spaced((String) e.get("value"))).append('\n');
            }
        }
    }

    private static String spaced(String hex) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < hex.length(); i += 2) {
            b.append(i == 0 ? "" : " ").append(hex, i, i + 2);
        }
        return b.toString();
    }

    static String program(ProbeObject o, LoadedProgram p) {
        LinkStats s = LinkStats.ZERO;
        for (ProbeLink l : o.links()) {
            if (l.programName().equals(p.name())) {
                s = s.plus(l.stats());
            }
        }
        return "{\"object\":" + Json.quote(o.name()) + ",\"name\":" + Json.quote(p.name())
            + ",\"section\":" + Json.quote(p.section()) + ",\"run_cnt\":" + s.runCount()
            + ",\"run_time_ns\":" + s.runTimeNs() + ",\"nmissed\":" + s.nmissed() + ",\"faults\":" + s.faults() + "}";
    }

    public static String hex(byte[] bytes, int off, int len) {
        StringBuilder b = new StringBuilder(len * 2);
        for (int i = off; i < off + len; i++) {
            b.append(Character.forDigit((bytes[i] >> 4) & 0xf, 16)).append(Character.forDigit(bytes[i] & 0xf, 16));
        }
        return b.toString();
    }
}
