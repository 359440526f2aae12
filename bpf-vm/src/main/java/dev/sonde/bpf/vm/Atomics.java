package dev.sonde.bpf.vm;

import dev.sonde.bpf.mem.Region;
import java.lang.invoke.VarHandle;

/**
 * Atomic read-modify-write, load-acquire and store-release. Every form is atomic with respect to
 * other threads running programs on the same memory (maps are shared between Cpus), through
 * {@link VarHandle} volatile-mode operations on the region's byte array. Variants follow the
 * {@link dev.sonde.bpf.isa.Op} rows: 1 ADD, 2 OR, 3 AND, 4 XOR, 5..8 the same with FETCH, 9 XCHG,
 * 10 CMPXCHG, 11 LOAD_ACQ, 12 STORE_REL.
 */
final class Atomics {
    private Atomics() {
    }

    static void execute(Cpu cpu, int w, int d, int s, int off) {
        long[] r = cpu.regs;
        int variant = (w >>> 8) & 15;
        int opcode = w & 0xff;
        int size = switch (opcode) {
            case 0xdb -> 8;
            case 0xc3 -> 4;
            case 0xcb -> 2;
            default -> 1;
        };
        if (variant == 11) {                         // LOAD_ACQ: dst = load_acquire(src + off)
            r[d] = loadAcquire(cpu, r[s] + off, size);
            return;
        }
        long addr = r[d] + off;
        if (variant == 12) {                         // STORE_REL: store_release(dst + off, src)
            storeRelease(cpu, addr, size, r[s]);
            return;
        }
        Region reg;
        int idx;
        if (size == 8) {
            idx = cpu.atomicIndex(addr, 8, Region.WRITE);
            reg = cpu.regionOf(addr);
            byte[] a = reg.data();
            long v = r[s];
            switch (variant) {
                case 1 -> Cpu.I64.getAndAdd(a, idx, v);
                case 2 -> Cpu.I64.getAndBitwiseOr(a, idx, v);
                case 3 -> Cpu.I64.getAndBitwiseAnd(a, idx, v);
                case 4 -> Cpu.I64.getAndBitwiseXor(a, idx, v);
                case 5 -> r[s] = (long) Cpu.I64.getAndAdd(a, idx, v);
                case 6 -> r[s] = (long) Cpu.I64.getAndBitwiseOr(a, idx, v);
                case 7 -> r[s] = (long) Cpu.I64.getAndBitwiseAnd(a, idx, v);
                case 8 -> r[s] = (long) Cpu.I64.getAndBitwiseXor(a, idx, v);
                case 9 -> r[s] = (long) Cpu.I64.getAndSet(a, idx, v);
                case 10 -> r[0] = (long) Cpu.I64.compareAndExchange(a, idx, r[0], v);
                default -> throw new AssertionError("atomic variant " + variant);
            }
        } else {
            idx = cpu.atomicIndex(addr, 4, Region.WRITE);
            reg = cpu.regionOf(addr);
            byte[] a = reg.data();
            int v = (int) r[s];
            switch (variant) {
                case 1 -> Cpu.I32.getAndAdd(a, idx, v);
                case 2 -> Cpu.I32.getAndBitwiseOr(a, idx, v);
                case 3 -> Cpu.I32.getAndBitwiseAnd(a, idx, v);
                case 4 -> Cpu.I32.getAndBitwiseXor(a, idx, v);
                case 5 -> r[s] = Interpreter.u32((int) Cpu.I32.getAndAdd(a, idx, v));
                case 6 -> r[s] = Interpreter.u32((int) Cpu.I32.getAndBitwiseOr(a, idx, v));
                case 7 -> r[s] = Interpreter.u32((int) Cpu.I32.getAndBitwiseAnd(a, idx, v));
                case 8 -> r[s] = Interpreter.u32((int) Cpu.I32.getAndBitwiseXor(a, idx, v));
                case 9 -> r[s] = Interpreter.u32((int) Cpu.I32.getAndSet(a, idx, v));
                case 10 -> r[0] = Interpreter.u32((int) Cpu.I32.compareAndExchange(a, idx, (int) r[0], v));
                default -> throw new AssertionError("atomic variant " + variant);
            }
        }
    }

    private static long loadAcquire(Cpu cpu, long addr, int size) {
        if (size == 1) {
            long v = cpu.load8(addr);
            VarHandle.acquireFence();
            return v;
        }
        int idx = cpu.atomicIndex(addr, size, Region.READ);
        byte[] a = cpu.regionOf(addr).data();
        return switch (size) {
            case 8 -> (long) Cpu.I64.getAcquire(a, idx);
            case 4 -> Interpreter.u32((int) Cpu.I32.getAcquire(a, idx));
            default -> (short) Cpu.I16.getAcquire(a, idx) & 0xffffL;
        };
    }

    private static void storeRelease(Cpu cpu, long addr, int size, long v) {
        if (size == 1) {
            VarHandle.releaseFence();
            cpu.store8(addr, v);
            return;
        }
        int idx = cpu.atomicIndex(addr, size, Region.WRITE);
        byte[] a = cpu.regionOf(addr).data();
        switch (size) {
            case 8 -> Cpu.I64.setRelease(a, idx, v);
            case 4 -> Cpu.I32.setRelease(a, idx, (int) v);
            default -> Cpu.I16.setRelease(a, idx, (short) v);
        }
    }
}
