package dev.sonde.probe.race;

/** The method the exact-count race attaches to and detaches from. */
public final class Counted {
    private Counted() {
    }

    public static long work(long worker, long seq) {
        return worker * 31 + seq;
    }
}
