package dev.sonde.trampoline.targets;

/** Methods of every shape for the trampoline tests. Nothing else touches this class. */
public class Shapes {
    public final int seed;

    public Shapes(int seed) {
        this.seed = seed;
    }

    public Shapes(String s, long extra) {
        this(Integer.parseInt(s) + (int) extra);
        if (extra < 0) {
            throw new IllegalArgumentException("negative extra " + extra);
        }
    }

    public static long nine(boolean z, byte b, short s, char c, int i, long j, float f, double d, Object o) {
        return (z ? 1 : 0) + b + s + c + i + j + (long) f + (long) d + (o == null ? 0 : o.hashCode());
    }

    public String instance(int x, String y) {
        return y + x + seed;
    }

    public static int reassign(int x, String s, double d) {
        x = x * 2 + 1;
        s = "changed";
        d = -d;
        return x + s.length() + (int) d;
    }

    public static boolean rZ(boolean v) { return !v; }
    public static byte rB(byte v) { return (byte) (v - 1); }
    public static short rS(short v) { return (short) (v - 1); }
    public static char rC(char v) { return (char) (v + 1); }
    public static int rI(int v) { return v - 1; }
    public static long rJ(long v) { return v - 1; }
    public static float rF(float v) { return -v; }
    public static double rD(double v) { return -v; }
    public static String rL(String v) { return v + "!"; }
    public static int[] rA(int n) { return new int[n]; }
    public static void rV(int[] out) { out[0]++; }

    public static int overload(int x) { return x + 1; }
    public static int overload(long x) { return (int) x + 2; }
    public static int overload(String x) { return x.length() + 3; }

    public static int fails(int x) {
        if (x > 0) {
            throw new IllegalStateException("boom " + x);
        }
        return x;
    }

    /** Catches its own exception: the trampoline's handler must not steal it. */
    public static int catchesOwn(int x) {
        try {
            return fails(x);
        } catch (IllegalStateException e) {
            return -1;
        }
    }

    public static int manyReturns(int x) {
        if (x < 0) {
            return -1;
        }
        for (int i = 0; i < 10; i++) {
            if (i == x) {
                return i * 10;
            }
        }
        return 1000;
    }
}
