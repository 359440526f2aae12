package dev.sonde.trampoline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.vm.Cpu;
import dev.sonde.trampoline.targets.Misc;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** The hit path allocates nothing: entry and exit with a no-op handler, after warm-up. */
class AllocationTest {
    private final Trampolines t = Fixture.trampolines();
    private static final com.sun.management.ThreadMXBean MX = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static final class NoOp implements Handler {
        long entries;
        long exits;
        long seen;

        @Override
        public void onEntry(Frame f, Cpu cpu) {
            entries++;
            seen += f.arg(0);
        }

        @Override
        public void onExit(Frame f, Cpu cpu) {
            exits++;
            seen += f.returnValue();
        }
    }

    @Test
    void zeroBytesPerHitAfterWarmUp() {
        NoOp h = new NoOp();
        Object ref = "ref";
        try (Link l = t.attach(Misc.class, "hot", h)) {
            long sum = loop(200_000, ref);   // warm-up: interpreter, C1, C2
            long tid = Thread.currentThread().getId();
            long overhead = measureNothing(tid);
            // The least of up to five windows: a C2 compile or a deoptimization that comes late (a
            // loaded machine's compiler threads get on slowly) allocates once, in one window; a
            // hit path that allocates does so in every window.
            long calls = 200_000;
            long bytes = Long.MAX_VALUE;
            for (int window = 0; window < 5 && bytes >= 1024; window++) {
                long before = MX.getThreadAllocatedBytes(tid);
                sum += loop(100_000, ref);
                long after = MX.getThreadAllocatedBytes(tid);
                calls += 100_000;
                bytes = Math.min(bytes, after - before - overhead);
            }
            assertTrue(sum != 0);
            assertEquals(calls, h.entries, "every call hit the entry trampoline");
            assertEquals(calls, h.exits, "and the exit trampoline");
            assertTrue(bytes < 1024, "100,000 hits allocated " + bytes + " bytes");
            assertEquals(0, l.nmissed());
        }
    }

    private static long measureNothing(long tid) {
        long a = MX.getThreadAllocatedBytes(tid);
        long b = MX.getThreadAllocatedBytes(tid);
        return b - a;
    }

    private static long loop(int n, Object ref) {
        long s = 0;
        for (int i = 0; i < n; i++) {
            s += Misc.hot(i, i, ref, 0.5);
        }
        return s;
    }
}
