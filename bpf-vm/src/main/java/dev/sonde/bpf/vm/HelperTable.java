package dev.sonde.bpf.vm;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Helpers by their Linux number. A table is built once and then shared read-only by every program
 * prepared with it; {@link #with} returns a new table.
 */
public final class HelperTable {
    /** Ids above this are refused (Linux numbers end near 211; Sonde's own range is below this). */
    public static final int MAX_ID = 0xffff;

    private final Map<Integer, Entry> byId;

    /** One helper: its number, its C name, what it takes and returns, its body. */
    public record Entry(int id, String name, HelperProto proto, Helper body) {
    }

    private HelperTable(Map<Integer, Entry> byId) {
        this.byId = byId;
    }

    public static HelperTable empty() {
        return new HelperTable(Map.of());
    }

    /** A helper whose arguments the verifier cannot check ({@link HelperProto#ANY}); for tests. */
    public HelperTable with(int id, String name, Helper body) {
        return with(id, name, HelperProto.ANY, body);
    }

    public HelperTable with(int id, String name, HelperProto proto, Helper body) {
        if (id < 0 || id > MAX_ID) {
            throw new IllegalArgumentException("helper id " + id + " out of range");
        }
        TreeMap<Integer, Entry> m = new TreeMap<>(byId);
        m.put(id, new Entry(id, name, proto, body));
        return new HelperTable(java.util.Collections.unmodifiableMap(m));
    }

    public HelperTable withAll(HelperTable other) {
        TreeMap<Integer, Entry> m = new TreeMap<>(byId);
        m.putAll(other.byId);
        return new HelperTable(java.util.Collections.unmodifiableMap(m));
    }

    public Entry get(int id) {
        return byId.get(id);
    }

    public Iterable<Entry> entries() {
        return byId.values();
    }

    /** A dense array indexed by id, null where no helper exists; for the interpreter. */
    Helper[] dense() {
        int max = byId.isEmpty() ? 0 : ((TreeMap<Integer, Entry>) new TreeMap<>(byId)).lastKey();
        Helper[] out = new Helper[max + 1];
        for (Entry e : byId.values()) {
            out[e.id()] = e.body();
        }
        return out;
    }

    @Override
    public String toString() {
        return "HelperTable" + Arrays.toString(byId.keySet().toArray());
    }
}
