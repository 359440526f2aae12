package dev.sonde.probe.object;

import dev.sonde.bpf.vm.Errno;

/**
 * What a probe reads through a handle (DESIGN.md §3, §4 "Objects"): the bytes of an object's view.
 *
 * <table>
 * <caption>views</caption>
 * <tr><th>object</th><th>view</th></tr>
 * <tr><td>String</td><td>its UTF-8, as {@code getBytes(UTF_8)} ({@link Utf8})</td></tr>
 * <tr><td>byte[]</td><td>the bytes</td></tr>
 * <tr><td>boolean[] char[] short[] int[] float[] long[] double[]</td><td>the elements,
 *     little-endian, 1 2 2 4 4 8 8 bytes each; floats as their raw IEEE bits; booleans 0 or 1</td></tr>
 * <tr><td>Boolean Byte Character Short Integer Float Long Double</td><td>the value, as one
 *     element of the matching array</td></tr>
 * <tr><td>anything else</td><td>no view: every read is -EFAULT</td></tr>
 * </table>
 *
 * <p>A plain read of {@code size} bytes at view offset {@code k} needs {@code k + size <= length};
 * otherwise it is -EFAULT and the caller zero-fills. A string read ({@code str}) copies from
 * {@code k} up to the first 0 byte, the view's end or size−1 bytes, whichever comes first, and a
 * NUL: the view's end acts as the terminator, so a String needs no NUL of its own. Only a start
 * past the end is -EFAULT.
 *
 * <p>Never runs application code (no {@code toString}, no getters: final JDK fields only), never
 * allocates, never throws.
 */
public final class ObjectView {
    private ObjectView() {
    }

    /** Returns 0 (plain), the bytes written including the NUL (str), or -EFAULT. */
    public static long read(Object o, long from, byte[] dst, int off, int size, boolean str) {
        if (size <= 0) {
            return 0;
        }
        if (o instanceof String s) {
            return readString(s, from, dst, off, size, str);
        }
        int kind = kindOf(o);
        if (kind == NONE) {
            return -Errno.EFAULT;
        }
        int width = WIDTH[kind];
        long length = (long) lengthOf(o, kind) * width;
        if (from > length || !str && from + size > length) {
            return -Errno.EFAULT;
        }
        int max = str ? (int) Math.min(size - 1, length - from) : size;
        int n = 0;
        long elem = 0;
        int loaded = -1;
        for (; n < max; n++) {
            long b = from + n;
            int i = (int) (b / width);
            if (i != loaded) {
                elem = element(o, kind, i);
                loaded = i;
            }
            byte v = (byte) (elem >>> (8 * (int) (b % width)));
            if (str && v == 0) {
                break;
            }
            dst[off + n] = v;
        }
        if (str) {
            dst[off + n] = 0;
            return n + 1;
        }
        return 0;
    }

    /** The view's length in bytes, or -1 when the object has none. */
    public static long length(Object o) {
        if (o instanceof String s) {
            return Utf8.length(s);
        }
        int kind = kindOf(o);
        return kind == NONE ? -1 : (long) lengthOf(o, kind) * WIDTH[kind];
    }

    private static long readString(String s, long from, byte[] dst, int off, int size, boolean str) {
        long length = Utf8.length(s);
        if (from > length || !str && from + size > length) {
            return -Errno.EFAULT;
        }
        if (!str) {
            Utf8.copy(s, from, dst, off, size, false);
            return 0;
        }
        int n = Utf8.copy(s, from, dst, off, size - 1, true);
        dst[off + n] = 0;
        return n + 1;
    }

    private static final int NONE = -1;
    private static final int BYTES = 0;
    private static final int BOOLEANS = 1;
    private static final int CHARS = 2;
    private static final int SHORTS = 3;
    private static final int INTS = 4;
    private static final int FLOATS = 5;
    private static final int LONGS = 6;
    private static final int DOUBLES = 7;
    private static final int BOXED_BYTE = 8;
    private static final int BOXED_BOOLEAN = 9;
    private static final int BOXED_CHAR = 10;
    private static final int BOXED_SHORT = 11;
    private static final int BOXED_INT = 12;
    private static final int BOXED_FLOAT = 13;
    private static final int BOXED_LONG = 14;
    private static final int BOXED_DOUBLE = 15;
    /** Bytes per element, by kind. */
    private static final int[] WIDTH = {1, 1, 2, 2, 4, 4, 8, 8, 1, 1, 2, 2, 4, 4, 8, 8};

    private static int kindOf(Object o) {
        if (o instanceof byte[]) {
            return BYTES;
        } else if (o instanceof boolean[]) {
            return BOOLEANS;
        } else if (o instanceof char[]) {
            return CHARS;
        } else if (o instanceof short[]) {
            return SHORTS;
        } else if (o instanceof int[]) {
            return INTS;
        } else if (o instanceof float[]) {
            return FLOATS;
        } else if (o instanceof long[]) {
            return LONGS;
        } else if (o instanceof double[]) {
            return DOUBLES;
        } else if (o instanceof Byte) {
            return BOXED_BYTE;
        } else if (o instanceof Boolean) {
            return BOXED_BOOLEAN;
        } else if (o instanceof Character) {
            return BOXED_CHAR;
        } else if (o instanceof Short) {
            return BOXED_SHORT;
        } else if (o instanceof Integer) {
            return BOXED_INT;
        } else if (o instanceof Float) {
            return BOXED_FLOAT;
        } else if (o instanceof Long) {
            return BOXED_LONG;
        } else if (o instanceof Double) {
            return BOXED_DOUBLE;
        }
        return NONE;
    }

    private static int lengthOf(Object o, int kind) {
        return switch (kind) {
            case BYTES -> ((byte[]) o).length;
            case BOOLEANS -> ((boolean[]) o).length;
            case CHARS -> ((char[]) o).length;
            case SHORTS -> ((short[]) o).length;
            case INTS -> ((int[]) o).length;
            case FLOATS -> ((float[]) o).length;
            case LONGS -> ((long[]) o).length;
            case DOUBLES -> ((double[]) o).length;
            default -> 1;
        };
    }

    /** Element {@code i}'s bits (the boxed value for i = 0 of a box). */
    private static long element(Object o, int kind, int i) {
        return switch (kind) {
            case BYTES -> ((byte[]) o)[i];
            case BOOLEANS -> ((boolean[]) o)[i] ? 1 : 0;
            case CHARS -> ((char[]) o)[i];
            case SHORTS -> ((short[]) o)[i];
            case INTS -> ((int[]) o)[i];
            case FLOATS -> Float.floatToRawIntBits(((float[]) o)[i]);
            case LONGS -> ((long[]) o)[i];
            case DOUBLES -> Double.doubleToRawLongBits(((double[]) o)[i]);
            case BOXED_BYTE -> (Byte) o;
            case BOXED_BOOLEAN -> (Boolean) o ? 1 : 0;
            case BOXED_CHAR -> (Character) o;
            case BOXED_SHORT -> (Short) o;
            case BOXED_INT -> (Integer) o;
            case BOXED_FLOAT -> Float.floatToRawIntBits((Float) o);
            case BOXED_LONG -> (Long) o;
            case BOXED_DOUBLE -> Double.doubleToRawLongBits((Double) o);
            default -> 0;
        };
    }
}
