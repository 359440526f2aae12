package dev.sonde.latetargets;

/** Loaded only after a pattern that matches it is attached. */
public class LateB {
    public int ping(String s) {
        return s.length();
    }

    public int pong() {
        return 0;
    }
}
