package dev.sonde.bpf.object;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * 8 threads run the clang-compiled {@code array_atomic} program ({@code __sync_fetch_and_add} on
 * one ARRAY value and one HASH value) 1,000,000 times in all: both counts are exact. A run that
 * finds every slot busy is retried, so that the expected count is known; skipped runs are counted.
 */
class AtomicCountsTest {
    private final ProbeRunner runner = new ProbeRunner();

    @AfterEach
    void close() {
        runner.close();
    }

    @Test
    void eightThreadsMillionRunsExactCounts() throws Exception {
        BpfObject o = runner.load("/bpf/array_atomic.bpf.o");
        byte[] key = {1, 0, 0, 0};
        assertEquals(0, o.map("total").orElseThrow().update(key, new byte[8], 0));
        int threads = 8;
        int perThread = 125_000;
        AtomicLong busy = new AtomicLong();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            ts.add(new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    while (!runner.tryRun(o, "bump")) {
                        busy.incrementAndGet();
                        Thread.onSpinWait();
                    }
                }
            }));
        }
        ts.forEach(Thread::start);
        for (Thread t : ts) {
            t.join();
        }
        long expected = (long) threads * perThread;
        assertEquals(expected, ProbeRunner.u64(o.map("hits").orElseThrow(), 1));
        assertEquals(expected, ProbeRunner.u64(o.map("total").orElseThrow(), 1));
    }
}
