package dev.sonde.bpf.helper;

import dev.sonde.bpf.vm.Errno;
import dev.sonde.bpf.vm.Cpu;

/**
 * What the probe layer tells helpers about the call being traced: the function's address, its
 * arguments and return value, the attach cookie, the Java call stack, and reads of Java objects
 * through their handles. The VM knows nothing about Java methods; {@code probe-core} implements
 * this interface and finds the current hit through {@link Cpu#attachment}.
 *
 * <p>Every method runs on the probe path: it must not allocate, block or throw.
 * {@link #NONE} is the environment outside any probe (bare programs, tests).
 */
public interface ProbeEnv {
    /** Synthetic address of the traced method (helper 173), 0 outside a probe. */
    default long funcIp(Cpu cpu) {
        return 0;
    }

    /** The cookie given at attach time (helper 174), 0 if none. */
    default long attachCookie(Cpu cpu) {
        return 0;
    }

    /** Number of declared parameters (helper 185); -EOPNOTSUPP outside a probe. */
    default long funcArgCount(Cpu cpu) {
        return -Errno.EOPNOTSUPP;
    }

    /** Parameter n (0-based) encoded as DESIGN.md §3 says; the caller has checked n < count. */
    default long funcArg(Cpu cpu, int n) {
        return 0;
    }

    /** True at a return probe, where {@link #funcRet} is defined. */
    default boolean atReturn(Cpu cpu) {
        return false;
    }

    default long funcRet(Cpu cpu) {
        return 0;
    }

    /**
     * Writes up to {@code max} synthetic frame addresses of the current Java stack, innermost
     * first, after skipping {@code skip} frames, into {@code out}; returns how many, or a negative
     * errno. Outside a probe the stack is empty.
     */
    default int stack(Cpu cpu, long[] out, int max, int skip) {
        return 0;
    }

    /**
     * Copies bytes of the object view that {@code handle} addresses (a String as UTF-8, a primitive
     * array as little-endian elements, a boxed primitive as its value) into {@code dst[off, off+size)}.
     * With {@code str}, copies at most size−1 bytes and a NUL and returns the bytes written including
     * the NUL; otherwise returns 0. Returns -EFAULT when the handle names no view or the read runs
     * past its end; the caller zero-fills. Outside a probe there are no objects.
     */
    default long readObject(Cpu cpu, long handle, byte[] dst, int off, int size, boolean str) {
        return -Errno.EFAULT;
    }

    /** Outside any probe: no function, no arguments, no objects; stacks are empty (the defaults). */
    ProbeEnv NONE = new ProbeEnv() {
    };
}
