package dev.sonde.bpf.slot;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * RCU-style grace periods over the slot states of one {@link ExecutionSlots}.
 *
 * <p>A grace period is: (1) a full fence, (2) a snapshot of every slot's state, (3) for each slot
 * that was odd (busy) in the snapshot, waiting until its state differs (that run exited). A slot
 * that was idle or has moved on cannot hold a run that began before step 2.
 *
 * <p>Two users of it:
 * <ul>
 * <li>{@link #synchronize} takes its own snapshot on the caller's thread, so it waits for exactly
 *     the runs present at the call and no later ones.</li>
 * <li>The background thread ("sonde-grace-period", Linux's rcu_gp_kthread) runs numbered grace
 *     periods on demand, for cookies ({@link #request}/{@link #passed}) and for callbacks. Its
 *     snapshots are taken when each numbered period starts, so it may also wait for a run that
 *     entered after the request: later, never earlier, than necessary.</li>
 * </ul>
 *
 * <p>Numbering: {@code started} and {@code completed} count the background periods; at most one is
 * in progress ({@code started - completed} is 0 or 1), and only the background thread writes them.
 * A requester that has unpublished and then reads {@code started = k} needs period {@code k + 1}:
 * period k may already have taken its snapshot, period k+1 increments {@code started} before its
 * snapshot, so its snapshot follows the requester's unpublishing write.
 */
final class GracePeriod {
    private static final VarHandle STARTED;
    private static final VarHandle COMPLETED;
    private static final VarHandle REQUESTED;
    private static final VarHandle SLEEPING;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STARTED = l.findVarHandle(GracePeriod.class, "started", long.class);
            COMPLETED = l.findVarHandle(GracePeriod.class, "completed", long.class);
            REQUESTED = l.findVarHandle(GracePeriod.class, "requested", long.class);
            SLEEPING = l.findVarHandle(GracePeriod.class, "sleeping", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ExecutionSlots slots;
    private final Thread thread;
    // Padding keeps the requesters' CAS on `requested` off the line the driver writes.
    private long started;
    long p01, p02, p03, p04, p05, p06, p07;
    private long completed;
    long p11, p12, p13, p14, p15, p16, p17;
    private long requested;
    long p21, p22, p23, p24, p25, p26, p27;
    private boolean sleeping;
    private volatile boolean closing;
    /** Set under the lock of {@code callbacks} when the thread ends; later callbacks run inline. */
    private boolean stopped;

    /** Callbacks with the cookie they wait for; guarded by itself. */
    private final ArrayDeque<Object[]> callbacks = new ArrayDeque<>();
    /** Scratch snapshot for the background thread. */
    private final long[] snapshot;
    volatile Consumer<Throwable> errorSink = t -> t.printStackTrace();

    GracePeriod(ExecutionSlots slots) {
        this.slots = slots;
        this.snapshot = new long[slots.count()];
        this.thread = new Thread(this::loop, "sonde-grace-period");
        thread.setDaemon(true);
        thread.start();
    }

    // ---- one grace period ---------------------------------------------------------------------

    /** Steps 1-3 above, into {@code snap} (one entry per slot). */
    private void waitForReaders(long[] snap) {
        // Step 1: orders the caller's unpublishing write (and, for the driver, its write of
        // `started`) before the state reads; pairs with the CAS in ExecutionSlots.tryEnter.
        VarHandle.fullFence();
        int n = snap.length;
        for (int i = 0; i < n; i++) {
            snap[i] = slots.stateOf(i);
        }
        for (int i = 0; i < n; i++) {
            long s = snap[i];
            if ((s & 1) == 0) {
                continue;
            }
            int idx = ExecutionSlots.index(i);
            // getAcquire pairs with the setRelease in ExecutionSlots.exit: the run's accesses
            // happen-before everything after this grace period.
            for (int spins = 0; (long) ExecutionSlots.STATE.getAcquire(slots.states, idx) == s; spins++) {
                backoff(spins);
            }
        }
    }

    /** Spin briefly (runs are microseconds), then yield, then park with a growing pause up to 1 ms. */
    private static void backoff(int spins) {
        if (spins < 64) {
            Thread.onSpinWait();
        } else if (spins < 80) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(Math.min(1_000_000L, 10_000L << Math.min(spins - 80, 7)));
        }
    }

    void synchronize() {
        waitForReaders(new long[slots.count()]);
    }

    // ---- numbered grace periods ---------------------------------------------------------------

    long request() {
        // The caller's unpublishing write must precede the read of `started` (see the class
        // comment); pairs with the fullFence between the driver's write of `started` and its
        // snapshot in waitForReaders.
        VarHandle.fullFence();
        long cookie = (long) STARTED.getVolatile(this) + 1;
        for (;;) {
            long r = (long) REQUESTED.getVolatile(this);
            if (r >= cookie || REQUESTED.compareAndSet(this, r, cookie)) {
                break;
            }
        }
        // After the CAS (a full fence) read `sleeping`; pairs with the driver's volatile write of
        // `sleeping` and its re-read of `requested` in loop(): one of us sees the other.
        if ((boolean) SLEEPING.getVolatile(this)) {
            LockSupport.unpark(thread);
        }
        return cookie;
    }

    boolean passed(long cookie) {
        // Pairs with the setRelease of `completed` in loop(): the runs that period waited for
        // happen-before the caller's reuse of what they could see.
        return (long) COMPLETED.getAcquire(this) >= cookie;
    }

    /** Waits for the background thread to complete period {@code cookie} (polling: rare, not on the probe path). */
    void await(long cookie) {
        for (int spins = 0; !passed(cookie); spins++) {
            if (stopped()) {
                synchronize();   // no background thread any more: our own grace period covers it
                return;
            }
            backoff(spins);
        }
    }

    private boolean stopped() {
        synchronized (callbacks) {
            return stopped;
        }
    }

    long completed() {
        return (long) COMPLETED.getAcquire(this);
    }

    void callAfter(Runnable r) {
        synchronized (callbacks) {
            if (!stopped) {
                callbacks.add(new Object[] {request(), r});
                return;
            }
        }
        synchronize();
        r.run();
    }

    private void loop() {
        for (;;) {
            long done = (long) COMPLETED.getVolatile(this);
            if ((long) REQUESTED.getVolatile(this) <= done) {
                if (closing && stop()) {
                    return;
                }
                SLEEPING.setVolatile(this, true);
                if ((long) REQUESTED.getVolatile(this) <= done && !closing) {
                    LockSupport.park(this);
                }
                SLEEPING.setVolatile(this, false);
                continue;
            }
            long gp = done + 1;
            STARTED.setVolatile(this, gp);
            waitForReaders(snapshot);
            COMPLETED.setRelease(this, gp);
            runReady(gp);
        }
    }

    /** Stops the thread if no callback is left; callAfter checks `stopped` under the same lock. */
    private boolean stop() {
        synchronized (callbacks) {
            stopped = callbacks.isEmpty();
            return stopped;
        }
    }

    private void runReady(long gp) {
        List<Runnable> ready = new ArrayList<>();
        synchronized (callbacks) {
            // Cookies are nearly in queue order; a later-queued smaller cookie waits one scan more.
            for (var it = callbacks.iterator(); it.hasNext(); ) {
                Object[] c = it.next();
                if ((long) c[0] <= gp) {
                    ready.add((Runnable) c[1]);
                    it.remove();
                }
            }
        }
        for (Runnable r : ready) {
            try {
                r.run();
            } catch (Throwable t) {
                errorSink.accept(t);
            }
        }
    }

    void close() {
        if (Thread.currentThread() == thread) {
            throw new IllegalStateException("close() from a grace-period callback");
        }
        closing = true;
        LockSupport.unpark(thread);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
