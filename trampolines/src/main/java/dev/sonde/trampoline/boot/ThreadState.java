package dev.sonde.trampoline.boot;

/**
 * One thread's trampoline state: the re-entrancy flag, the reusable argument arrays that a
 * trampoline fills before it dispatches, and the dispatch layer's per-thread seat. Written and
 * read only by its own thread. A trampolined method looks it up once per call ({@link Hooks#state})
 * and its entry and return trampolines both use that one object.
 *
 * <p>The arrays are valid only while {@link #active} is true: a trampoline fills them, dispatches
 * and leaves; the next hit on the thread overwrites them. 256 entries hold the JVM's limit of 255
 * declared parameters.
 */
public final class ThreadState {
    /** Set from {@link Hooks#enter} to {@link Hooks#leave}: a hit inside a hit is skipped. */
    public boolean active;
    /** Declared parameter {@code i}, encoded as DESIGN.md §3 says; 0 for a reference. */
    public final long[] prims = new long[256];
    /** Declared parameter {@code i} when it is a reference; null for a primitive. */
    public final Object[] refs = new Object[256];
    /**
     * What the dispatch layer keeps per thread (its execution-slot seat), so that a hit needs no
     * thread-local lookup beyond the one that found this object. Opaque here: this package sees only
     * the JDK.
     */
    public Object seat;

    ThreadState() {}
}
