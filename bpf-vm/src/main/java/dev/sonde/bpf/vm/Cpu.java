package dev.sonde.bpf.vm;

import dev.sonde.bpf.mem.Addr;
import dev.sonde.bpf.mem.Region;
import dev.sonde.bpf.mem.RegionTable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The machine state of one execution slot (a "CPU" in DESIGN.md §3): registers, the eight stack
 * frames, the per-run regions, the call stack, the instruction budget and the record of the last
 * fault.
 *
 * <p>Assumption: at most one thread uses a Cpu at a time (the slot layer hands it out
 * exclusively); nothing here is synchronised. Reusing one Cpu for every run is what makes a run
 * allocate nothing.
 */
public final class Cpu {
    static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    /** Index of this slot, 0..N-1; what {@code bpf_get_smp_processor_id} returns. */
    public final int id;
    /** r0..r10; 16 long so that a 4-bit register field never needs a bounds check. */
    final long[] regs = new long[16];
    final byte[] stack = new byte[Addr.MAX_FRAMES * Addr.FRAME_SIZE];
    /** Per-run regions by id (index 0 stays null: region 0 is never valid). */
    final Region[] locals = new Region[Addr.LOCAL_LIMIT];
    /** Global regions as of the start of the current run. */
    Region[] globals;
    final RegionTable table;

    long budget;
    /** Call stack: return slot and saved r6..r9 of each caller frame. */
    final int[] returnPc = new int[Addr.MAX_FRAMES];
    final long[] savedRegs = new long[Addr.MAX_FRAMES * 4];
    int depth;

    /** Set by the tail-call helper; the interpreter switches program after the call returns. */
    Program tailTarget;
    int tailCalls;

    /**
     * The program currently running, for the interpreter's callback entry (bpf_loop): always set
     * by the interpreter; in a compiled run only when the program takes a function's address
     * ({@link Program#loadsCodeAddress}), else null (see {@link #beginRun}).
     */
    Program current;

    /** Opaque per-run context of the layer above (the probe layer's hit state); may be null. */
    public Object attachment;

    /** Helpers' per-slot scratch memory (formatting buffers); only the slot's holder touches it. */
    public final byte[] scratch = new byte[4096];

    /** Helpers' per-slot state object, created on first use and kept for the Cpu's life. */
    public Object helperState;

    // The last fault; valid when faulted is true.
    boolean faulted;
    FaultKind faultKind;
    int faultPc;
    /** Whether faultPc is set: the innermost loop of nested callbacks records it first. */
    boolean faultPcKnown;
    long faultAddr;
    int faultSize;
    Throwable faultCause;
    final FaultSignal signal = new FaultSignal();

    public Cpu(int id) {
        this(id, RegionTable.global());
    }

    public Cpu(int id, RegionTable table) {
        this.id = id;
        this.table = table;
        for (int k = 0; k < Addr.MAX_FRAMES; k++) {
            locals[Addr.STACK_FRAME_0 + k] = new Region(Region.Kind.STACK, "stack frame " + k, stack,
                k * Addr.FRAME_SIZE, Addr.FRAME_SIZE, Region.READ_WRITE, null);
        }
        locals[Addr.CONTEXT] = Region.local(Region.Kind.CONTEXT, "context");
        for (int i = 0; i < Addr.CALLER_COUNT; i++) {
            locals[Addr.CALLER_0 + i] = Region.local(Region.Kind.CALLER, "caller memory " + i);
        }
        globals = table.snapshot();
    }

    /** Exposes {@code data[base, base+size)} as the context region for the next runs. */
    public long bindContext(byte[] data, int base, int size, boolean writable) {
        locals[Addr.CONTEXT].bind(data, base, size, writable ? Region.READ_WRITE : Region.READ);
        return Addr.of(Addr.CONTEXT, 0);
    }

    /** Exposes caller memory {@code i} (0..3) and returns its address. */
    public long bindCaller(int i, byte[] data, int base, int size, boolean writable) {
        locals[Addr.CALLER_0 + i].bind(data, base, size, writable ? Region.READ_WRITE : Region.READ);
        return Addr.of(Addr.CALLER_0 + i, 0);
    }

    /**
     * Re-reads the global region table, so that regions registered since the last run start are
     * visible to map and helper calls made outside a run (runs re-read it themselves).
     */
    public void refreshRegions() {
        // Pairs with the volatile write in RegionTable.register.
        globals = table.snapshot();
    }

