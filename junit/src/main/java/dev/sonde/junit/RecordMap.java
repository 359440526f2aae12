package dev.sonde.junit;

import dev.sonde.bpf.map.BpfFlags;
import dev.sonde.bpf.map.BpfMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A map with typed keys and values ({@link Codec}: records as C structs, boxed integers, byte[]).
 * The codecs' sizes are checked against the map's key and value sizes when the view is made, so a
 * record that does not mirror the C struct fails at once, naming both layouts. Per-CPU maps give
 * their values in the syscall layout (one 8-byte-aligned copy per execution slot): view them with
 * byte[] values.
 */
public final class RecordMap<K, V> {
    private final BpfMap map;
    private final Codec<K> keys;
    private final Codec<V> values;

    RecordMap(BpfMap map, Codec<K> keys, Codec<V> values) {
        check(map, "key", keys, map.keySize());
        check(map, "value", values, map.javaValueSize());
        this.map = map;
        this.keys = keys;
        this.values = values;
    }

    public static <K, V> RecordMap<K, V> of(BpfMap map, Class<K> key, Class<V> value) {
        return new RecordMap<>(map, Codec.of(key), Codec.of(value));
    }

    private static void check(BpfMap map, String what, Codec<?> c, int size) {
        if (c.size() >= 0 && c.size() != size) {
            throw new IllegalArgumentException(map + ": the " + what + " is " + size + " bytes, but " + c + " is "
                + c.size());
        }
    }

    public BpfMap map() {
        return map;
    }

    public Optional<V> get(K key) {
        byte[] v = map.lookup(keys.encode(key, map.keySize()));
        return v == null ? Optional.empty() : Optional.of(values.decode(v));
    }

    /** bpf_map_update_elem with BPF_ANY: 0 or -errno. */
    public int put(K key, V value) {
        return map.update(keys.encode(key, map.keySize()), values.encode(value, map.javaValueSize()), BpfFlags.ANY);
    }

    /** 0, or -ENOENT (-EINVAL for arrays). */
    public int delete(K key) {
        return map.delete(keys.encode(key, map.keySize()));
    }

    /** Every entry, in the map's key order. */
    public Map<K, V> asMap() {
        Map<K, V> out = new LinkedHashMap<>();
        byte[] k = null;
        while ((k = map.nextKey(k)) != null) {
            byte[] v = map.lookup(k);
            if (v != null) {
                out.put(keys.decode(k), values.decode(v));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    @Override
    public String toString() {
        return "RecordMap[" + map.name() + " " + asMap() + "]";
    }
}
