package dev.sonde.probe.hit;

import dev.sonde.bpf.vm.Cpu;
import dev.sonde.probe.object.ObjectTable;
import dev.sonde.probe.symbol.MethodSymbol;

/**
 * One hit of a probed method on one execution slot: what the trampoline saw and what the slot's
 * programs may read (through {@link JvmProbeEnv} and the {@link ContextImage}).
 *
 * <p>Not an immutable value, on purpose: the probe path allocates nothing, so each slot owns one
 * ProbeHit ({@link ProbeHits}) that every hit on the slot refills. The protocol, on the thread that
 * holds the slot:
 * <ol>
 * <li>{@link #begin} names the method, cookie and parameter count and makes the hit current
 *     ({@code cpu.attachment = this}, which stays after the hit: readers check {@link #active});</li>
 * <li>{@code param…}, {@link #thisObject}, {@link #caller} and, at a return, {@code returning…} /
 *     {@link #throwing} fill it (references become handles in the hit's {@link ObjectTable});</li>
 * <li>{@link #bind} fills the pt_regs image and returns the context address for the programs;</li>
 * <li>{@link #end} unbinds the image, drops every reference (so nothing leaks and nothing is held
 *     from the GC), retires the hit's handles and marks the record inactive.</li>
 * </ol>
 * A return probe is its own hit: the trampoline fills the parameters again from its frame, as
 * parameters stay readable at return (DESIGN.md §3).
 *
 * <p>Assumption: only the slot's holder touches it; slot hand-over orders one holder before the
 * next. No method allocates or blocks; misuse (an index out of range) throws, as a trampoline bug.
 */
public final class ProbeHit {
    /** The JVM's limit on parameter slots; a method can have no more declared parameters. */
    public static final int MAX_PARAMS = 255;

    private final int slot;
    private final ObjectTable objects;
    private final ContextImage context = new ContextImage();
    private final long[] params = new long[MAX_PARAMS];

    private boolean active;
    private MethodSymbol method;
    private long cookie;
    private int paramCount;
    private long thisHandle;
    private long ret;
    private boolean atReturn;
    private boolean exceptional;
    private long caller;

    /** A sampled thread's run ({@link #sample}): the thread the helpers answer for, and its stack. */
    private boolean sampled;
    private long sampledPidTgid;
    private String sampledName;
    private long[] sampledFrames;
    private int sampledDepth;

    /** The hit record of slot {@code slot} of {@code slots}. */
    public ProbeHit(int slot, int slots) {
        this.slot = slot;
        this.objects = new ObjectTable(slot, slots);
    }

    /** Starts a hit of {@code method} on {@code cpu}, which must be this record's slot. */
    public ProbeHit begin(Cpu cpu, MethodSymbol method, long cookie, int paramCount) {
        if (cpu.id != slot) {
            throw new IllegalArgumentException("hit record of slot " + slot + " used on slot " + cpu.id);
        }
        if (paramCount < 0 || paramCount > MAX_PARAMS) {
            throw new IllegalArgumentException("parameter count " + paramCount);
        }
        if (active) {
            end(cpu);
        }
        // Reference fields are compared before stored, and end() leaves Sonde's own objects in
        // place: a reference store into this long-lived record pays G1's post-write barrier (a
        // StoreLoad fence), and the same method on the same slot is the common case.
        if (this.method != method) {
            this.method = method;
        }
        this.cookie = cookie;
        this.paramCount = paramCount;
        this.thisHandle = 0;
        this.ret = 0;
        this.atReturn = false;
        this.exceptional = false;
        this.caller = 0;
        this.sampled = false;
        for (int i = 0; i < paramCount; i++) {
            params[i] = 0;
        }
        this.active = true;
        if (cpu.attachment != this) {
            cpu.attachment = this;
        }
        return this;
    }

    /** Parameter {@code i} (0-based), already encoded ({@link Encoding}). */
    public ProbeHit param(int i, long encoded) {
        if (i >= paramCount) {
            throw new IndexOutOfBoundsException("parameter " + i + " of " + paramCount);
        }
        params[i] = encoded;
        return this;
    }

    public ProbeHit paramInt(int i, int v) {
        return param(i, Encoding.of(v));
    }

    public ProbeHit paramLong(int i, long v) {
        return param(i, v);
    }

    public ProbeHit paramBoolean(int i, boolean v) {
        return param(i, Encoding.of(v));
    }

    public ProbeHit paramByte(int i, byte v) {
        return param(i, Encoding.of(v));
    }

    public ProbeHit paramShort(int i, short v) {
        return param(i, Encoding.of(v));
    }

    public ProbeHit paramChar(int i, char v) {
        return param(i, Encoding.of(v));
    }

    public ProbeHit paramFloat(int i, float v) {
        return param(i, Encoding.of(v));
    }

    public ProbeHit paramDouble(int i, double v) {
        return param(i, Encoding.of(v));
    }

    /** A reference parameter: its handle for this hit (0 for null). */
    public ProbeHit paramObject(int i, Object o) {
        return param(i, objects.handleOf(o));
    }