    /**
     * Closes the per-run windows after a probe hit: caller memory is dropped as by
     * {@link #unbindAll}, the context window is closed but keeps its array (the binder's own, bound
     * again by the next hit: no reference store, see {@link Region#close}).
     */
    public void closeRun() {
        locals[Addr.CONTEXT].close();
        for (int i = 0; i < Addr.CALLER_COUNT; i++) {
            locals[Addr.CALLER_0 + i].unbind();
        }
    }

    /** Drops the per-run windows so that nothing of the caller's memory stays reachable. */
    public void unbindAll() {
        locals[Addr.CONTEXT].unbind();
        for (int i = 0; i < Addr.CALLER_COUNT; i++) {
            locals[Addr.CALLER_0 + i].unbind();
        }
    }

    /** Tail calls Linux allows in one run (MAX_TAIL_CALL_CNT). */
    public static final int MAX_TAIL_CALLS = 33;

    /**
     * Asks the running interpreter (or JIT code) to continue with {@code p} when the current helper
     * call returns, as bpf_tail_call does. False when 33 tail calls already happened in this run
     * or the call is not made from the program's first frame.
     */
    public boolean requestTailCall(Program p) {
        if (tailCalls >= MAX_TAIL_CALLS || depth != 0) {
            return false;
        }
        tailCalls++;
        tailTarget = p;
        return true;
    }

    // ---- faults ------------------------------------------------------------------------------

    /** Records a fault and returns the signal for the caller to throw: {@code throw cpu.fault(…)}. */
    public RuntimeException fault(FaultKind kind, long addr, int size) {
        faulted = true;
        faultKind = kind;
        faultAddr = addr;
        faultSize = size;
        return signal;
    }

    public boolean faulted() {
        return faulted;
    }

    public FaultKind faultKind() {
        return faultKind;
    }

    public int faultPc() {
        return faultPc;
    }

    public long faultAddr() {
        return faultAddr;
    }

    /** The unexpected exception behind a {@link FaultKind#HELPER_ERROR}, else null. */
    public Throwable faultCause() {
        return faultCause;
    }

    /** A one-line account of the last fault: instruction, kind, address and region. */
    public String describeFault() {
        if (!faulted) {
            return "no fault";
        }
        StringBuilder sb = new StringBuilder("insn ").append(faultPc).append(": ").append(faultKind.description);
        switch (faultKind) {
            case NULL_POINTER, NO_REGION, OUT_OF_BOUNDS, READ_ONLY, NOT_READABLE, MISALIGNED_ATOMIC -> {
                sb.append(": ").append(faultSize).append("-byte access at ").append(Addr.format(faultAddr));
                Region r = regionOf(faultAddr);
                if (r != null) {
                    sb.append(" in ").append(r);
                }
            }
            case BAD_HELPER, BAD_CODE_ADDRESS -> sb.append(": ").append(faultAddr);
            case HELPER_ERROR -> sb.append(": ").append(faultCause);
            default -> {
            }
        }
        return sb.toString();
    }

    /** The region an address names, as this Cpu sees it now; null if none. */
    public Region regionOf(long addr) {
        int id = Addr.region(addr);
        if ((id & ~(Addr.LOCAL_LIMIT - 1)) == 0) {
            return locals[id];
        }
        Region[] g = globals;
        return id > 0 && id < g.length ? g[id] : null;
    }

    // ---- memory ------------------------------------------------------------------------------

    /** The region an access of {@code size} bytes with permission {@code perm} at {@code addr} hits; faults otherwise. */
    public Region resolve(long addr, int size, int perm) {
        int id = (int) (addr >>> 32);
        Region r;
        if ((id & ~(Addr.LOCAL_LIMIT - 1)) == 0) {
            r = locals[id];
        } else {
            Region[] g = globals;
            r = id > 0 && id < g.length ? g[id] : null;
        }
        int off = (int) addr;
        if (r == null || (r.perms() & perm) == 0 || off < 0 || off > r.size() - size) {
            throw fault(classify(r, id, off, size, perm), addr, size);
        }
        return r;
    }

    private static FaultKind classify(Region r, int id, int off, int size, int perm) {
        if (id == 0) {
            return FaultKind.NULL_POINTER;
        }
        if (r == null) {
            return FaultKind.NO_REGION;
        }
        if (off < 0 || off > r.size() - size) {
            return FaultKind.OUT_OF_BOUNDS;
        }
        return perm == Region.WRITE && r.readable() ? FaultKind.READ_ONLY : FaultKind.NOT_READABLE;
    }

    /**
     * Like {@link #resolve} but returns null instead of aborting the run: for helpers, which report
     * a bad pointer as -EFAULT rather than as a fault.
     */
    public Region regionFor(long addr, int size, int perm) {
        Region r = regionOf(addr);
        int off = (int) addr;
        if (r == null || (r.perms() & perm) == 0 || size < 0 || off < 0 || off > r.size() - size) {
            return null;
        }
        return r;
    }

