package dev.sonde.trampoline.targets;

/** For the restore and unloading tests. */
public class Restore {
    private int state;

    public int mix(int a, String b) {
        try {
            state += a;
            return b.length() + state;
        } catch (NullPointerException e) {
            return -1;
        }
    }

    public static double calc(double x) {
        return Math.sqrt(x) + 1;
    }
}
