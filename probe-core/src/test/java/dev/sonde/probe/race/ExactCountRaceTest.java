package dev.sonde.probe.race;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.map.BpfMap;
import dev.sonde.probe.control.AttachOptions;
import dev.sonde.probe.control.ProbeLink;
import dev.sonde.probe.control.ProbeObject;
import dev.sonde.probe.control.Sonde;
import dev.sonde.probe.testing.TestProbes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Attach and detach an entry and a return probe (clang-compiled, src/test/bpf/race.bpf.c) on a
 * method that 8 threads call without pause, cycle after cycle, and check every count exactly.
 *
 * <p>Cycle c attaches both programs with cookie c, then publishes {@code attached = c}; waits
 * until every worker finished 20 more calls; publishes {@code detaching = c}; closes both links
 * (detach + grace period); publishes {@code detached = c}. A worker reads {@code attached} and
 * {@code detached} before each call and {@code detaching} after it, and remembers per cycle: the
 * first call that started after attach(c) returned ({@code lo}), the last call that started after
 * it and ended before detach(c) began ({@code hi}), and the first call that started after
 * detach(c) returned ({@code after}). The programs record, per (cycle, worker), how many runs they
 * made and the first and last seq they saw. Then for each cycle, worker and program:
 * <ul>
 * <li>no call was recorded twice: {@code count <= last - first + 1};</li>
 * <li>every call in [lo, hi], and every call between the first and the last recorded, was either
 *     recorded or counted in the link's {@code nmissed} (a hit that found every execution slot
 *     busy, DESIGN.md §3): the calls of the window before {@code first}, after {@code last} and
 *     the gaps in between add up to at most {@code nmissed}; with more slots than workers no hit
 *     can be skipped, so then {@code nmissed == 0} and {@code first <= lo}, {@code last >= hi},
 *     {@code count == last - first + 1} hold exactly;</li>
 * <li>no call that started after detach returned was recorded: {@code last < after};</li>
 * <li>the link's run count equals the runs recorded, and does not move after close returned;</li>
 * <li>no exception reached a worker, and every call returned its value.</li>
 * </ul>
 */
class ExactCountRaceTest {
    private static final int WORKERS = 8;
    private static final int WINDOW_CALLS = 20;

    @Test
    void fiftyCycles() throws Exception {
        race(50);
    }

    @Tag("long")
    @Test
    void aThousandCycles() throws Exception {
        race(1000);
    }

    /** One worker's view, written by its thread only and read after it was joined. */
    static final class Worker extends Thread {
        final int id;
        final long[] lo;
        final long[] hi;
        final long[] after;
        volatile long done;   // calls finished; the controller waits on it
        final ExactCountRaceTest race;

        Worker(int id, int cycles, ExactCountRaceTest race) {
            super("race-worker-" + id);
            this.id = id;
            this.race = race;
            lo = filled(cycles + 1, -1);
            hi = filled(cycles + 1, -1);
            after = filled(cycles + 1, -1);
        }

        @Override
        public void run() {
            try {
                for (long s = 0; !race.stop; s++) {
                    int a = race.attached;      // pairs with the volatile write after attach in race()
                    int d = race.detached;      // pairs with the volatile write after close in race()
                    long r = Counted.work(id, s);
                    int g = race.detaching;     // pairs with the volatile write before close in race()
                    if (r != id * 31L + s) {
                        race.errors.add(new AssertionError("work(" + id + ", " + s + ") returned " + r));
                    }
                    if (a > 0 && lo[a] < 0) {
                        lo[a] = s;
                    }
                    if (a > 0 && g < a) {
                        hi[a] = s;
                    }
                    if (d > 0 && after[d] < 0) {
                        after[d] = s;
                    }
                    done = s + 1;
                }
            } catch (Throwable t) {
                race.errors.add(t);
            }
        }
    }

    volatile int attached;
    volatile int detaching;
    volatile int detached;
    volatile boolean stop;
    final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();

