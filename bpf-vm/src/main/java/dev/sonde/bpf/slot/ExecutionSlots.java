package dev.sonde.bpf.slot;

import dev.sonde.bpf.mem.RegionTable;
import dev.sonde.bpf.vm.Cpu;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The execution slots, the "CPUs" of DESIGN.md §3, and the grace period that serves everything
 * (§2). A probe hit holds one slot, exclusively, from before it reads the dispatch image until its
 * last program returns; per-CPU maps have one copy per slot.
 *
 * <p>Each slot has one 64-bit state word, alone on its own 128 bytes:
 * <pre>
 *   state = 2 * (runs that have entered this slot) + (1 while a run holds it)
 * </pre>
 * so an even state is idle, an odd state is a run in progress, and any change of an odd state
 * means that run has exited. This is RCU's per-CPU quiescent-state counter.
 *
 * <p>Assumptions:
 * <ol>
 * <li>A thread calls {@link #exit} exactly once for each successful {@link #tryEnter}, on the same
 *     thread, and runs nothing that blocks indefinitely in between (programs and helpers never
 *     block).</li>
 * <li>An updater first unpublishes (a release or volatile write that makes an object unreachable
 *     for runs that start later), then asks for a grace period; runs reach published objects only
 *     between {@code tryEnter} and {@code exit}, reading them with acquire or volatile loads.</li>
 * <li>{@link #synchronize} is not called by a thread that holds a slot (it would wait for itself;
 *     it throws instead).</li>
 * <li>Ordering is argued in the VarHandle fence model: between an updater's unpublishing write and
 *     its first read of a slot state there is a full fence ({@link GracePeriod}), and a run's
 *     claim is a CAS (a full fence) before its first read of published data. This is Dekker's
 *     pattern: either the grace period sees the run's odd state, or the run sees the unpublished
 *     state.</li>
 * </ol>
 *
 * <p>Guarantees:
 * <ol>
 * <li>A slot is held by at most one thread at a time. {@code tryEnter} never waits and, after the
 *     first call on a thread (which creates its {@link ThreadLocal} entry), never allocates; it
 *     returns null when every slot is busy or the calling thread already holds a slot (the caller
 *     counts {@code nmissed}).</li>
 * <li>{@code synchronize()} returns only after every run that had entered before the call has
 *     exited, and does not wait for runs that enter after it began.</li>
 * <li>A {@link #callAfterGracePeriod} callback runs exactly once, on the grace-period thread, after
 *     every run that had entered before the call has exited.</li>
 * <li>Everything a run did before its {@code exit} happens-before whatever follows the grace period
 *     that waited for it.</li>
 * </ol>
 */
public final class ExecutionSlots implements AutoCloseable {
    static final VarHandle STATE = MethodHandles.arrayElementVarHandle(long[].class);
    /** 16 longs = 128 bytes between state words: no false sharing, even with adjacent-line prefetch. */
    static final int STRIDE_SHIFT = 4;

    private final Cpu[] cpus;
    /** Padded state words, slot i at index {@code i << STRIDE_SHIFT} (plus padding at both ends). */
    final long[] states;
    /**
     * The holder record of the thread in each slot, or of its last holder while it is free; written
     * by a holder after its CAS, read by that holder and by the next one (ordered by the state
     * word: the release in exit pairs with the next holder's CAS in tryEnter).
     */
    private final Occupant[] holders;
    private final ThreadLocal<Occupant> holder;
    private final RegionTable table;
    private final GracePeriod gracePeriod;

    /**
     * One thread's seat at these slots: the slot it holds (-1 for none) and the slot it tries first.
     * Written and read only by its thread. The probe path finds it once ({@link #occupant}) and
     * keeps it in its own per-thread state, so that {@link #tryEnter(Occupant)} and
     * {@link #exit(Occupant, Cpu)} need no {@link ThreadLocal} lookup; {@link #holdsSlot} and the
     * plain {@link #tryEnter()} see the same object through the thread-local.
     */
    public static final class Occupant {
        /** The {@link #serial} of the slots it belongs to (not the object: a seat kept elsewhere must not retain them). */
        final long owner;
        int slot = -1;
        int hint;

        Occupant(long owner, int hint) {
            this.owner = owner;
            this.hint = hint;
        }

        /** Whether this is a seat at {@code slots} (it was made by their {@link #occupant}). */
        public boolean of(ExecutionSlots slots) {
            return owner == slots.serial;
        }
    }

    private static final java.util.concurrent.atomic.AtomicLong SERIALS = new java.util.concurrent.atomic.AtomicLong();
    /** Distinguishes the seats of different instances. */
    private final long serial = SERIALS.incrementAndGet();

    /**
     * The default number of slots: eight per available processor. A slot is held across the whole
     * hit and, unlike a kernel CPU running BPF with preemption off, its thread can be descheduled
     * while holding it; with more runnable threads than cores, two slots per processor left most
     * hits of a hot method skipped (ExactCountRaceTest, 8 threads on 2 cores: 87% nmissed). Eight
     * per processor keeps every thread of a typically oversubscribed service seated; the price is
     * per-CPU map copies and a few more state words for the grace period to scan.
     */
    public static int defaultCount() {
        return 8 * Runtime.getRuntime().availableProcessors();
    }

    public ExecutionSlots() {
        this(defaultCount());
    }

    public ExecutionSlots(int count) {
        this(count, RegionTable.global());
    }

    /** {@code count} slots whose Cpus resolve global addresses in {@code table}. */
    public ExecutionSlots(int count, RegionTable table) {
        if (count < 1 || count > 4096) {
            throw new IllegalArgumentException("slot count must be 1..4096, is " + count);
        }
        this.table = table;
        this.cpus = new Cpu[count];
        this.holders = new Occupant[count];
        for (int i = 0; i < count; i++) {
            cpus[i] = new Cpu(i, table);
        }
        this.states = new long[(count + 1) << STRIDE_SHIFT];
        this.holder = ThreadLocal.withInitial(() -> new Occupant(serial, (int) (Thread.currentThread().getId() % count)));
        this.gracePeriod = new GracePeriod(this);
    }

    /** The number of slots: the "number of possible CPUs" of per-CPU maps. */
    public int count() {
        return cpus.length;
    }

    public RegionTable regionTable() {
        return table;
    }

    /** Slot {@code i}'s machine; for tests and for Java-side code that runs a program on a held slot. */
    public Cpu cpu(int i) {
        return cpus[i];
    }

    static int index(int slot) {
        return (slot + 1) << STRIDE_SHIFT;
    }

    // ---- the probe path -----------------------------------------------------------------------

    /**
     * Claims a free slot for the calling thread without waiting. Returns its Cpu, or null when
     * every slot is busy or this thread already holds one (recursion): the caller counts nmissed.
     */
    public Cpu tryEnter() {
        return tryEnter(holder.get());
    }

    /**
     * The calling thread's seat at these slots, for {@link #tryEnter(Occupant)}: the same object on
     * every call from one thread (created on the first, which allocates).
     */
    public Occupant occupant() {
        return holder.get();
    }

    /**
     * {@link #tryEnter()} with the calling thread's {@link #occupant}, which the caller must pass
     * (never another thread's); the slot is released with {@link #exit(Occupant, Cpu)}.
     */
    public Cpu tryEnter(Occupant h) {
        if (h.slot >= 0) {
            return null;
        }
        int n = cpus.length;
        int i = h.hint;
        for (int k = 0; k < n; k++, i = i + 1 == n ? 0 : i + 1) {
            int idx = index(i);
            // Opaque pre-check keeps us from writing (and stealing) the cache line of a busy slot.
            long s = (long) STATE.getOpaque(states, idx);
            // The CAS is the run's full fence: it pairs with the fullFence + volatile state reads in
            // GracePeriod.waitForReaders (Dekker): either the grace period sees this odd state, or
            // this run's later loads see what the updater unpublished before the grace period.
            if ((s & 1) == 0 && STATE.compareAndSet(states, idx, s, s + 1)) {
                h.slot = i;
                h.hint = i;
                // Compared before stored, and left in place by exit: a reference store into this
                // long-lived array pays G1's post-write barrier (a StoreLoad fence), and a thread
                // usually finds its own slot again. Only the slot's holder writes its entry.
                if (holders[i] != h) {
                    holders[i] = h;
                }
                return cpus[i];
            }
        }
        return null;
    }

    /** Releases the slot of {@code cpu}, which the calling thread must hold. */
    public void exit(Cpu cpu) {
        int i = cpu.id;
        int idx = index(i);
        long s = (long) STATE.getOpaque(states, idx);   // only the holder writes an odd state
        if ((s & 1) == 0) {
            throw new IllegalStateException("exit from slot " + i + ", which is not held");
        }
        holders[i].slot = -1;   // holders[i] stays (see tryEnter)
        // Release: everything this run did happens-before a grace period that sees the new state;
        // pairs with the getAcquire in GracePeriod.waitForReaders.
        STATE.setRelease(states, idx, s + 1);
    }

    /**
     * Releases the slot of {@code cpu}, which the calling thread holds through its occupant
     * {@code h} ({@link #tryEnter(Occupant)}). The same release as {@link #exit(Cpu)}.
     */
    public void exit(Occupant h, Cpu cpu) {
        int i = cpu.id;
        int idx = index(i);
        long s = (long) STATE.getOpaque(states, idx);   // only the holder writes an odd state
        if ((s & 1) == 0 || h.slot != i) {
            throw new IllegalStateException("exit from slot " + i + ", which is not held");
        }
        h.slot = -1;   // holders[i] stays, as in exit(Cpu)
        // Release, as in exit(Cpu): pairs with the getAcquire in GracePeriod.waitForReaders.
        STATE.setRelease(states, idx, s + 1);
    }

    /** Whether the calling thread holds a slot now. */
    public boolean holdsSlot() {
        return holder.get().slot >= 0;
    }

    // ---- the grace period ---------------------------------------------------------------------

    /**
     * Blocks until every run that had entered a slot before this call has exited. Runs that enter
     * after the call began are not waited for.
     *
     * @throws IllegalStateException when the calling thread holds a slot
     */
    public void synchronize() {
        if (holdsSlot()) {
            throw new IllegalStateException("synchronize() from a thread that holds an execution slot would wait for itself");
        }
        gracePeriod.synchronize();
    }

    /**
     * Runs {@code callback} once, on the grace-period thread, after every run that had entered a
     * slot before this call has exited. Never blocks; allocates (not for the probe path).
     */
    public void callAfterGracePeriod(Runnable callback) {
        gracePeriod.callAfter(callback);
    }

    /**
     * Asks for a grace period and returns a cookie for {@link #gracePeriodPassed}, as Linux's
     * {@code start_poll_synchronize_rcu()}. Allocation-free and non-blocking: usable on the probe
     * path (a hash map's delete defers reusing its element with it).
     */
    public long requestGracePeriod() {
        return gracePeriod.request();
    }

    /** Whether a full grace period has passed since {@link #requestGracePeriod} returned {@code cookie}. */
    public boolean gracePeriodPassed(long cookie) {
        return gracePeriod.passed(cookie);
    }

    /**
     * Blocks until {@link #gracePeriodPassed}{@code (cookie)}. Not for a thread holding a slot.
     *
     * @throws IllegalStateException when the calling thread holds a slot
     */
    public void waitForGracePeriod(long cookie) {
        if (holdsSlot()) {
            throw new IllegalStateException("waitForGracePeriod() from a thread that holds an execution slot would wait for itself");
        }
        gracePeriod.await(cookie);
    }

    /** Grace periods the background thread has completed (for stats and tests). */
    public long completedGracePeriods() {
        return gracePeriod.completed();
    }

    /** Where callback exceptions go (default: standard error; the agent never writes to stdout). */
    public void onCallbackError(java.util.function.Consumer<Throwable> sink) {
        gracePeriod.errorSink = sink;
    }

    /**
     * Runs the callbacks already queued after a last grace period, then stops the grace-period
     * thread. Later callbacks are run at once on the calling thread after {@link #synchronize}.
     */
    @Override
    public void close() {
        gracePeriod.close();
    }

    long stateOf(int slot) {
        return (long) STATE.getVolatile(states, index(slot));
    }
}
