package dev.sonde.tests.races;

/**
 * Check-then-create without a lock: two threads that both see {@code null} both create. The
 * window in {@link #create} holds the first creator until the second arrives.
 */
final class BrokenLazy {
    private final RaceWindow window;
    private Resource instance;

    BrokenLazy(RaceWindow window) {
        this.window = window;
    }

    Resource get() {
        if (instance == null) {
            instance = create();
        }
        return instance;
    }

    /** The initializer: probed on entry and return (races.bpf.c, site LAZY). */
    Resource create() {
        window.hold();
        return new Resource();
    }
}
