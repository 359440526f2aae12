package dev.sonde.junit;

/**
 * One thread's stay inside one section: from its entry edge to the matching exit, or still inside
 * ({@code exit == null}) when the events end first.
 */
public record Interval(Edge enter, Edge exit) {
    public long threadId() {
        return enter.threadId();
    }

    public int site() {
        return enter.site();
    }

    public long key() {
        return enter.key();
    }

    public long start() {
        return enter.ns();
    }

    /** The exit's stamp, or Long.MAX_VALUE while still inside. */
    public long end() {
        return exit == null ? Long.MAX_VALUE : exit.ns();
    }

    /** Whether two threads' stays share a moment (touching ends do not). */
    public boolean overlaps(Interval o) {
        return start() < o.end() && o.start() < end();
    }
}
