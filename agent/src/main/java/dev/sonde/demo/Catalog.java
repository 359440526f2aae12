package dev.sonde.demo;

import java.util.concurrent.locks.LockSupport;

/**
 * The demo's probed class: a book catalog whose lookups cost more on higher shelves (shelves 0–3
 * compute for a few microseconds, shelves 4–7 wait for tens to hundreds), so that the bundled
 * probe's latency histogram has several modes.
 */
public final class Catalog {
    private final long[] titles = new long[4096];

    public Catalog() {
        for (int i = 0; i < titles.length; i++) {
            titles[i] = i * 0x9E3779B97F4A7C15L;
        }
    }

    /** Looks a title up on {@code shelf} (0–7); returns a checksum so that the work is not dead. */
    public long lookup(int shelf) {
        if (shelf >= 4) {
            LockSupport.parkNanos(25_000L << (shelf - 4));
            return shelf;
        }
        long h = shelf;
        for (int i = 0, n = 64 << (2 * shelf); i < n; i++) {
            h = h * 31 + titles[(int) (h & (titles.length - 1)) & (titles.length - 1)];
        }
        return h;
    }

    /** Called once every 100 lookups of a clerk. */
    public void restock(int clerk) {
        titles[clerk & (titles.length - 1)]++;
    }
}
