package dev.sonde.trampoline.targets;

/** Targets for handler-failure, re-entrancy, allocation and bad-input tests. */
public class Misc {
    public static int calls;

    public static int work(int x) {
        calls++;
        return x * 3;
    }

    public static int other(int x) {
        return x + 7;
    }

    public static int inner(int x) {
        return x + 1;
    }

    public static long hot(int a, long b, Object c, double d) {
        return a + b + (c == null ? 0 : 1) + (long) d;
    }

    public static native int nativeMethod();

    public abstract static class Base {
        public abstract int abstractMethod();
    }

    public interface Iface {
        int ifaceMethod();
    }
}
