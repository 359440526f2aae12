package dev.sonde.trampoline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.vm.Cpu;
import dev.sonde.trampoline.targets.Racer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Racer.work runs on 8 threads while a handler is attached and detached again and again.
 *
 * <p>Cycle c: attach H_c; {@code attached = c}; wait until every worker made 20 more calls;
 * {@code detaching = c}; close; {@code H_c.closed = true}. A worker reads {@code attached} before
 * a call and {@code detaching} after it; when the latter is smaller, the call started after
 * attach(c) returned and finished before detach(c) began, and H_c must have seen its entry and its
 * exit, with the worker's arguments. H_c running after its close returned is a violation. At the
 * end the method's instructions are the original ones.
 */
class AttachDetachRaceTest {
    private static final int WORKERS = 8;
    private final Trampolines t = Fixture.trampolines();

    @Test
    void twoHundredCycles() throws Exception {
        race(200);
    }

    @Tag("long")
    @Test
    void aThousandCycles() throws Exception {
        race(1000);
    }

    /** Grows; written by one worker thread, read after join or after the grace period of a close. */
    static final class LongList {
        long[] a = new long[64];
        int n;

        void add(long v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        /** Whether every value in [lo, hi] is here: values are distinct and ascending (a worker's sequence). */
        boolean containsRun(long lo, long hi) {
            int i = Arrays.binarySearch(a, 0, n, lo);
            int j = Arrays.binarySearch(a, 0, n, hi);
            return i >= 0 && j >= 0 && j - i == hi - lo;
        }
    }

    static final class CycleHandler implements Handler {
        final LongList[] entries = new LongList[WORKERS];
        final LongList[] exits = new LongList[WORKERS];
        volatile boolean closed;
        final AtomicLong violations;

        CycleHandler(AtomicLong violations) {
            this.violations = violations;
            for (int i = 0; i < WORKERS; i++) {
                entries[i] = new LongList();
                exits[i] = new LongList();
            }
        }

        @Override
        public void onEntry(Frame f, Cpu cpu) {
            if (closed) {
                violations.incrementAndGet();
            }
            entries[(int) f.arg(0)].add(f.arg(1));
        }

        @Override
        public void onExit(Frame f, Cpu cpu) {
            if (closed) {
                violations.incrementAndGet();
            }
            if (f.returnValue() != f.arg(1) * 31 + f.arg(0)) {
                violations.incrementAndGet();
            }
            exits[(int) f.arg(0)].add(f.arg(1));
        }
    }

    /** Checks cycle c's qualifying runs against H_c's logs, then drops H_c; returns the calls checked. */
    private static long verify(CycleHandler[] handlers, int c, long[][] first, long[][] last) {
        long n = 0;
        for (int w = 0; w < WORKERS; w++) {
            long lo = first[w][c];
            long hi = last[w][c];
            if (lo == 0) {
                continue;
            }
            int worker = w;
            assertTrue(handlers[c].entries[w].containsRun(lo, hi), () -> "cycle " + c + " missed an entry of worker " + worker + "'s calls " + lo + ".." + hi);
            assertTrue(handlers[c].exits[w].containsRun(lo, hi), () -> "cycle " + c + " missed an exit of worker " + worker + "'s calls " + lo + ".." + hi);
            n += hi - lo + 1;
        }
        handlers[c] = null;
        return n;
    }

    private volatile int attached;
    private volatile int detaching;
    private volatile boolean stop;

    private void race(int cycles) throws Exception {
        byte[] original = ClassBytes.current(Racer.class);
        AtomicLong violations = new AtomicLong();
        CycleHandler[] handlers = new CycleHandler[cycles + 1];
        AtomicLong[] progress = new AtomicLong[WORKERS];
        // A worker's qualifying calls of one cycle are a contiguous run of its sequence numbers.
        long[][] first = new long[WORKERS][cycles + 2];
        long[][] last = new long[WORKERS][cycles + 2];
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            int id = w;
            progress[w] = new AtomicLong();
            Thread th = new Thread(() -> {
                long seq = 0;
                long sink = 0;
                while (!stop) {
                    int a = attached;
                    seq++;
                    sink += Racer.work(id, seq);
                    int d = detaching;
                    if (d < a) {
                        if (first[id][a] == 0) {
                            first[id][a] = seq;
                        }
                        last[id][a] = seq;
                    }
                    // Release: the run written above is visible to the controller's volatile get.
                    progress[id].lazySet(seq);
                }
                if (sink == 42) {
                    System.err.print("");
                }
            }, "racer-" + w);
            workers.add(th);
            th.start();
        }
        long missed = 0;
        long checked = 0;
        try {
            for (int c = 1; c <= cycles; c++) {
                handlers[c] = new CycleHandler(violations);
                Link l = t.attach(Racer.class, "work", handlers[c]);
                attached = c;
                long[] start = new long[WORKERS];
                for (int w = 0; w < WORKERS; w++) {
                    start[w] = progress[w].get();
                }
                for (int w = 0; w < WORKERS; w++) {
                    while (progress[w].get() < start[w] + 20) {
                        Thread.onSpinWait();
                    }
                }
                // Every call that saw cycle c-1 has completed: its runs are final; H_{c-1}'s logs
                // were final when its close returned (the grace period orders them before us).
                if (c > 1) {
                    checked += verify(handlers, c - 1, first, last);
                }
                detaching = c;
                l.close();
                handlers[c].closed = true;
                missed += l.nmissed();
            }
        } finally {
            stop = true;
            for (Thread th : workers) {
                th.join();
            }
        }
        assertEquals(0, violations.get(), "handler runs after their detach returned, or wrong return values");
        assertEquals(0, missed, "16 slots for 8 threads: nothing may be missed");
        checked += verify(handlers, cycles, first, last);
        assertTrue(checked >= 10L * WORKERS * cycles, "too few calls checked: " + checked);
        t.awaitRestored();
        assertEquals(ClassBytes.instructions(original), ClassBytes.instructions(ClassBytes.current(Racer.class)),
                "instruction-level comparison with the original after the last detach");
        System.err.println("race: " + cycles + " cycles, " + checked + " calls checked");
    }
}
