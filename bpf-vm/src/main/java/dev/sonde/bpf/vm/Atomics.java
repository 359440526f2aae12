package dev.sonde.bpf.vm;

import dev.sonde.bpf.mem.ByteAtomics;
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
                case 1 -> ByteAtomics.getAndAdd64(a, idx, v);
                case 2 -> ByteAtomics.getAndOr64(a, idx, v);
                case 3 -> ByteAtomics.getAndAnd64(a, idx, v);
                case 4 -> ByteAtomics.getAndXor64(a, idx, v);
                case 5 -> r[s] = (long) ByteAtomics.getAndAdd64(a, idx, v);
                case 6 -> r[s] = (long) ByteAtomics.getAndOr64(a, idx, v);
                case 7 -> r[s] = (long) ByteAtomics.getAndAnd64(a, idx, v);
                case 8 -> r[s] = (long) ByteAtomics.getAndXor64(a, idx, v);
                case 9 -> r[s] = (long) ByteAtomics.getAndSet64(a, idx, v);
                case 10 -> r[0] = (long) ByteAtomics.compareAndExchange64(a, idx, r[0], v);
                default -> throw new AssertionError("atomic variant " + variant);
            }
        } else {
            idx = cpu.atomicIndex(addr, 4, Region.WRITE);
            reg = cpu.regionOf(addr);
            byte[] a = reg.data();
            int v = (int) r[s];
            switch (variant) {
                case 1 -> ByteAtomics.getAndAdd32(a, idx, v);
                case 2 -> ByteAtomics.getAndOr32(a, idx, v);
                case 3 -> ByteAtomics.getAndAnd32(a, idx, v);
                case 4 -> ByteAtomics.getAndXor32(a, idx, v);
                case 5 -> r[s] = Interpreter.u32((int) ByteAtomics.getAndAdd32(a, idx, v));
                case 6 -> r[s] = Interpreter.u32((int) ByteAtomics.getAndOr32(a, idx, v));
                case 7 -> r[s] = Interpreter.u32((int) ByteAtomics.getAndAnd32(a, idx, v));
                case 8 -> r[s] = Interpreter.u32((int) ByteAtomics.getAndXor32(a, idx, v));
                case 9 -> r[s] = Interpreter.u32((int) ByteAtomics.getAndSet32(a, idx, v));
                case 10 -> r[0] = Interpreter.u32((int) ByteAtomics.compareAndExchange32(a, idx, (int) r[0], v));
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
            case 8 -> (long) ByteAtomics.getAcquire64(a, idx);
            case 4 -> Interpreter.u32((int) ByteAtomics.getAcquire32(a, idx));
            default -> (short) ByteAtomics.getAcquire16(a, idx) & 0xffffL;
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
            case 8 -> ByteAtomics.setRelease64(a, idx, v);
            case 4 -> ByteAtomics.setRelease32(a, idx, (int) v);
            default -> ByteAtomics.setRelease16(a, idx, (short) v);
        }
    }
}
