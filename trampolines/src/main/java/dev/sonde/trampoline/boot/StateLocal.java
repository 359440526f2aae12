package dev.sonde.trampoline.boot;

/**
 * The per-thread {@link ThreadState}. A named subclass rather than {@code ThreadLocal.withInitial}
 * with a lambda: a lambda would be linked through invokedynamic and the lambda metafactory, JDK
 * code that a probe may target, on the first hit of the first thread.
 */
final class StateLocal extends ThreadLocal<ThreadState> {
    @Override
    protected ThreadState initialValue() {
        return new ThreadState();
    }
}