    /** {@code this}, for an instance method (at a constructor's entry it is not shown). */
    public ProbeHit thisObject(Object o) {
        thisHandle = objects.handleOf(o);
        return this;
    }

    /** The caller's synthetic address ({@code StackCapture.caller()}), for [sp+0]; 0 if unknown. */
    public ProbeHit caller(long address) {
        caller = address;
        return this;
    }

    /** A normal return with an encoded value (0 for void). */
    public ProbeHit returning(long encoded) {
        atReturn = true;
        exceptional = false;
        ret = encoded;
        return this;
    }

    public ProbeHit returningVoid() {
        return returning(0);
    }

    public ProbeHit returningObject(Object o) {
        return returning(objects.handleOf(o));
    }

    /** An exceptional exit: ax is the throwable's handle and flags bit 0 is set. */
    public ProbeHit throwing(Throwable t) {
        atReturn = true;
        exceptional = true;
        ret = objects.handleOf(t);
        return this;
    }

    /**
     * A return (normal, or exceptional when {@code exceptional}) whose value or throwable the
     * programs cannot read ({@link ContextReads}): ax is 0 and no handle is made.
     */
    public ProbeHit returningUnread(boolean exceptional) {
        atReturn = true;
        this.exceptional = exceptional;
        ret = 0;
        return this;
    }

    /**
     * Makes this hit a sample of another thread (a {@code timer/<period>/threads} run):
     * get_current_pid_tgid, get_current_comm and sonde_get_thread_name answer for that thread,
     * get_stack and get_stackid return {@code frames[0, depth)} (innermost first, synthetic
     * addresses) and ip is the innermost frame, as a perf-event program sees the interrupted
     * thread. The array is the sampler's and is not copied; {@link #end} drops it.
     */
    public ProbeHit sample(long pidTgid, String threadName, long[] frames, int depth) {
        if (depth < 0 || depth > frames.length) {
            throw new IndexOutOfBoundsException("depth " + depth + " of " + frames.length);
        }
        sampled = true;
        sampledPidTgid = pidTgid;
        sampledName = threadName;
        sampledFrames = frames;
        sampledDepth = depth;
        return this;
    }

    public boolean sampled() {
        return sampled;
    }

    /** The sampled thread's pid_tgid ({@link #sample}). */
    public long sampledPidTgid() {
        return sampledPidTgid;
    }

    public String sampledThreadName() {
        return sampledName;
    }

    /** Writes up to {@code max} of the sampled frames after {@code skip} into {@code out}; returns how many. */
    public int sampledStack(long[] out, int max, int skip) {
        int n = Math.max(0, Math.min(Math.min(max, out.length), sampledDepth - Math.max(0, skip)));
        System.arraycopy(sampledFrames, Math.max(0, skip), out, 0, n);
        return n;
    }

    /** Fills and binds the context image; returns the address to pass programs as r1. */
    public long bind(Cpu cpu) {
        return context.fill(cpu, this);
    }

    /** As {@link #bind(Cpu)}, filling only the pt_regs fields of {@code fields} ({@link ContextReads}). */
    public long bind(Cpu cpu, long fields) {
        return context.fill(cpu, this, fields);
    }

    /** Ends the hit: see the protocol above. Idempotent. */
    public void end(Cpu cpu) {
        if (!active) {
            return;
        }
        active = false;
        cpu.closeRun();
        objects.clear();
        // method and cpu.attachment stay: they are Sonde's own (a MethodSymbol, this record) and
        // readers check active(); the next hit on the slot then stores no reference. A sample's
        // thread name and frames are dropped (they are the sampler's).
        if (sampled) {
            sampled = false;
            sampledName = null;
            sampledFrames = null;
        }
    }

    // ---- what programs read ---------------------------------------------------------------------

    public boolean active() {
        return active;
    }

    public int slot() {
        return slot;
    }

    /** The hit's method; null when no hit is active. */
    public MethodSymbol method() {
        return active ? method : null;
    }

    /** The method's synthetic address (a sample's innermost frame), 0 when no hit is active. */
    public long methodAddress() {
        MethodSymbol m = method();
        if (m == null) {
            return active && sampled && sampledDepth > 0 ? sampledFrames[0] : 0;
        }
        return m.address();
    }

    public long cookie() {
        return cookie;
    }

    public int paramCount() {
        return paramCount;
    }

    /** Parameter {@code i} (0-based), encoded. */
    public long param(int i) {
        return params[i];
    }

    public long thisHandle() {
        return thisHandle;
    }

    /** False only at a constructor's entry, where the object is not yet initialised (DESIGN.md §4). */
    public boolean thisVisible() {
        MethodSymbol m = method();
        return atReturn || m == null || !m.isConstructor();
    }

    public long ret() {
        return ret;
    }

    public boolean atReturn() {
        return atReturn;
    }

    public boolean exceptional() {
        return exceptional;
    }

    public long caller() {
        return caller;
    }

    public ObjectTable objects() {
        return objects;
    }

    public ContextImage context() {
        return context;
    }
}
