package dev.sonde.tests.races;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A single-producer, single-consumer handoff through an array: item {@code i} is written to slot
 * {@code i} ({@link #write}, probed: PRODUCE) and read from it ({@link #read}, probed: CONSUME),
 * and {@code published} tells the consumer how many slots it may read. Whether every read follows
 * its write is the subclass's business.
 */
abstract class Handoff {
    private static final long DEADLINE_NS = 10_000_000_000L;

    final long[] slots;
    final AtomicInteger published = new AtomicInteger();
    final AtomicInteger consumed = new AtomicInteger();
    private int next;

    Handoff(int capacity) {
        slots = new long[capacity];
    }

    /** The producer: hands over {@code item} as the next slot. */
    abstract void put(long item);

    /** The consumer: waits for the next published slot and reads it. */
    final long take() {
        int i = next++;
        await(() -> published.get() > i, "slot " + i + " published");
        long v = read(i);
        consumed.set(i + 1);
        return v;
    }

    /** Writes slot i (probed on entry: the item exists from here on). */
    void write(int i, long item) {
        slots[i] = item;
    }

    /** Reads slot i (probed on return: the item has been consumed). */
    long read(int i) {
        return slots[i];
    }

    static void await(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("handoff: no " + what + " within 10 s");
            }
            LockSupport.parkNanos(10_000);
        }
    }
}
