package dev.sonde.bpf.map;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * An array of tiny spin locks, Linux's raw_spinlock_t of hashtab buckets and ring buffers.
 *
 * <p>Assumptions: a critical section is a handful of loads and stores, never blocks, never calls
 * out, and nests only in the documented order (LRU list, then bucket, then element pool).
 * Guarantees: mutual exclusion per index; no allocation; a waiter spins, then yields, so a holder
 * that was descheduled gets its core back.
 */
final class SpinLocks {
    private static final VarHandle LOCK = MethodHandles.arrayElementVarHandle(int[].class);

    private final int[] words;

    SpinLocks(int n) {
        words = new int[n];
    }

    void lock(int i) {
        // CAS (acquire and more): the critical section's loads see the last holder's stores;
        // pairs with the setRelease in unlock.
        for (int spins = 0; !LOCK.compareAndSet(words, i, 0, 1); spins++) {
            if (spins < 100) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    void unlock(int i) {
        // Pairs with the CAS in lock.
        LOCK.setRelease(words, i, 0);
    }
}
