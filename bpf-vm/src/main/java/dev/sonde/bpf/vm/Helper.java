package dev.sonde.bpf.vm;

/**
 * A function a program calls with {@code call <id>}: arguments in r1..r5, result in r0. The
 * interpreter and the JIT leave r6..r9 alone around the call. A helper must not allocate on its
 * common path, must not block, and reports errors as negative errno values, as in Linux; it may
 * abort the run with {@link Cpu#fault} only for what Linux would treat as a program bug.
 */
@FunctionalInterface
public interface Helper {
    long call(Cpu cpu, long r1, long r2, long r3, long r4, long r5);
}
