package dev.sonde.agent.control;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * premain's {@code hold=}: {@code main} waits until a client sends RELEASE, so that a tool started
 * with the JVM ({@code sonde <tool> --exec}) attaches before the application's first call; and the
 * JVM's exit waits for that client to close its connection, so that its last reads see the last
 * calls.
 *
 * <ol>
 * <li>{@link #arm} before the control socket is bound: a RELEASE that comes before premain waits
 *     still counts.</li>
 * <li>{@link #await}: premain waits for RELEASE or the timeout; either way the hold is then no
 *     longer pending, and a later RELEASE is a no-op success.</li>
 * <li>{@link #awaitReleaserClosed} at JVM exit (a shutdown hook): waits for the connection that
 *     released to close.</li>
 * </ol>
 * One hold per JVM (premain runs once); everything is guarded by the class's monitor, and the
 * latches order the releaser's requests before {@code main}'s first call.
 */
public final class StartupHold {
    private static CountDownLatch release;          // the pending hold, or null
    private static ControlConnection releaser;      // the connection whose RELEASE ended it
    private static CountDownLatch releaserClosed;   // counted down when that connection closes

    private StartupHold() {
    }

    /** Makes a hold pending. */
    public static synchronized void arm() {
        release = new CountDownLatch(1);
    }

    /** Ends a pending hold without waiting (the socket did not start). */
    public static synchronized void disarm() {
        release = null;
    }

    /** Waits for RELEASE or {@code timeout}; true when a client released. The hold is no longer pending after. */
    public static boolean await(Duration timeout) throws InterruptedException {
        CountDownLatch l;
        synchronized (StartupHold.class) {
            l = release;
        }
        if (l == null) {
            return false;
        }
        try {
            l.await(timeout.toNanos(), TimeUnit.NANOSECONDS);   // pairs with countDown in release
        } finally {
            synchronized (StartupHold.class) {
                release = null;
            }
        }
        return l.getCount() == 0;
    }

    /** A client's RELEASE: ends a pending hold; a no-op when none is. */
    static synchronized void release(ControlConnection c) {
        if (release != null && release.getCount() > 0) {
            releaser = c;
            releaserClosed = new CountDownLatch(1);
            release.countDown();
        }
    }

    /** A connection closed (every one tells, so that the releaser's close is seen). */
    static synchronized void closed(ControlConnection c) {
        if (c == releaser) {
            releaserClosed.countDown();
            releaser = null;
        }
    }

    /** At exit: waits up to {@code timeout} for the releasing connection to close; true when it did (or none is open). */
    public static boolean awaitReleaserClosed(Duration timeout) throws InterruptedException {
        CountDownLatch l;
        synchronized (StartupHold.class) {
            l = releaserClosed;
        }
        return l == null || l.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
}
