package dev.sonde.bpf.mem;

import java.util.Arrays;

/**
 * The global regions (map values, global data, ring buffers, code addresses), indexed by region id.
 *
 * <p>Assumptions: registration and release are rare (object load and close) and may take a lock;
 * lookups happen on every memory access of every run and must not.
 *
 * <p>Guarantees: a run sees at least every region registered before it started ({@link #snapshot}
 * is read once per run). A released id is reused only after the caller has waited for a grace
 * period, so a run that still holds an address of the old region cannot reach the new one; a stale
 * address after release finds an empty slot and faults.
 */
public final class RegionTable {
    private static final RegionTable GLOBAL = new RegionTable();

    /** Copy-on-write; index = region id. Written under {@code this}, read without a lock. */
    private volatile Region[] regions = new Region[64];
    private int next = Addr.LOCAL_LIMIT;
    private final java.util.ArrayDeque<Integer> free = new java.util.ArrayDeque<>();

    public static RegionTable global() {
        return GLOBAL;
    }

    /** The current table; entries below {@link Addr#LOCAL_LIMIT} are always null. */
    public Region[] snapshot() {
        // Pairs with the volatile write in register/release: a reader sees fully built regions.
        return regions;
    }

    /** Registers a region and returns its id. */
    public synchronized int register(Region r) {
        int id = free.isEmpty() ? next++ : free.pop();
        Region[] cur = regions;
        Region[] copy = Arrays.copyOf(cur, Math.max(cur.length, Integer.highestOneBit(id) << 1));
        copy[id] = r;
        regions = copy;
        return id;
    }

    /**
     * Removes a region. The caller must wait for a grace period before {@link #recycle} makes the
     * id available again.
     */
    public synchronized void release(int id) {
        Region[] copy = regions.clone();
        copy[id] = null;
        regions = copy;
    }

    /** Makes a released id reusable; call only after a grace period has passed since release. */
    public synchronized void recycle(int id) {
        if (regions[id] == null) {
            free.push(id);
        }
    }

    public Region get(int id) {
        Region[] r = regions;
        return id >= 0 && id < r.length ? r[id] : null;
    }
}
