package dev.sonde.trampoline;

import dev.sonde.bpf.vm.Cpu;

/**
 * What the layer above attaches to a method. Called on the traced thread while it holds the
 * execution slot {@code cpu}, from the method's entry trampoline ({@link #onEntry}) and from its
 * return trampoline ({@link #onExit}: normal return and exceptional exit alike).
 *
 * <p>Contract: a handler must not block and must not keep {@code frame} or {@code cpu} beyond the
 * call (both are reused by the next hit on the slot). A throwable it throws is caught, counted on
 * its link ({@link Link#errors}) and never reaches the traced method; the next handler still runs.
 * A handler that calls a method that has trampolines does not re-enter: that inner hit is skipped
 * and counted as missed. One handler may be attached to many methods and to one method many times.
 */
public interface Handler {
    default void onEntry(Frame frame, Cpu cpu) {}

    default void onExit(Frame frame, Cpu cpu) {}

    /**
     * Whether {@link #onEntry} does anything. A constant of the handler, read at attach: when no
     * handler on a method wants its entry, the entry trampoline takes no execution slot at all.
     */
    default boolean handlesEntry() {
        return true;
    }

    /** Whether {@link #onExit} does anything; as {@link #handlesEntry}, for the return trampoline. */
    default boolean handlesExit() {
        return true;
    }

    /**
     * Whether this handler promises that {@link #onEntry} and {@link #onExit} never throw (it
     * catches and counts its own failures). A constant of the handler, read at attach. The dispatch
     * image then calls it without a catch of its own: each catch adds method-handle frames between
     * the trampoline and the handler, and HotSpot stops inlining at a fixed depth
     * (MaxInlineLevel), which the program behind a probe handler would otherwise reach. Should it
     * throw anyway, the trampoline's last-line catch still keeps the throwable from the method,
     * but the handlers after it on that method miss the hit and no link counts the error.
     */
    default boolean catchesAll() {
        return false;
    }

    /**
     * Whether this handler reads {@link Frame#self}, {@link Frame#returnRef} or
     * {@link Frame#thrown}. A constant of the handler, read at attach. When false, those are null
     * in its frame (unless a handler before it on the method reads them) and the hit stores no
     * application object into the frame for it: each such store pays G1's post-write barrier.
     * {@link Frame#isExceptional} and the parameters are there either way.
     */
    default boolean readsObjects() {
        return true;
    }
}
