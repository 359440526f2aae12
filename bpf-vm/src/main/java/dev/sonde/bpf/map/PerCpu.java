package dev.sonde.bpf.map;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The Java-side value layout of per-CPU maps, as bpf(2) uses it: one slot of
 * {@code round_up(value_size, 8)} bytes per execution slot, slot {@code c} at {@code c * stride}.
 */
public final class PerCpu {
    private static final VarHandle U64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private PerCpu() {
    }

    public static int stride(int valueSize) {
        return (valueSize + 7) & ~7;
    }

    /** The copies of a per-CPU value, each {@code valueSize} bytes. */
    public static byte[][] split(byte[] javaValue, int valueSize) {
        int stride = stride(valueSize);
        byte[][] out = new byte[javaValue.length / stride][];
        for (int c = 0; c < out.length; c++) {
            out[c] = java.util.Arrays.copyOfRange(javaValue, c * stride, c * stride + valueSize);
        }
        return out;
    }

    /** The sum over all copies of the little-endian u64 at {@code offset} of each value. */
    public static long sumU64(byte[] javaValue, int valueSize, int offset) {
        int stride = stride(valueSize);
        long sum = 0;
        for (int p = 0; p + stride <= javaValue.length; p += stride) {
            sum += (long) U64.get(javaValue, p + offset);
        }
        return sum;
    }
}
