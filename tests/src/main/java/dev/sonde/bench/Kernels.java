package dev.sonde.bench;

/**
 * The benchmark kernels of shared/bench/kernels.h written in plain Java, line for line, as the
 * baseline that every VM measurement is set against in the same run.
 */
public final class Kernels {
    private Kernels() {
    }

    public static long fletcher16(byte[] data, int len) {
        int sum1 = 0;
        int sum2 = 0;
        for (int i = 0; i < len; i++) {
            sum1 = (sum1 + (data[i] & 0xff)) % 255;
            sum2 = (sum2 + sum1) % 255;
        }
        return (sum2 << 8) | sum1;
    }

    public static long fnv1a64(byte[] data, int len) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < len; i++) {
            h ^= data[i] & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** Bubble sort of 64 u32 read from the input, then sum((i+1) * a[i]); -1 when len < 256. */
    public static long bubble64(byte[] data, int len) {
        if (len < 256) {
            return -1;
        }
        int[] a = new int[64];
        for (int i = 0; i < 64; i++) {
            int p = 4 * i;
            a[i] = (data[p] & 0xff) | (data[p + 1] & 0xff) << 8 | (data[p + 2] & 0xff) << 16 | (data[p + 3] & 0xff) << 24;
        }
        for (int i = 0; i < 63; i++) {
            for (int j = 0; j < 63 - i; j++) {
                int x = a[j];
                int y = a[j + 1];
                if (Integer.compareUnsigned(x, y) > 0) {
                    a[j] = y;
                    a[j + 1] = x;
                }
            }
        }
        long s = 0;
        for (int i = 0; i < 64; i++) {
            s += (long) (i + 1) * (a[i] & 0xffffffffL);
        }
        return s;
    }

    /** Dynamic eBPF instruction count of one call, from shared/bench/README.md. */
    public static double instructions(String kernel, int len) {
        return switch (kernel) {
            case "fletcher16" -> 21.0 * len;
            case "fnv1a64" -> 7.0 * len;
            case "bubble64" -> 23_294;
            default -> throw new IllegalArgumentException(kernel);
        };
    }
}
