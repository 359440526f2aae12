package dev.sonde.tests.races;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Widens a race window deterministically. Code under test calls {@link #hold} inside the section
 * it races in; the first thread to arrive stays there until either
 * <ul>
 * <li>a second racer arrives too: both are provably inside at the same time (the broken
 *     versions), or</li>
 * <li>every other live racer is blocked on a lock this thread holds: nobody else can arrive until
 *     it leaves (the fixed versions).</li>
 * </ul>
 * No outcome depends on timing or luck; the deadline only bounds a test whose racers never get
 * there. One window per test (it counts arrivals, it does not reset).
 */
final class RaceWindow {
    private static final long DEADLINE_NS = 10_000_000_000L;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Set<Thread> racers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger arrivals = new AtomicInteger();

    /** A racing thread, registered with the window before it starts. */
    Thread racer(String name, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } finally {
                racers.remove(Thread.currentThread());
            }
        }, name);
        racers.add(t);
        return t;
    }

    /**
     * Runs {@code body} on {@code n} racers named {@code name-0 …} and waits (bounded) for all of
     * them; rethrows the first racer's failure.
     */
    void race(int n, String name, Runnable body) throws InterruptedException {
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            threads.add(racer(name + "-" + i, () -> {
                try {
                    body.run();
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(DEADLINE_NS / 1_000_000);
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " still running after 10 s");
            }
        }
        if (!failures.isEmpty()) {
            throw new AssertionError(failures.size() + " racers failed", failures.get(0));
        }
    }

    /** How many times a thread arrived in the window. */
    int arrivals() {
        return arrivals.get();
    }

    /** In a section without a lock (the broken versions): waits for a second racer to arrive. */
    void hold() {
        hold(null);
    }

    /**
     * In a section guarded by {@code lock}, which the caller holds (the fixed versions): waits for a
     * second racer, or until every other live racer is blocked on {@code lock}. Only that monitor
     * counts: a racer blocked on some other lock the caller happens to hold (a class being
     * initialised by it, say) could still arrive later, and taking it for blocked let the broken
     * lazy initializer leave the window alone once in CI (one resource instead of two).
     */
    void hold(Object lock) {
        arrivals.incrementAndGet();
        long deadline = System.nanoTime() + DEADLINE_NS;
        while (arrivals.get() < 2 && !(lock != null && othersBlockedOnMe(lock))) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("race window: no second racer arrived and not every other racer"
                    + " blocked on this thread's lock within 10 s");
            }
            LockSupport.parkNanos(20_000);
        }
    }

    @SuppressWarnings("deprecation")   // Thread.getId: threadId() is JDK 19+
    private boolean othersBlockedOnMe(Object lock) {
        long me = Thread.currentThread().getId();
        int id = System.identityHashCode(lock);
        for (Thread t : racers) {
            if (t == Thread.currentThread() || t.getState() == Thread.State.TERMINATED) {
                continue;
            }
            ThreadInfo info = THREADS.getThreadInfo(t.getId());
            if (info == null || info.getLockOwnerId() != me || info.getLockInfo() == null
                    || info.getLockInfo().getIdentityHashCode() != id) {
                return false;
            }
        }
        return true;
    }
}
