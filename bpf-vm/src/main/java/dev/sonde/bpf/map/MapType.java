package dev.sonde.bpf.map;

import dev.sonde.bpf.vm.Errno;
import dev.sonde.bpf.slot.ExecutionSlots;

/**
 * Every map type Sonde implements: the Linux type id (uapi {@code enum bpf_map_type}), the name
 * bpftool prints (and the map dump's {@code "type"}), and the factory. This is the only table of
 * map types; the loader, the dump and the helpers all read it.
 */
public enum MapType {
    HASH(1, "hash", HashTab::new),
    ARRAY(2, "array", ArrayMap::new),
    PROG_ARRAY(3, "prog_array", ProgArray::new),
    PERF_EVENT_ARRAY(4, "perf_event_array", PerfEventArray::new),
    PERCPU_HASH(5, "percpu_hash", PercpuHashTab::new),
    PERCPU_ARRAY(6, "percpu_array", PercpuArrayMap::new),
    STACK_TRACE(7, "stack_trace", StackTraceMap::new),
    LRU_HASH(9, "lru_hash", LruHashTab::new),
    LRU_PERCPU_HASH(10, "lru_percpu_hash", LruPercpuHashTab::new),
    RINGBUF(27, "ringbuf", RingBuf::new);

    /** Builds a map of this type; throws {@link MapException} for an impossible definition. */
    @FunctionalInterface
    public interface Factory {
        BpfMap create(MapSpec spec, ExecutionSlots slots);
    }

    public final int id;
    public final String bpftoolName;
    private final Factory factory;

    MapType(int id, String bpftoolName, Factory factory) {
        this.id = id;
        this.bpftoolName = bpftoolName;
        this.factory = factory;
    }

    /** The type with Linux id {@code id}, or null when Sonde does not implement it. */
    public static MapType byId(int id) {
        for (MapType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        return null;
    }

    /** The type bpftool calls {@code name}, or null. */
    public static MapType byName(String name) {
        for (MapType t : values()) {
            if (t.bpftoolName.equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** Creates the map {@code spec} describes, its storage registered in {@code slots}' region table. */
    public static BpfMap create(MapSpec spec, ExecutionSlots slots) {
        MapType t = byId(spec.type());
        if (t == null) {
            throw new MapException(Errno.EINVAL, "map " + spec.name() + ": map type " + spec.type() + " is not supported");
        }
        return t.factory.create(spec, slots);
    }
}
