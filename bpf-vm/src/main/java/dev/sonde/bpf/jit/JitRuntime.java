package dev.sonde.bpf.jit;

import dev.sonde.bpf.mem.Addr;
import dev.sonde.bpf.mem.ByteAtomics;
import dev.sonde.bpf.mem.Region;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.vm.FaultKind;
import dev.sonde.bpf.vm.Helper;
import dev.sonde.bpf.vm.Interpreter;
import dev.sonde.bpf.vm.Program;
import dev.sonde.bpf.vm.Unsigned;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * What generated code calls: small static methods that C2 inlines into the program's methods.
 *
 * <p>Every method that can fault takes the slot index {@code pc} as its last argument. It is a
 * constant at each call site, used only on the fault path, so the common path pays nothing for
 * knowing where it is. Checked accesses go through {@link Cpu#load8} etc., the very checks the
 * interpreter makes; the only thing added here is recording the pc before the signal unwinds the
 * run. The {@code get}/{@code put} methods are the unchecked accesses for the stack and for
 * verifier-proven slots.
 */
final class JitRuntime {
    private JitRuntime() {
    }

    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    // ---- checked memory (the only exception Cpu's accessors throw is the fault signal) --------

    static long load8(Cpu cpu, long addr, int pc) {
        try {
            return cpu.load8(addr);
        } catch (RuntimeException e) {
            throw cpu.faultAt(pc);
        }
    }

    static long load16(Cpu cpu, long addr, int pc) {
        try {
            return cpu.load16(addr);
        } catch (RuntimeException e) {
            throw cpu.faultAt(pc);
        }
    }

    static long load32(Cpu cpu, long addr, int pc) {
        try {
            return cpu.load32(addr);
        } catch (RuntimeException e) {
            throw cpu.faultAt(pc);
        }
    }

    static long load64(Cpu cpu, long addr, int pc) {
        try {
            return cpu.load64(addr);
        } catch (RuntimeException e) {
            throw cpu.faultAt(pc);
        }
    }

    static void store8(Cpu cpu, long addr, long v, int pc) {
        try {
            cpu.store8(addr, v);
        } catch (RuntimeException e) {
            throw cpu.faultAt(pc);
        }
    }

    static void store16(Cpu cpu, long addr, long v, int pc) {
        try {
            cpu.store16(addr, v);
        } catch (RuntimeException e) {
            throw cpu.faultAt(pc);
        }
    }

    static void store32(Cpu cpu, long addr, long v, int pc) {
        try {
            cpu.store32(addr, v);
        } catch (RuntimeException e) {
            throw cpu.faultAt(pc);
        }
    }

    static void store64(Cpu cpu, long addr, long v, int pc) {
        try {
            cpu.store64(addr, v);
        } catch (RuntimeException e) {
            throw cpu.faultAt(pc);
        }
    }

    // ---- unchecked memory: index already proven inside the array window ---------------------
    //
    // C2 inlines into one compilation at most DesiredMethodLimit (8000) bytes of bytecode, the
    // generated method's own included. A VarHandle access inlines a chain of ~200 bytes
    // (guard, view handle, unaligned Unsafe access), so a program with ~100 proven accesses used
    // the whole budget and its later accesses (the hot loop's) became real calls. The u* forms
    // below cost ~25 bytes each: an intrinsic bounds check (the JVM's guarantee that an access
    // stays inside its byte array remains, whatever the proofs say) and an intrinsic Unsafe
    // access, which on a little-endian machine is the eBPF byte order. Without a usable Unsafe
    // (or on a big-endian machine) the generator uses the VarHandle forms.

    /** sun.misc.Unsafe, or null when it cannot be had or the machine is big-endian. */
    static final sun.misc.Unsafe U = unsafe();
    private static final long BASE = U == null ? 0 : U.arrayBaseOffset(byte[].class);

    private static sun.misc.Unsafe unsafe() {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            return null;
        }
        try {
            java.lang.reflect.Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            sun.misc.Unsafe u = (sun.misc.Unsafe) f.get(null);
            return u.arrayIndexScale(byte[].class) == 1 ? u : null;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    static long get8(byte[] a, int i) {
        return a[i] & 0xffL;
    }

    static long get16(byte[] a, int i) {
        return (short) I16.get(a, i) & 0xffffL;
    }

    static long get32(byte[] a, int i) {
        return (int) I32.get(a, i) & 0xffffffffL;
    }

    static long get64(byte[] a, int i) {
        return (long) I64.get(a, i);
    }

    static void put8(byte[] a, int i, long v) {
        a[i] = (byte) v;
    }

    static void put16(byte[] a, int i, long v) {
        I16.set(a, i, (short) v);
    }

    static void put32(byte[] a, int i, long v) {
        I32.set(a, i, (int) v);
    }

    static void put64(byte[] a, int i, long v) {
        I64.set(a, i, v);
    }

    static long uget16(byte[] a, int i) {
        return U.getShort(a, BASE + Objects.checkIndex(i, a.length - 1)) & 0xffffL;
    }

    static long uget32(byte[] a, int i) {
        return U.getInt(a, BASE + Objects.checkIndex(i, a.length - 3)) & 0xffffffffL;
    }

    static long uget64(byte[] a, int i) {
        return U.getLong(a, BASE + Objects.checkIndex(i, a.length - 7));
    }

    static void uput16(byte[] a, int i, long v) {
        U.putShort(a, BASE + Objects.checkIndex(i, a.length - 1), (short) v);
    }

    static void uput32(byte[] a, int i, long v) {
        U.putInt(a, BASE + Objects.checkIndex(i, a.length - 3), (int) v);
    }

    static void uput64(byte[] a, int i, long v) {
        U.putLong(a, BASE + Objects.checkIndex(i, a.length - 7), v);
    }

    /** Array index of a stack address already proven in some frame: frame k's bytes start at k * 512. */
    static int stackIndex(long addr) {
        return (((int) (addr >>> 32)) - 1) * 512 + (int) addr;
    }

    // ---- caller memory proven by the verifier (AccessProofs.Kind.CALLER) -------------------

    /**
     * Whether this run meets the entry assumption of a RAW program's proofs: r1 at the start of
     * caller region 0, r2 the verified length, the region bound to at least that many bytes
     * with the permissions {@code perms} the proven accesses need.
     */
    static boolean rawEntry(Cpu cpu, long r1, long r2, int len, int perms) {
        if (r1 != Addr.of(Addr.CALLER_0, 0) || r2 != len) {
            return false;
        }
        Region r = cpu.regionOf(r1);
        return r.size() >= len && (r.perms() & perms) == perms;
    }

    /** A run that does not meet the entry assumption: the interpreter, every access checked. */
    static long interpret(Program p, Cpu cpu, long r1, long r2, long r3, long r4, long r5) {
        return Interpreter.run(p, cpu, r1, r2, r3, r4, r5);    // 0 after a fault, recorded on cpu
    }

    /** The array of caller region 0, for the unchecked accesses of one function call. */
    static byte[] callerData(Cpu cpu) {
        return cpu.regionOf(Addr.of(Addr.CALLER_0, 0)).data();
    }

    static int callerBase(Cpu cpu) {
        return cpu.regionOf(Addr.of(Addr.CALLER_0, 0)).base();
    }

    // ---- atomics: the semantics of dev.sonde.bpf.vm.Atomics, variants as in Op ---------------

    /**
     * Checked 64- or 32-bit read-modify-write ({@code variant} 1..10 as in Op); returns the old
     * value (zero-extended for 32 bits). For CMPXCHG, {@code expected} is r0.
     */
    static long atomic(Cpu cpu, long addr, long v, long expected, int size, int variant, int pc) {
        try {
            Region r = cpu.resolve(addr, size, Region.WRITE);
            int idx = r.base() + (int) addr;
            if ((idx & (size - 1)) != 0) {
                throw cpu.fault(FaultKind.MISALIGNED_ATOMIC, addr, size);
            }
            return size == 8 ? rmw64(r.data(), idx, v, expected, variant) : rmw32(r.data(), idx, v, expected, variant);
        } catch (RuntimeException e) {
            throw cpu.faultAt(pc);
        }
    }

    static long rmw64(byte[] a, int idx, long v, long expected, int variant) {
        return switch (variant) {
            case 1, 5 -> (long) ByteAtomics.getAndAdd64(a, idx, v);
            case 2, 6 -> (long) ByteAtomics.getAndOr64(a, idx, v);
            case 3, 7 -> (long) ByteAtomics.getAndAnd64(a, idx, v);
            case 4, 8 -> (long) ByteAtomics.getAndXor64(a, idx, v);
            case 9 -> (long) ByteAtomics.getAndSet64(a, idx, v);
            case 10 -> (long) ByteAtomics.compareAndExchange64(a, idx, expected, v);
            default -> throw new AssertionError("atomic variant " + variant);
        };
    }

    static long rmw32(byte[] a, int idx, long v, long expected, int variant) {
        int x = (int) v;
        int old = switch (variant) {
            case 1, 5 -> (int) ByteAtomics.getAndAdd32(a, idx, x);
            case 2, 6 -> (int) ByteAtomics.getAndOr32(a, idx, x);
            case 3, 7 -> (int) ByteAtomics.getAndAnd32(a, idx, x);
            case 4, 8 -> (int) ByteAtomics.getAndXor32(a, idx, x);
            case 9 -> (int) ByteAtomics.getAndSet32(a, idx, x);
            case 10 -> (int) ByteAtomics.compareAndExchange32(a, idx, (int) expected, x);
            default -> throw new AssertionError("atomic variant " + variant);
        };
        return old & 0xffffffffL;
    }

    static long loadAcquire(Cpu cpu, long addr, int size, int pc) {
        try {
            if (size == 1) {
                long v = cpu.load8(addr);
                VarHandle.acquireFence();
                return v;
            }
            Region r = cpu.resolve(addr, size, Region.READ);
            int idx = r.base() + (int) addr;
            if ((idx & (size - 1)) != 0) {
                throw cpu.fault(FaultKind.MISALIGNED_ATOMIC, addr, size);
            }
            byte[] a = r.data();
            return switch (size) {
                case 8 -> (long) ByteAtomics.getAcquire64(a, idx);
                case 4 -> (int) ByteAtomics.getAcquire32(a, idx) & 0xffffffffL;
                default -> (short) ByteAtomics.getAcquire16(a, idx) & 0xffffL;
            };
        } catch (RuntimeException e) {
            throw cpu.faultAt(pc);
        }
    }

    static void storeRelease(Cpu cpu, long addr, long v, int size, int pc) {
        try {
            if (size == 1) {
                VarHandle.releaseFence();
                cpu.store8(addr, v);
                return;
            }
            Region r = cpu.resolve(addr, size, Region.WRITE);
            int idx = r.base() + (int) addr;
            if ((idx & (size - 1)) != 0) {
                throw cpu.fault(FaultKind.MISALIGNED_ATOMIC, addr, size);
            }
            byte[] a = r.data();
            switch (size) {
                case 8 -> ByteAtomics.setRelease64(a, idx, v);
                case 4 -> ByteAtomics.setRelease32(a, idx, (int) v);
                default -> ByteAtomics.setRelease16(a, idx, (short) v);
            }
        } catch (RuntimeException e) {
            throw cpu.faultAt(pc);
        }
    }

    // ---- division: the ISA's rules for a zero divisor (constant divisors are inlined) --------

    static long udiv64(long a, long b) {
        return b == 0 ? 0 : Unsigned.div(a, b);
    }

    static long umod64(long a, long b) {
        return b == 0 ? a : Unsigned.rem(a, b);
    }

    static long sdiv64(long a, long b) {
        return b == 0 ? 0 : a / b;
    }

    static long smod64(long a, long b) {
        return b == 0 ? a : a % b;
    }

    static long udiv32(long a, long b) {
        long d = b & 0xffffffffL;
        return d == 0 ? 0 : (a & 0xffffffffL) / d;
    }

    static long umod32(long a, long b) {
        long d = b & 0xffffffffL;
        return d == 0 ? a & 0xffffffffL : (a & 0xffffffffL) % d;
    }

    static long sdiv32(long a, long b) {
        int d = (int) b;
        return d == 0 ? 0 : ((int) a / d) & 0xffffffffL;
    }

    static long smod32(long a, long b) {
        int d = (int) b;
        return (d == 0 ? (int) a : (int) a % d) & 0xffffffffL;
    }

    // ---- calls ---------------------------------------------------------------------------------

    /** A helper call; a helper that breaks its contract ends the run as HELPER_ERROR, as in the interpreter. */
    static long call(Helper h, Cpu cpu, long r1, long r2, long r3, long r4, long r5, int pc) {
        try {
            return h.call(cpu, r1, r2, r3, r4, r5);
        } catch (RuntimeException | StackOverflowError e) {
            throw fail(cpu, e, pc);
        }
    }

    /** {@code callx}: the helper id is a register value, checked as the interpreter checks it. */
    static long callx(Helper[] helpers, Cpu cpu, long id, long r1, long r2, long r3, long r4, long r5, int pc) {
        if (id < 0 || id >= helpers.length || helpers[(int) id] == null) {
            cpu.fault(FaultKind.BAD_HELPER, id, 0);
            throw cpu.faultAt(pc);
        }
        return call(helpers[(int) id], cpu, r1, r2, r3, r4, r5, pc);
    }

    private static RuntimeException fail(Cpu cpu, Throwable e, int pc) {
        return Cpu.isFaultSignal(e) ? cpu.faultAt(pc) : cpu.helperError(e, pc);
    }

    static RuntimeException callDepth(Cpu cpu, int pc) {
        cpu.fault(FaultKind.CALL_DEPTH, 0, 0);
        return cpu.faultAt(pc);
    }

    static RuntimeException fellOffEnd(Cpu cpu, int pc) {
        cpu.fault(FaultKind.FELL_OFF_END, 0, 0);
        return cpu.faultAt(pc);
    }

    /**
     * The block at {@code pc} costs more than the budget left. The interpreter, continuing from
     * the block's first instruction with the registers the generated code spilled, executes what
     * the budget still allows and faults exactly where it would have: on the budget, or earlier
     * on a bad access. It cannot get further, since a block holds no exit or call before its last
     * instruction.
     */
    static RuntimeException outOfBudget(Program p, Cpu cpu, int pc) {
        Interpreter.resume(p, cpu, pc);
        if (!cpu.faulted()) {
            throw new AssertionError("block at insn " + pc + " completed on a budget too small for it");
        }
        return cpu.faultAt(cpu.faultPc());
    }

    /**
     * A helper requested a tail call. At depth 0 the rest of the run continues in the interpreter
     * with the spilled registers (r0 is returned: the run's result). From a bpf-to-bpf callee the
     * interpreter would return into the new program at the old return slot, which JVM frames cannot
     * express; the run ends as a helper error instead.
     */
    static long tailCall(Cpu cpu, int depth, int pc) {
        if (depth != 0) {
            throw cpu.helperError(new UnsupportedOperationException(
                "tail call from a bpf-to-bpf callee in JIT-compiled code"), pc);
        }
        return Interpreter.resumeTailCall(cpu);
    }
}
