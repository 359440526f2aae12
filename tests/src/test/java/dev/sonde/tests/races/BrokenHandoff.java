package dev.sonde.tests.races;

/**
 * Publish the slot, then write it: the consumer may read a slot before its item is there. To make
 * that happen every time, the producer waits after publishing until the consumer has read the
 * slot (the widened window), and only then writes.
 */
final class BrokenHandoff extends Handoff {
    private int count;

    BrokenHandoff(int capacity) {
        super(capacity);
    }

    @Override
    void put(long item) {
        int i = count++;
        published.set(i + 1);
        await(() -> consumed.get() > i, "slot " + i + " consumed");
        write(i, item);
    }
}
