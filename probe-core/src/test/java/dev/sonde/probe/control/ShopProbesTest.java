package dev.sonde.probe.control;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.map.BpfMap;
import dev.sonde.probe.testing.TestProbes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real probes on a real method of this JVM: clang-compiled programs (src/test/bpf/e2e.bpf.c)
 * attached through the probe control library, with the trampolines, the verifier and the JIT.
 */
class ShopProbesTest {
    private static Sonde sonde;
    private ProbeObject probes;
    private final Shop shop = new Shop();

    @BeforeAll
    static void install() {
        sonde = Sonde.install(ByteBuddyAgent.install());
    }

    @BeforeEach
    void open() throws Exception {
        probes = TestProbes.open(sonde, "e2e.bpf.o");
    }

    @AfterEach
    void close() {
        probes.close();
    }

    @Test
    void entryProbeCountsEveryCallPerFirstArgument() throws Exception {
        ProbeLink link = probes.attach("count_pay");
        for (int i = 0; i < 1000; i++) {
            shop.pay(i % 3, 5);
        }
        BpfMap calls = probes.map("calls").orElseThrow();
        assertEquals(334, u64(calls.lookup(key(0))));
        assertEquals(333, u64(calls.lookup(key(1))));
        assertEquals(333, u64(calls.lookup(key(2))));
        assertEquals(1000, link.stats().runCount());
        assertEquals(0, link.stats().faults());
        link.close();
        shop.pay(0, 5);
        assertEquals(334, u64(calls.lookup(key(0))), "a detached probe does not run");
        assertEquals(5005, shop.total());
    }

    @Test
    void returnProbeSeesTheResultTheFlagsAndTheParameters() throws Exception {
        ProbeLink link = probes.attach("pay_return");
        assertEquals(71, shop.pay(7, 1));
        ByteBuffer r = value(probes.map("rets").orElseThrow());
        assertEquals(1, r.getLong(0));
        assertEquals(71, r.getLong(8), "ax = the return value");
        assertEquals(0, r.getLong(16), "flags: no exceptional exit");
        assertEquals(r.getLong(40), r.getLong(24), "ip == bpf_get_func_ip");
        assertEquals(7, r.getLong(32), "parameters stay readable at return");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> shop.pay(8, -1));
        assertEquals("negative amount -1", e.getMessage(), "the same throwable reaches the caller");
        r = value(probes.map("rets").orElseThrow());
        assertEquals(2, r.getLong(0), "exceptional exits are runs too");
        assertEquals(1, r.getLong(16) & 1, "flags bit 0 on an exceptional exit");
        assertTrue(r.getLong(8) != 0, "ax = the throwable's handle");
        assertEquals(2, link.stats().runCount());
    }

    @Test
    void nineParametersArriveInRegistersAndOnTheStack() throws Exception {
        probes.attach("nine");
        long r = shop.nine("héllo", -3, 1L << 40, 2.5, 1.5f, true, 'x', (byte) -2, (short) 300);
        assertEquals("héllo".length() - 3 + (1L << 40) + 2 + 1 + 1 + 'x' - 2 + 300, r);
        ByteBuffer a = value(probes.map("args").orElseThrow());
        assertTrue(a.getLong(0) != 0, "di: the String's handle");
        assertEquals(-3, a.getLong(8), "si: int, sign-extended");
        assertEquals(1L << 40, a.getLong(16), "dx: long");
        assertEquals(Double.doubleToRawLongBits(2.5), a.getLong(24), "cx: double bits");
        assertEquals(Float.floatToRawIntBits(1.5f) & 0xffffffffL, a.getLong(32), "r8: float bits, zero-extended");
        assertEquals(1, a.getLong(40), "r9: boolean");
        assertEquals('x', a.getLong(48), "parameter 7 at sp+8: char");
        assertEquals(-2, a.getLong(56), "parameter 8 at sp+16: byte, sign-extended");
        byte[] utf8 = "héllo".getBytes(StandardCharsets.UTF_8);
        assertEquals(utf8.length + 1, a.getLong(64), "probe_read_user_str returns the bytes with the NUL");
        byte[] got = new byte[utf8.length];
        a.position(72);
        a.get(got);
        assertEquals("héllo", new String(got, StandardCharsets.UTF_8));
        assertTrue(a.getLong(88) != 0, "r12: this");
    }

    @Test
    void printkLinesReachTheTracePipe() throws Exception {
        sonde.trace().drain(line -> { });
        probes.attach("faulty");
        assertEquals(-42, Shop.refund(42));
        List<String> lines = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            sonde.trace().drain(lines::add);
            return !lines.isEmpty();
        });
        String line = lines.get(0);
        String thread = Thread.currentThread().getName();
        assertTrue(line.matches("\\Q" + thread + "\\E-\\d+ \\[\\d{3}\\] \\d+\\.\\d{6}: bpf_trace_printk: refund 42"), line);
    }

    @Test
    void attachAndDetachUnderLoadLoseNothingAndHarmNothing() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong calls = new AtomicLong();
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread th = new Thread(() -> {
                Shop s = new Shop();
                try {
                    while (!stop.get()) {
                        if (s.pay(1, 2) != 11) {
                            throw new AssertionError("wrong result");
                        }
                        calls.incrementAndGet();
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            threads.add(th);
            th.start();
        }
        BpfMap counts = probes.map("calls").orElseThrow();
        long previous = 0;
        for (int cycle = 0; cycle < 20; cycle++) {
            ProbeLink link = probes.attach("count_pay");
            long before = calls.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() > before + 100);
            link.close();
            // Counted runs since the last cycle: at least the calls that began and ended while
            // attached, at most the calls made while attached plus those in flight at the edges.
            long counted = u64(counts.lookup(key(1)));
            assertTrue(counted > previous, "cycle " + cycle + " counted nothing");
            previous = counted;
            long afterDetach = counted;
            long c0 = calls.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() > c0 + 100);
            assertEquals(afterDetach, u64(counts.lookup(key(1))), "no run after detach returned");
        }
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(List.of(), errors, "no exception reached the application");
    }

    static byte[] key(long k) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(k).array();
    }

    static long u64(byte[] v) {
        return v == null ? 0 : ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    static ByteBuffer value(BpfMap m) {
        return ByteBuffer.wrap(m.lookup(new byte[4])).order(ByteOrder.LITTLE_ENDIAN);
    }
}
