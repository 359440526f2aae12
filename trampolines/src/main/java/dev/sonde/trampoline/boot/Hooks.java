package dev.sonde.trampoline.boot;

import java.lang.invoke.CallSite;
import java.lang.invoke.ConstantCallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;

/**
 * The entry points that generated trampolines call. This package sits on the bootstrap class path
 * (appended at install) so that trampolines in {@code java.*} classes can link to it, and it
 * imports only the JDK: the class loader of a JDK class cannot see anything else.
 *
 * <p>A trampoline is, in bytecode:
 * <pre>
 *   ThreadState ts = Hooks.state();            // once per call, at the method's start
 *   ...
 *   if (Hooks.enter(ts, id)) {                 // false: re-entrant, counted as missed
 *       try { fill ts.prims / ts.refs; invokedynamic entry|exit(ts, ...) (bootstrap {@link #link}) }
 *       catch (Throwable ignored) {}
 *       Hooks.leave(ts);
 *   }
 * </pre>
 * The entry and the return trampoline of one call share {@code ts}: a call runs on one thread.
 * The invokedynamic is linked once per call site by the linker that the trampolines module
 * registers ({@link #setLinker}); everything behind it (slots, dispatch images, handlers) is
 * ordinary application-class-loader code reached through method handles.
 *
 * <p>Assumptions: {@link #enter}/{@link #leave} pair on one thread; {@link #ensureCounter} runs
 * before any trampoline with that id is installed. Guarantees: nothing here throws on the hit path
 * or allocates after a thread's first hit; the only JDK code called before the re-entrancy flag is
 * set is {@code ThreadLocal.get} (the transformer never instruments {@code java.lang.ThreadLocal},
 * {@code java.lang.Thread}, {@code java.lang.ref} or {@code java.lang.invoke}).
 */
public final class Hooks {
    private static final StateLocal STATE = new StateLocal();

    /** Missed-hit counters, 1024 method ids per chunk; chunks are created before their ids are used. */
    private static final long[][] MISSED = new long[1 << 12][];
    private static final int CHUNK_SHIFT = 10;
    private static final int CHUNK_MASK = (1 << CHUNK_SHIFT) - 1;
    /** The largest method id + 1 that counters exist for. */
    public static final int MAX_METHOD_ID = MISSED.length << CHUNK_SHIFT;
    private static final VarHandle CHUNK = MethodHandles.arrayElementVarHandle(long[][].class);
    private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);

    /** {@code (String name, MethodType type, int methodId)CallSite}; null until installed. */
    private static volatile MethodHandle linker;

    private Hooks() {}

    // ---- the hit path -------------------------------------------------------------------------

    /**
     * Marks the calling thread as inside a trampoline and returns its state, or counts a missed
     * hit of {@code methodId} and returns null when the thread is already inside one.
     */
    public static ThreadState enter(int methodId) {
        ThreadState s = STATE.get();
        return enter(s, methodId) ? s : null;
    }

    /** The calling thread's state: the one thread-local lookup of a trampolined call. */
    public static ThreadState state() {
        return STATE.get();
    }

    /**
     * {@link #enter(int)} on the calling thread's own state {@code s} ({@link #state}): marks it
     * inside a trampoline and returns true, or counts a missed hit and returns false when it
     * already is.
     */
    public static boolean enter(ThreadState s, int methodId) {
        if (s.active) {
            countMiss(methodId);
            return false;
        }
        s.active = true;
        return true;
    }

    public static void leave(ThreadState s) {
        s.active = false;
    }

    /** Counts one skipped run of {@code methodId}'s trampoline (re-entrant, or no free slot). */
    public static void countMiss(int methodId) {
        if (methodId < 0 || methodId >= MAX_METHOD_ID) {
            return;
        }
        // getAcquire pairs with the setRelease in ensureCounter: the chunk is seen fully zeroed.
        long[] chunk = (long[]) CHUNK.getAcquire(MISSED, methodId >>> CHUNK_SHIFT);
        if (chunk != null) {
            COUNT.getAndAdd(chunk, methodId & CHUNK_MASK, 1L);
        }
    }

    // ---- control side (not the hit path) ------------------------------------------------------

    /** Skipped runs of {@code methodId} so far. */
    public static long missed(int methodId) {
        if (methodId < 0 || methodId >= MAX_METHOD_ID) {
            return 0;
        }
        long[] chunk = (long[]) CHUNK.getAcquire(MISSED, methodId >>> CHUNK_SHIFT);
        return chunk == null ? 0 : (long) COUNT.getVolatile(chunk, methodId & CHUNK_MASK);
    }

    /** Creates the counter of {@code methodId}; call before installing a trampoline with that id. */
    public static synchronized void ensureCounter(int methodId) {
        if (methodId < 0 || methodId >= MAX_METHOD_ID) {
            throw new IllegalArgumentException("method id out of range: " + methodId);
        }
        int c = methodId >>> CHUNK_SHIFT;
        if (CHUNK.getAcquire(MISSED, c) == null) {
            // Pairs with the getAcquire in countMiss and missed.
            CHUNK.setRelease(MISSED, c, new long[1 << CHUNK_SHIFT]);
        }
    }

    /** Registers the linker that {@link #link} delegates to (null: every new call site is a no-op). */
    public static void setLinker(MethodHandle l) {
        if (l != null && !l.type().equals(MethodType.methodType(CallSite.class, String.class, MethodType.class, int.class))) {
            throw new IllegalArgumentException("linker type " + l.type());
        }
        linker = l;
    }

    /**
     * Bootstrap method of every trampoline's invokedynamic. Runs once per call site, on the first
     * hit, inside the trampoline's try block and with the re-entrancy flag set. Never fails: a
     * call site it cannot link becomes a no-op, so a trampoline can never throw into its method.
     */
    public static CallSite link(MethodHandles.Lookup caller, String name, MethodType type, int methodId) {
        MethodHandle l = linker;
        if (l != null) {
            try {
                CallSite site = (CallSite) l.invokeExact(name, type, methodId);
                if (site != null && site.type().equals(type)) {
                    return site;
                }
            } catch (Throwable ignored) {
                // fall through to the no-op site
            }
        }
        return new ConstantCallSite(MethodHandles.empty(type));
    }
}
