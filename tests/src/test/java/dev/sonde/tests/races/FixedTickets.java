package dev.sonde.tests.races;

import java.util.concurrent.atomic.AtomicInteger;

/** The same check-then-act as {@link BrokenTickets}, as one synchronized section. */
final class FixedTickets {
    private final RaceWindow window;
    private final int limit;
    final AtomicInteger sold = new AtomicInteger();

    FixedTickets(RaceWindow window, int limit) {
        this.window = window;
        this.limit = limit;
    }

    /** synchronized: the probes of a synchronized method run inside its monitor. */
    synchronized boolean buy() {
        if (sold.get() < limit) {
            window.hold(this);   // this method's monitor
            sold.incrementAndGet();
            return true;
        }
        return false;
    }
}
