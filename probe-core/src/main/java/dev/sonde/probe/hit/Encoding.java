package dev.sonde.probe.hit;

/**
 * How a Java value sits in a 64-bit register, a return value or a stack-snapshot slot (DESIGN.md
 * §3): boolean (0/1), byte, short and int sign-extended; char zero-extended; long as is; float as
 * its 32 raw IEEE bits, zero-extended; double as its 64 raw IEEE bits. References are handles
 * ({@link ProbeHit#paramObject}).
 */
public final class Encoding {
    private Encoding() {
    }

    public static long of(boolean v) {
        return v ? 1 : 0;
    }

    public static long of(byte v) {
        return v;
    }

    public static long of(short v) {
        return v;
    }

    public static long of(char v) {
        return v;
    }

    public static long of(int v) {
        return v;
    }

    public static long of(long v) {
        return v;
    }

    public static long of(float v) {
        return Float.floatToRawIntBits(v) & 0xffff_ffffL;
    }

    public static long of(double v) {
        return Double.doubleToRawLongBits(v);
    }
}
