package dev.sonde.trampoline;

import java.util.List;

/**
 * One handler attached to the methods a pattern selects. Closing it detaches the handler: when
 * {@link #close} returns, no new run of the handler through this link starts and every run that
 * had started has returned (a grace period). Each method left without handlers gets its original
 * bytecode back shortly after, on the restorer thread ({@link Trampolines#awaitRestored} waits for
 * it). Closing twice is harmless.
 */
public interface Link extends AutoCloseable {
    MethodPattern pattern();

    Handler handler();

    /** The methods the handler is attached to now (a pattern link grows as matching classes load). */
    List<MethodInfo> methods();

    /**
     * Runs of this link's methods' trampolines that were skipped while the link was attached
     * (re-entrant hit, or every execution slot busy): entry and exit count separately.
     */
    long nmissed();

    /** Throwables that the handler threw through this link (each caught and dropped). */
    long errors();

    boolean isOpen();

    @Override
    void close();
}
