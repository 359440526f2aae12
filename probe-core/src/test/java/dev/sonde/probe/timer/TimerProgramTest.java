package dev.sonde.probe.timer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.map.BpfMap;
import dev.sonde.probe.control.AttachException;
import dev.sonde.probe.control.AttachOptions;
import dev.sonde.probe.control.ProbeLink;
import dev.sonde.probe.control.ProbeObject;
import dev.sonde.probe.control.Sonde;
import dev.sonde.probe.symbol.MethodSymbol;
import dev.sonde.probe.testing.TestProbes;
import dev.sonde.testapp.Busy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** timer/&lt;period&gt; and timer/&lt;period&gt;/threads programs (src/test/bpf/timer.bpf.c) on this JVM. */
class TimerProgramTest {
    private static Sonde sonde;
    private ProbeObject probes;

    @BeforeAll
    static void install() {
        sonde = Sonde.install(ByteBuddyAgent.install());
    }

    @BeforeEach
    void open() throws Exception {
        probes = TestProbes.open(sonde, "timer.bpf.o");
    }

    @AfterEach
    void close() {
        probes.close();
    }

    @Test
    void aTimerRunsAtItsPeriodOnItsOwnThreadAndCloseStopsIt() throws Exception {
        long t0 = System.nanoTime();
        ProbeLink link = probes.attach("tick", AttachOptions.DEFAULT.withCookie(42));
        BpfMap ticks = probes.map("ticks").orElseThrow();
        await().atMost(Duration.ofSeconds(30)).until(() -> u64(ticks, 0) >= 10);
        link.close();
        long elapsed = System.nanoTime() - t0;
        long runs = u64(ticks, 0);
        assertEquals(runs, link.stats().runCount(), "the link counts every run");
        assertTrue(runs <= elapsed / 5_000_000 + 1, runs + " runs in " + elapsed + " ns at one per 5 ms");
        assertEquals(42, u64(ticks, 3), "bpf_get_attach_cookie");
        assertEquals(0, u64(ticks, 2), "no ip outside a sample");
        long tid = u64(ticks, 1) & 0xffffffffL;
        assertNotEquals(Thread.currentThread().getId() & 0xffffffffL, tid, "runs on the timer thread");
        assertFalse(link.isOpen());
        assertFalse(timerThreadAlive("tick"), "close joined the timer thread");
        await().during(Duration.ofMillis(60)).atMost(Duration.ofSeconds(30)).until(() -> u64(ticks, 0) == runs);
        assertEquals(runs, link.stats().runCount(), "no run after close");
        assertEquals("timer/5ms", link.target().secName());
        assertTrue(link.methods().isEmpty());
    }

    @Test
    void theTargetCanSetThePeriod() throws Exception {
        long t0 = System.nanoTime();
        ProbeLink link = probes.attach("tick", AttachOptions.DEFAULT.withTarget("timer/1s"));
        BpfMap ticks = probes.map("ticks").orElseThrow();
        // 300 ms at least: the SEC name's 5 ms would have ticked some 60 times by then. The runs
        // are bounded by the time that really passed, not by 0 for a fixed window: tick k is due
        // k seconds after the attach (and a late one is skipped, not run twice), so however
        // slowly this thread gets on, there were at most elapsed / 1 s runs.
        await().atMost(Duration.ofSeconds(30)).until(() -> System.nanoTime() - t0 >= 300_000_000L);
        long runs = u64(ticks, 0);
        long elapsed = System.nanoTime() - t0;
        assertTrue(runs <= elapsed / 1_000_000_000L, runs + " runs in " + elapsed + " ns at one per second");
        assertEquals("timer/1s", link.target().secName());
        link.close();
    }

    @Test
    void aPerThreadTimerSamplesTheRunningThreadsAsTheirOwnStacks() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        Thread busy = new Thread(() -> Busy.spin(stop, started), "busy-worker-with-a-long-name");
        busy.start();
        started.await();
        CountDownLatch release = new CountDownLatch(1);
        Thread parked = new Thread(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "parked-worker");
        parked.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> parked.getState() == Thread.State.WAITING);
        try {
            ProbeLink link = probes.attach("sample_thread");
            BpfMap samples = probes.map("samples").orElseThrow();
            long key = dev.sonde.bpf.helper.ThreadInfo.PID << 32 | (busy.getId() & 0xffffffffL);
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                byte[] v = samples.lookup(le(key));
                return v != null && ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getLong(0) >= 5;
            });
            link.close();
            ByteBuffer s = ByteBuffer.wrap(samples.lookup(le(key))).order(ByteOrder.LITTLE_ENDIAN);
            long stackId = s.getLong(8);
            assertTrue(stackId >= 0, "stack stored: " + stackId);
            String comm = cstr(s, 24, 16);
            assertEquals("busy-worker-wit", comm, "get_current_comm: the sampled thread's first 15 bytes");
            assertEquals("busy-worker-with-a-long-name", cstr(s, 40, 32), "sonde_get_thread_name: the whole name");
            MethodSymbol spin = sonde.symbols().lookup(Busy.class, "spin",
                "(Ljava/util/concurrent/atomic/AtomicBoolean;Ljava/util/concurrent/CountDownLatch;)V");
            assertNotNull(spin, "the sampled frame registered the method's own symbol");
            ByteBuffer st = ByteBuffer.wrap(probes.map("stacks").orElseThrow().lookup(le32((int) stackId)))
                .order(ByteOrder.LITTLE_ENDIAN);
            boolean found = false;
            for (int i = 0; i < 127 && st.getLong(8 * i) != 0; i++) {
                found |= sonde.symbols().method(st.getLong(8 * i)) == spin;
            }
            assertTrue(found, "the busy method is on its sampled stack");
            long ip = s.getLong(16);
            assertNotNull(sonde.symbols().method(ip), "ip is the innermost sampled frame");
            long waiting = dev.sonde.bpf.helper.ThreadInfo.PID << 32 | (parked.getId() & 0xffffffffL);
            assertNull(samples.lookup(le(waiting)), "a waiting thread is not running: never sampled");
            assertTrue(link.stats().runCount() >= 5);
            assertFalse(timerThreadAlive("sample_thread"));
        } finally {
            stop.set(true);
            release.countDown();
            busy.join();
            parked.join();
        }
    }

    @Test
    void aBadTimerTargetIsRefusedAndNothingRuns() {
        AttachException e = assertThrows(AttachException.class,
            () -> probes.attach("tick", AttachOptions.DEFAULT.withTarget("timer/5ms/cpus")));
        assertTrue(e.getMessage().contains("unknown timer mode \"cpus\""), e.getMessage());
        e = assertThrows(AttachException.class, () -> probes.attach("tick", AttachOptions.DEFAULT.withTarget("timer/0ms")));
        assertTrue(e.getMessage().contains("must be positive"), e.getMessage());
        assertTrue(probes.links().isEmpty());
        assertFalse(timerThreadAlive("tick"));
    }

    private static void assertNotEquals(long unexpected, long actual, String message) {
        org.junit.jupiter.api.Assertions.assertNotEquals(unexpected, actual, message);
    }

    static boolean timerThreadAlive(String program) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("sonde-timer-" + program) && t.isAlive());
    }

    private static long u64(BpfMap m, int index) {
        return ByteBuffer.wrap(m.lookup(le32(index))).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    private static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private static byte[] le(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static String cstr(ByteBuffer b, int off, int len) {
        int n = 0;
        while (n < len && b.get(off + n) != 0) {
            n++;
        }
        byte[] s = new byte[n];
        b.get(off, s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
