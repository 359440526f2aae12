package dev.sonde.agent.tools;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * When a tool stops: its duration ends, or the user presses Ctrl-C (SIGINT) or the tool gets
 * SIGTERM. A signal starts the JVM's shutdown; the hook asks the tool's main loop to stop and waits
 * (at most {@link #FINISH_SECONDS}) for it to print its last report and close its connection, as
 * BCC's tools print their totals on Ctrl-C.
 *
 * <p>Concurrency: the hook thread and the tool's thread meet only through the two latches (their
 * countDown/await pairs order the tool's last report before the JVM halts).
 */
final class Stopper implements AutoCloseable {
    static final int FINISH_SECONDS = 5;

    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    Stopper() {
        hook = new Thread(() -> {
            stop.countDown();
            try {
                finished.await(FINISH_SECONDS, TimeUnit.SECONDS);   // pairs with countDown in close
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "sonde-tool-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Waits up to {@code nanos}; true when the tool must stop (a signal or {@link #stop}). */
    boolean await(long nanos) throws InterruptedException {
        return nanos <= 0 ? stop.getCount() == 0 : stop.await(nanos, TimeUnit.NANOSECONDS);
    }

    boolean stopped() {
        return stop.getCount() == 0;
    }

    void stop() {
        stop.countDown();
    }

    /** The tool is done: a waiting hook may let the JVM halt. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down (a signal): the hook runs and returns at once now
        }
    }
}
