package dev.sonde.bpf.mem;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.nio.ByteOrder;

/**
 * Atomic and ordered access to little-endian values inside a {@code byte[]}: what the VM's atomic
 * instructions, load-acquire/store-release and the ring buffer's record headers need.
 *
 * <p>Why this class exists: up to JDK 21, {@link MethodHandles#byteArrayViewVarHandle} supports
 * every atomic access mode for aligned indexes. From JDK 22 on (JDK-8318966) it supports only
 * plain get and set, because a {@code byte[]} element is not guaranteed to be aligned on every
 * platform. On HotSpot the array base offset is 16 (8-aligned) on every 64-bit platform, so an
 * index aligned to the access size is an aligned address; where the view VarHandle no longer
 * offers atomics, the same operations go through {@code sun.misc.Unsafe} at that address. Which of
 * the two is used is decided once, when the class initialises ({@link #VIA_VAR_HANDLE}), so the
 * JIT folds the choice away. Callers check alignment before calling (a misaligned atomic is a
 * program fault, see {@code Cpu.atomicIndex}).
 *
 * <p>On JDK 24 and later the JVM prints a one-time warning the first time sun.misc.Unsafe's memory
 * access is used, unless started with {@code --sun-misc-unsafe-memory-access=allow}; Sonde's own
 * launchers pass that flag there.
 */
public final class ByteAtomics {
    private ByteAtomics() {
    }

    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    /** True where the byte-array view VarHandles still do atomics (JDK 17..21). */
    public static final boolean VIA_VAR_HANDLE = I64.isAccessModeSupported(VarHandle.AccessMode.GET_AND_ADD);

    private static final sun.misc.Unsafe U = VIA_VAR_HANDLE ? null : unsafe();
    private static final long BASE = VIA_VAR_HANDLE ? 0 : U.arrayBaseOffset(byte[].class);

    private static sun.misc.Unsafe unsafe() {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new ExceptionInInitializerError("Sonde's eBPF memory needs a little-endian machine");
        }
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static long at(int index) {
        return BASE + index;
    }

    // ---- 64 bits ----------------------------------------------------------------------------

    public static long getAndAdd64(byte[] a, int i, long v) {
        return VIA_VAR_HANDLE ? (long) I64.getAndAdd(a, i, v) : U.getAndAddLong(a, at(i), v);
    }

    public static long getAndSet64(byte[] a, int i, long v) {
        return VIA_VAR_HANDLE ? (long) I64.getAndSet(a, i, v) : U.getAndSetLong(a, at(i), v);
    }

    public static long getAndOr64(byte[] a, int i, long v) {
        if (VIA_VAR_HANDLE) {
            return (long) I64.getAndBitwiseOr(a, i, v);
        }
        long old;
        do {
            old = U.getLongVolatile(a, at(i));
        } while (!U.compareAndSwapLong(a, at(i), old, old | v));
        return old;
    }

    public static long getAndAnd64(byte[] a, int i, long v) {
        if (VIA_VAR_HANDLE) {
            return (long) I64.getAndBitwiseAnd(a, i, v);
        }
        long old;
        do {
            old = U.getLongVolatile(a, at(i));
        } while (!U.compareAndSwapLong(a, at(i), old, old & v));
        return old;
    }

    public static long getAndXor64(byte[] a, int i, long v) {
        if (VIA_VAR_HANDLE) {
            return (long) I64.getAndBitwiseXor(a, i, v);
        }
        long old;
        do {
            old = U.getLongVolatile(a, at(i));
        } while (!U.compareAndSwapLong(a, at(i), old, old ^ v));
        return old;
    }

    /** Returns the witness value: {@code expected} when the exchange happened. */
    public static long compareAndExchange64(byte[] a, int i, long expected, long v) {
        if (VIA_VAR_HANDLE) {
            return (long) I64.compareAndExchange(a, i, expected, v);
        }
        for (;;) {
            long cur = U.getLongVolatile(a, at(i));
            if (cur != expected) {
                return cur;
            }
            if (U.compareAndSwapLong(a, at(i), expected, v)) {
                return expected;
            }
        }
    }

    public static long getAcquire64(byte[] a, int i) {
        return VIA_VAR_HANDLE ? (long) I64.getAcquire(a, i) : U.getLongVolatile(a, at(i));
    }

    public static void setRelease64(byte[] a, int i, long v) {
        if (VIA_VAR_HANDLE) {
            I64.setRelease(a, i, v);
        } else {
            U.putOrderedLong(a, at(i), v);
        }
    }

    // ---- 32 bits ----------------------------------------------------------------------------

    public static int getAndAdd32(byte[] a, int i, int v) {
        return VIA_VAR_HANDLE ? (int) I32.getAndAdd(a, i, v) : U.getAndAddInt(a, at(i), v);
    }

    public static int getAndSet32(byte[] a, int i, int v) {
        return VIA_VAR_HANDLE ? (int) I32.getAndSet(a, i, v) : U.getAndSetInt(a, at(i), v);
    }

    public static int getAndOr32(byte[] a, int i, int v) {
        if (VIA_VAR_HANDLE) {
            return (int) I32.getAndBitwiseOr(a, i, v);
        }
        int old;
        do {
            old = U.getIntVolatile(a, at(i));
        } while (!U.compareAndSwapInt(a, at(i), old, old | v));
        return old;
    }

    public static int getAndAnd32(byte[] a, int i, int v) {
        if (VIA_VAR_HANDLE) {
            return (int) I32.getAndBitwiseAnd(a, i, v);
        }
        int old;
        do {
            old = U.getIntVolatile(a, at(i));
        } while (!U.compareAndSwapInt(a, at(i), old, old & v));
        return old;
    }

    public static int getAndXor32(byte[] a, int i, int v) {
        if (VIA_VAR_HANDLE) {
            return (int) I32.getAndBitwiseXor(a, i, v);
        }
        int old;
        do {
            old = U.getIntVolatile(a, at(i));
        } while (!U.compareAndSwapInt(a, at(i), old, old ^ v));
        return old;
    }

    public static int compareAndExchange32(byte[] a, int i, int expected, int v) {
        if (VIA_VAR_HANDLE) {
            return (int) I32.compareAndExchange(a, i, expected, v);
        }
        for (;;) {
            int cur = U.getIntVolatile(a, at(i));
            if (cur != expected) {
                return cur;
            }
            if (U.compareAndSwapInt(a, at(i), expected, v)) {
                return expected;
            }
        }
    }

    public static int getAcquire32(byte[] a, int i) {
        return VIA_VAR_HANDLE ? (int) I32.getAcquire(a, i) : U.getIntVolatile(a, at(i));
    }

    public static void setRelease32(byte[] a, int i, int v) {
        if (VIA_VAR_HANDLE) {
            I32.setRelease(a, i, v);
        } else {
            U.putOrderedInt(a, at(i), v);
        }
    }

    // ---- 16 bits ----------------------------------------------------------------------------

    public static short getAcquire16(byte[] a, int i) {
        return VIA_VAR_HANDLE ? (short) I16.getAcquire(a, i) : U.getShortVolatile(a, at(i));
    }

    public static void setRelease16(byte[] a, int i, short v) {
        if (VIA_VAR_HANDLE) {
            I16.setRelease(a, i, v);
        } else {
            U.putShortVolatile(a, at(i), v);
        }
    }
}
