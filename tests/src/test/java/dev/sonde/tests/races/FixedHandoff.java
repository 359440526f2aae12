package dev.sonde.tests.races;

/** Write the slot, then publish it (a volatile store that the consumer's volatile load pairs with). */
final class FixedHandoff extends Handoff {
    private int count;

    FixedHandoff(int capacity) {
        super(capacity);
    }

    @Override
    void put(long item) {
        int i = count++;
        write(i, item);
        published.set(i + 1);
    }
}
