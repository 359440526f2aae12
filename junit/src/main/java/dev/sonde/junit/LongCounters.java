package dev.sonde.junit;

import dev.sonde.bpf.map.BpfMap;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A map of u64 counters keyed by u32 or u64 (hash, array, and their per-CPU and LRU forms), read
 * as longs. A missing key reads 0; per-CPU copies are summed, so {@code __sync_fetch_and_add} on a
 * shared map and {@code (*v)++} on a per-CPU map read the same. Reads go through the map's Java
 * side (copies under the map's own locks); they never block a probe for longer than a bucket lock.
 */
public final class LongCounters {
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final BpfMap map;
    private final int copies;
    private final int stride;

    LongCounters(BpfMap map) {
        if (map.keySize() != 4 && map.keySize() != 8) {
            throw new IllegalArgumentException(map + ": LongCounters needs a u32 or u64 key");
        }
        if (map.valueSize() != 8) {
            throw new IllegalArgumentException(map + ": LongCounters needs a u64 value");
        }
        this.map = map;
        this.stride = 8;   // round_up(8, 8): one copy per execution slot for per-CPU maps
        this.copies = map.javaValueSize() / stride;
    }

    public static LongCounters of(BpfMap map) {
        return new LongCounters(map);
    }

    public String name() {
        return map.name();
    }

    public BpfMap map() {
        return map;
    }

    /** The counter of {@code key}, 0 when absent. */
    public long get(long key) {
        byte[] v = map.lookup(key(key));
        return v == null ? 0 : sum(v);
    }

    /** Every counter the map holds (arrays: every index), by key, unsigned keys ascending. */
    public SortedMap<Long, Long> asMap() {
        SortedMap<Long, Long> out = new TreeMap<>(Long::compareUnsigned);
        byte[] k = null;
        while ((k = map.nextKey(k)) != null) {
            byte[] v = map.lookup(k);
            if (v != null) {
                out.put(map.keySize() == 4 ? (int) I32.get(k, 0) & 0xffffffffL : (long) I64.get(k, 0), sum(v));
            }
        }
        return Collections.unmodifiableSortedMap(out);
    }

    /** The sum over every key. */
    public long total() {
        long t = 0;
        for (long v : asMap().values()) {
            t += v;
        }
        return t;
    }

    /** {@code get(key)} for Awaitility: {@code await().until(counters.valueOf(3), greaterThan(9L))}. */
    public Callable<Long> valueOf(long key) {
        return () -> get(key);
    }

    /** Waits (up to {@link Waits#DEFAULT}) until the counter of {@code key} is at least {@code n}; returns it. */
    public long awaitAtLeast(long key, long n) {
        return awaitAtLeast(key, n, Waits.DEFAULT);
    }

    public long awaitAtLeast(long key, long n, Duration atMost) {
        try {
            Waits.upTo(atMost).until(() -> get(key) >= n);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("map " + map.name() + "[" + key + "] is " + get(key) + " after " + atMost
                + ", expected at least " + n + "; the map: " + asMap(), e);
        }
        return get(key);
    }

    private byte[] key(long k) {
        byte[] b = new byte[map.keySize()];
        if (b.length == 4) {
            I32.set(b, 0, (int) k);
        } else {
            I64.set(b, 0, k);
        }
        return b;
    }

    private long sum(byte[] v) {
        long s = 0;
        for (int i = 0; i < copies; i++) {
            s += (long) I64.get(v, i * stride);
        }
        return s;
    }

    @Override
    public String toString() {
        return "LongCounters[" + map.name() + " " + asMap() + "]";
    }
}
