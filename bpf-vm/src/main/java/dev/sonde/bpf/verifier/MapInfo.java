package dev.sonde.bpf.verifier;

/**
 * What the verifier needs to know of a map the program refers to by index ({@code lddw} pseudo
 * sources 1/2/5/6 carry the index in imm). Independent of the map implementations: the loader
 * builds one per map of the object.
 *
 * @param name       for messages (".rodata", "counts")
 * @param type       the Linux map type id (1 HASH, 2 ARRAY, 3 PROG_ARRAY, 6 PERCPU_ARRAY, 27 RINGBUF…)
 * @param keySize    bytes
 * @param valueSize  bytes (for a ring buffer: 0)
 * @param maxEntries entries (for a ring buffer: its data size)
 * @param readOnly   the program may not write values ({@code .rodata}, BPF_F_RDONLY_PROG)
 * @param frozen     for read-only global data: the value bytes, which are constant for the program's
 *                   lifetime (lets loads fold and string arguments be checked); else null
 */
public record MapInfo(String name, int type, int keySize, int valueSize, int maxEntries, boolean readOnly,
                      byte[] frozen) {
    public static final int HASH = 1, ARRAY = 2, PROG_ARRAY = 3, PERF_EVENT_ARRAY = 4, PERCPU_HASH = 5,
        PERCPU_ARRAY = 6, STACK_TRACE = 7, LRU_HASH = 9, LRU_PERCPU_HASH = 10, RINGBUF = 27;

    public MapInfo {
        if (keySize < 0 || valueSize < 0 || maxEntries < 0) {
            throw new IllegalArgumentException("negative map dimension in " + name);
        }
        if (frozen != null && frozen.length != valueSize) {
            throw new IllegalArgumentException("frozen data of " + name + " is not value_size bytes");
        }
    }

    public static MapInfo of(String name, int type, int keySize, int valueSize, int maxEntries) {
        return new MapInfo(name, type, keySize, valueSize, maxEntries, false, null);
    }

    /** A global-data section as a one-entry array ({@code .data}, {@code .bss}, or frozen {@code .rodata}). */
    public static MapInfo globalData(String name, int size, byte[] frozen) {
        return new MapInfo(name, ARRAY, 4, size, 1, frozen != null, frozen);
    }

    public boolean isRingBuf() {
        return type == RINGBUF;
    }

    public boolean isProgArray() {
        return type == PROG_ARRAY;
    }

    public boolean isPerCpu() {
        return type == PERCPU_HASH || type == PERCPU_ARRAY || type == LRU_PERCPU_HASH;
    }

    /** Maps whose values a program reaches by lookup (and so may hold in a register). */
    public boolean hasValues() {
        return switch (type) {
            case PROG_ARRAY, PERF_EVENT_ARRAY, RINGBUF, STACK_TRACE -> false;
            default -> valueSize > 0;
        };
    }
}
