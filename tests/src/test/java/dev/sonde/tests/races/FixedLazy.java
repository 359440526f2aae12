package dev.sonde.tests.races;

/** Double-checked locking done right: a volatile reference, the creation under the lock. */
final class FixedLazy {
    private final RaceWindow window;
    private volatile Resource instance;

    FixedLazy(RaceWindow window) {
        this.window = window;
    }

    Resource get() {
        Resource r = instance;
        if (r == null) {
            synchronized (this) {
                r = instance;
                if (r == null) {
                    r = create();
                    instance = r;
                }
            }
        }
        return r;
    }

    /** Called with the lock held: its probes fire inside the lock. */
    Resource create() {
        window.hold(this);   // the monitor get() holds
        return new Resource();
    }
}
