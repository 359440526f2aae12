package dev.sonde.bpf.elf;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.Collections;

/**
 * A map definition from {@code .maps} (BTF-defined, libbpf style) or from the legacy {@code maps}
 * section ({@code struct bpf_map_def}).
 *
 * <p>An attribute the definition leaves out is 0: e.g. a PERF_EVENT_ARRAY without
 * {@code max_entries} (libbpf then uses the number of CPUs), or a RINGBUF without key and value
 * sizes. Deciding whether that is acceptable belongs to the map's type, not to the parser.
 *
 * @param name         the map variable's name (its ELF symbol)
 * @param type         {@code __uint(type, ...)}: Linux map type number
 * @param keySize      {@code __type(key, T)} → sizeof(T), or {@code __uint(key_size, n)}
 * @param valueSize    {@code __type(value, T)} / {@code __uint(value_size, n)}; 4 for a
 *                     PROG_ARRAY with {@code __array(values, ...)}
 * @param maxEntries   {@code __uint(max_entries, n)}
 * @param flags        {@code __uint(map_flags, ...)}
 * @param pinning      {@code __uint(pinning, ...)}: 0 none, 1 LIBBPF_PIN_BY_NAME
 * @param keyTypeId    BTF type of the key, 0 when given only as a size (or legacy)
 * @param valueTypeId  BTF type of the value, 0 when given only as a size (or legacy)
 * @param initialSlots PROG_ARRAY initial contents from {@code __array(values, ...)}: slot index →
 *                     program (C function) name
 */
public record MapSpec(String name, int type, int keySize, int valueSize, int maxEntries, int flags, int pinning,
                      int keyTypeId, int valueTypeId, SortedMap<Integer, String> initialSlots)
        implements MapDefinition {

    public MapSpec {
        initialSlots = Collections.unmodifiableSortedMap(new TreeMap<>(initialSlots));
    }

    /** A copy with these initial PROG_ARRAY slots. */
    public MapSpec withInitialSlots(Map<Integer, String> slots) {
        return new MapSpec(name, type, keySize, valueSize, maxEntries, flags, pinning, keyTypeId, valueTypeId,
            new TreeMap<>(slots));
    }
}
