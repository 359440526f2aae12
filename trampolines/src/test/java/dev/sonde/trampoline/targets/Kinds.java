package dev.sonde.trampoline.targets;

/** Method kinds beyond the plain ones: synchronized, interface default and static (Greeter). */
public class Kinds implements Greeter {
    private int count;

    public synchronized int bump(long by, double scale) {
        count += (int) (by * scale);
        return count;
    }
}
