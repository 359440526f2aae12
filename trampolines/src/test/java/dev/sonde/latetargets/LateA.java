package dev.sonde.latetargets;

/** Loaded only after a pattern that matches it is attached. */
public class LateA {
    public static int ping(int x) {
        return x + 100;
    }
}
