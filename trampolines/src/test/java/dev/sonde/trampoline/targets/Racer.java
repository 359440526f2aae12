package dev.sonde.trampoline.targets;

/** The method of the race test. */
public class Racer {
    public static long work(int worker, long seq) {
        return seq * 31 + worker;
    }
}