    public long load8(long addr) {
        Region r = resolve(addr, 1, Region.READ);
        return r.data()[r.base() + (int) addr] & 0xffL;
    }

    public long load16(long addr) {
        Region r = resolve(addr, 2, Region.READ);
        return (short) I16.get(r.data(), r.base() + (int) addr) & 0xffffL;
    }

    public long load32(long addr) {
        Region r = resolve(addr, 4, Region.READ);
        return (int) I32.get(r.data(), r.base() + (int) addr) & 0xffffffffL;
    }

    public long load64(long addr) {
        Region r = resolve(addr, 8, Region.READ);
        return (long) I64.get(r.data(), r.base() + (int) addr);
    }

    public void store8(long addr, long v) {
        Region r = resolve(addr, 1, Region.WRITE);
        r.data()[r.base() + (int) addr] = (byte) v;
    }

    public void store16(long addr, long v) {
        Region r = resolve(addr, 2, Region.WRITE);
        I16.set(r.data(), r.base() + (int) addr, (short) v);
    }

    public void store32(long addr, long v) {
        Region r = resolve(addr, 4, Region.WRITE);
        I32.set(r.data(), r.base() + (int) addr, (int) v);
    }

    public void store64(long addr, long v) {
        Region r = resolve(addr, 8, Region.WRITE);
        I64.set(r.data(), r.base() + (int) addr, v);
    }

    /** Index into {@code r.data()} for an aligned atomic access; faults when misaligned. */
    int atomicIndex(long addr, int size, int perm) {
        Region r = resolve(addr, size, perm);
        int index = r.base() + (int) addr;
        if ((index & (size - 1)) != 0) {
            throw fault(FaultKind.MISALIGNED_ATOMIC, addr, size);
        }
        return index;
    }

    /** The register file, for tests and the JIT's fallback path. */
    public long reg(int i) {
        return regs[i];
    }

    // ---- for the JIT (dev.sonde.bpf.jit), which keeps registers in JVM locals -----------------

    /**
     * Resets the run state as {@link Interpreter#run} does before its first step (fault record,
     * call depth, tail calls, budget, the global-region snapshot, the current program); the
     * registers are the caller's business.
     */
    public void beginRun(Program p) {
        faulted = false;
        faultPcKnown = false;
        faultCause = null;
        depth = 0;
        tailCalls = 0;
        tailTarget = null;
        budget = p.budget;
        // Pairs with the volatile write in RegionTable.register, as in Interpreter.run. Compared
        // before stored: the snapshot rarely changes, and a reference store into this long-lived
        // object pays G1's post-write barrier (a StoreLoad fence) on every run.
        Region[] g = table.snapshot();
        if (globals != g) {
            globals = g;
        }
        // The interpreter's callback entry (bpf_loop) is the one reader of `current` in a compiled
        // run, and a program without a code address cannot reach it with a function of its own. A
        // non-null reference store into this long-lived object would pay G1's post-write barrier
        // (a StoreLoad fence) on every run; a null store does not.
        current = p.loadsCodeAddress ? p : null;
    }

    /** Ends a run begun with {@link #beginRun}. */
    public void endRun() {
        current = null;
    }

    /** Instructions left in the current run; kept here across helper calls. */
    public long budget() {
        return budget;
    }

    public void setBudget(long b) {
        budget = b;
    }

    /** The eight stack frames back to back: frame k is {@code [k * 512, (k + 1) * 512)}. */
    public byte[] stack() {
        return stack;
    }

    public void setReg(int i, long v) {
        regs[i] = v;
    }

    /** Records the instruction of a fault already recorded by {@link #fault}; returns the signal to throw. */
    public RuntimeException faultAt(int pc) {
        // A fault inside a callback (bpf_loop) was already placed at its own instruction.
        if (!faultPcKnown) {
            faultPcKnown = true;
            faultPc = pc;
        }
        return signal;
    }

    /** Records that a helper failed unexpectedly at {@code pc}, as the interpreter does; returns the signal. */
    public RuntimeException helperError(Throwable cause, int pc) {
        faulted = true;
        faultKind = FaultKind.HELPER_ERROR;
        faultCause = cause;
        faultPc = pc;
        faultPcKnown = true;
        return signal;
    }

    /** True for the signal {@link #fault} returns (a fault already recorded), false for anything else. */
    public static boolean isFaultSignal(Throwable t) {
        return t instanceof FaultSignal;
    }

    /** True after a helper has asked for a tail call that has not been taken yet. */
    public boolean tailCallPending() {
        return tailTarget != null;
    }
}