    private void race(int cycles) throws Exception {
        Sonde sonde = Sonde.install(ByteBuddyAgent.install());
        List<Worker> workers = new ArrayList<>();
        long[] entryRuns = new long[cycles + 1];
        long[] exitRuns = new long[cycles + 1];
        List<ProbeLink[]> links = new ArrayList<>();
        links.add(null);
        try (ProbeObject probes = TestProbes.open(sonde, "race.bpf.o")) {
            for (int w = 0; w < WORKERS; w++) {
                Worker t = new Worker(w, cycles, this);
                workers.add(t);
                t.start();
            }
            for (int c = 1; c <= cycles; c++) {
                AttachOptions cookie = AttachOptions.DEFAULT.withCookie(c);
                ProbeLink entry = probes.attach("on_entry", cookie);
                ProbeLink exit = probes.attach("on_exit", cookie);
                links.add(new ProbeLink[] {entry, exit});
                attached = c;
                long[] base = new long[WORKERS];
                for (int w = 0; w < WORKERS; w++) {
                    base[w] = workers.get(w).done;
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    for (int w = 0; w < WORKERS; w++) {
                        if (workers.get(w).done < base[w] + WINDOW_CALLS) {
                            return false;
                        }
                    }
                    return true;
                });
                detaching = c;
                entry.close();
                exit.close();
                entryRuns[c] = entry.stats().runCount();
                exitRuns[c] = exit.stats().runCount();
                detached = c;
            }
            stop = true;
            for (Worker t : workers) {
                t.join(Duration.ofSeconds(30).toMillis());
                assertTrue(!t.isAlive(), t.getName() + " did not stop");
            }
            assertEquals(List.of(), new ArrayList<>(errors), "no exception and no wrong result reached the workers");

            BpfMap entries = probes.map("entries").orElseThrow();
            BpfMap exits = probes.map("exits").orElseThrow();
            boolean seated = sonde.slots().count() > WORKERS;
            long missedTotal = 0;
            long runsTotal = 0;
            for (int c = 1; c <= cycles; c++) {
                long[] entry = new long[2];   // runs recorded, calls not recorded
                long[] exit = new long[2];
                for (Worker t : workers) {
                    long after = firstAfter(t.after, c);
                    String where = "cycle " + c + ", worker " + t.id + " (lo " + t.lo[c] + ", hi " + t.hi[c] + ", after " + after + ")";
                    assertTrue(t.lo[c] >= 0 && t.hi[c] >= t.lo[c] + WINDOW_CALLS - 2, where + ": the harness saw no window");
                    check(entries, c, t, after, "entry: " + where, entry);
                    check(exits, c, t, after, "return: " + where, exit);
                }
                ProbeLink[] l = links.get(c);
                assertEquals(entryRuns[c], entry[0], "cycle " + c + ": entry link's run count vs runs recorded");
                assertEquals(exitRuns[c], exit[0], "cycle " + c + ": return link's run count vs runs recorded");
                assertEquals(entryRuns[c], l[0].stats().runCount(), "cycle " + c + ": entry runs after close returned");
                assertEquals(exitRuns[c], l[1].stats().runCount(), "cycle " + c + ": return runs after close returned");
                assertEquals(0, l[0].stats().faults(), "cycle " + c + ": entry faults");
                assertEquals(0, l[1].stats().faults(), "cycle " + c + ": return faults");
                long entryMissed = l[0].stats().nmissed();
                long exitMissed = l[1].stats().nmissed();
                assertTrue(entry[1] <= entryMissed, "cycle " + c + ": " + entry[1] + " entry calls neither recorded nor in nmissed " + entryMissed);
                assertTrue(exit[1] <= exitMissed, "cycle " + c + ": " + exit[1] + " returns neither recorded nor in nmissed " + exitMissed);
                if (seated) {
                    assertEquals(0, entryMissed + exitMissed, "cycle " + c + ": " + sonde.slots().count() + " slots for " + WORKERS + " workers, yet hits were skipped");
                }
                missedTotal += entryMissed + exitMissed;
                runsTotal += entry[0] + exit[0];
            }
            System.out.printf("ExactCountRaceTest: %d cycles, %d slots, %d runs, %d hits skipped (nmissed)%n", cycles, sonde.slots().count(), runsTotal, missedTotal);
        } finally {
            stop = true;
        }
    }

    /** Checks one (cycle, worker) slot; adds its runs to {@code sums[0]} and the calls it should have seen but did not to {@code sums[1]}. */
    private static void check(BpfMap map, int c, Worker t, long after, String where, long[] sums) {
        byte[] key = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(c * WORKERS + t.id).array();
        ByteBuffer v = ByteBuffer.wrap(map.lookup(key)).order(ByteOrder.LITTLE_ENDIAN);
        long count = v.getLong(0);
        long first = v.getLong(8) - 1;
        long last = v.getLong(16) - 1;
        String seen = where + ": recorded " + count + " runs, seq " + first + ".." + last;
        assertTrue(count > 0, seen + ": nothing recorded");
        assertTrue(count <= last - first + 1, seen + ": a call recorded twice");
        assertTrue(after < 0 || last < after, seen + ": recorded a call that started after detach returned");
        sums[0] += count;
        long missed = Math.max(0, first - t.lo[c]) + Math.max(0, t.hi[c] - last) + (last - first + 1 - count);
        sums[1] += missed;
        if (missed > 0) {
            System.out.println("ExactCountRaceTest: " + seen + ": " + missed + " calls not recorded");
        }
    }

    /** The first call that started after detach(c) returned: the worker may have skipped cycles. */
    private static long firstAfter(long[] after, int c) {
        for (int d = c; d < after.length; d++) {
            if (after[d] >= 0) {
                return after[d];
            }
        }
        return -1;
    }

    private static long[] filled(int n, long v) {
        long[] a = new long[n];
        Arrays.fill(a, v);
        return a;
    }
}
