package dev.sonde.bpf.map;

import dev.sonde.bpf.slot.ExecutionSlots;

/**
 * Preallocated elements (indices {@code 0..capacity-1}) of a hash table or stack map, Linux's
 * prealloc freelist, with one difference Sonde promises (DESIGN.md §2): a retired element becomes
 * free only after a grace period, so a run still holding its address never sees another key's
 * value in it.
 *
 * <p>Assumptions: {@link #retire} is called once per element, after the element has been made
 * unreachable for runs that start later (unlinked with a release store); {@link #release} only for
 * an element that was never reachable.
 *
 * <p>Guarantees: {@link #alloc} never returns an element less than one grace period after its
 * {@code retire}; every call is allocation-free and holds the pool lock for a few stores only.
 */
final class ElementPool {
    private final ExecutionSlots slots;
    private final SpinLocks lock = new SpinLocks(1);
    /** Free stack; guarded by lock. */
    private final int[] free;
    private int freeTop;
    /** Retired elements in retirement order with the grace-period cookie each waits for; guarded by lock. */
    private final int[] pending;
    private final long[] cookies;
    private int head;
    private int pendingCount;

    ElementPool(int capacity, ExecutionSlots slots) {
        this.slots = slots;
        this.free = new int[capacity];
        this.pending = new int[capacity];
        this.cookies = new long[capacity];
        for (int i = 0; i < capacity; i++) {
            free[i] = capacity - 1 - i;   // pop hands out 0, 1, 2, … first
        }
        this.freeTop = capacity;
    }

    /** A free element, or -1 when every element is in use or still waiting for its grace period. */
    int alloc() {
        lock.lock(0);
        try {
            if (freeTop == 0) {
                reclaim();
            }
            return freeTop == 0 ? -1 : free[--freeTop];
        } finally {
            lock.unlock(0);
        }
    }

    /** Makes {@code e} free after a grace period. */
    void retire(int e) {
        long cookie = slots.requestGracePeriod();   // after the caller's unlinking store (see there)
        lock.lock(0);
        try {
            int tail = head + pendingCount;
            if (tail >= pending.length) {
                tail -= pending.length;
            }
            pending[tail] = e;
            cookies[tail] = cookie;
            pendingCount++;
        } finally {
            lock.unlock(0);
        }
    }

    /** Frees an element no run could have seen. */
    void release(int e) {
        lock.lock(0);
        try {
            free[freeTop++] = e;
        } finally {
            lock.unlock(0);
        }
    }

    /** The largest cookie a retired element waits for, or 0 when none waits. */
    long newestCookie() {
        lock.lock(0);
        try {
            long max = 0;
            for (int k = 0, i = head; k < pendingCount; k++, i = i + 1 == pending.length ? 0 : i + 1) {
                max = Math.max(max, cookies[i]);
            }
            return max;
        } finally {
            lock.unlock(0);
        }
    }

    private void reclaim() {
        while (pendingCount > 0 && slots.gracePeriodPassed(cookies[head])) {
            free[freeTop++] = pending[head];
            head = head + 1 == pending.length ? 0 : head + 1;
            pendingCount--;
        }
    }
}
