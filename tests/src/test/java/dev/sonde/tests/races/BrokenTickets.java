package dev.sonde.tests.races;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Check-then-act: the check and the (atomic) act are each fine, the pair is not. Two buyers of the
 * last ticket both pass the check. The window sits between check and act.
 */
final class BrokenTickets {
    final RaceWindow window;
    final int limit;
    final AtomicInteger sold = new AtomicInteger();

    BrokenTickets(RaceWindow window, int limit) {
        this.window = window;
        this.limit = limit;
    }

    /** The critical section: probed on entry and return (races.bpf.c, site TICKETS). */
    boolean buy() {
        if (sold.get() < limit) {
            window.hold();
            sold.incrementAndGet();
            return true;
        }
        return false;
    }
}
